// spec 5.6: the agent's memory across restarts of itself (not of the host): after every state step
// it writes `<state-dir>/<uuid>.state` (JSON {"BootTime", "Machine"}, via a temp file and rename).
// On start, a file from the same boot tells the agent which BootEnv it last saw, so a BootEnv that
// changed while the agent was down still triggers the reboot.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "common/model/codec.hpp"

namespace drover::agent {

// The host's boot time in seconds since the epoch (/proc/stat btime); 0 when unknown.
std::int64_t host_boot_time();

// The saved machine copy, when the file exists, is readable, and was written in this boot.
std::optional<model::Json> load_state(const std::string& state_dir, const std::string& machine,
                                      std::int64_t boot_time);
// Best effort: a state dir that cannot be written only costs the restart memory.
void save_state(const std::string& state_dir, const std::string& machine, std::int64_t boot_time,
                const model::Json& machine_copy);

}  // namespace drover::agent
