// spec 5.6: the agent's memory across restarts of itself (not of the host): after every state step
// it writes `<state-dir>/<uuid>.state` (JSON {"BootId", "BootTime", "Machine"}, via a temp file and
// rename). On start, a file from the same boot tells the agent which BootEnv it last saw, so a
// BootEnv that changed while the agent was down still triggers the reboot.
//
// "The same boot" is the kernel's boot id, not DRP's boot time: /proc/stat's btime is derived
// from the wall clock, so an NTP step (a machine that booted with a wrong clock) moves it in the
// middle of a boot (issue 10). BootTime is still written, and decides for a file without a BootId.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "common/model/codec.hpp"

namespace drover::agent {

struct HostBoot {
    std::string id;         // /proc/sys/kernel/random/boot_id; "" when unknown
    std::int64_t time = 0;  // /proc/stat btime, seconds since the epoch; 0 when unknown
};
HostBoot current_boot();

// The saved machine copy, when the file exists, is readable, and was written in `boot`.
std::optional<model::Json> load_state(const std::string& state_dir, const std::string& machine,
                                      const HostBoot& boot);
// Best effort: a state dir that cannot be written only costs the restart memory.
void save_state(const std::string& state_dir, const std::string& machine, const HostBoot& boot,
                const model::Json& machine_copy);

}  // namespace drover::agent
