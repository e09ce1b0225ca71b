// drover-agent.service through systemctl (`drover agent install` / `remove`). A host without
// systemctl, or not booted with systemd (a container, an image being built), is not an error:
// the caller says why and skips, so the same command works in images and on booted machines.
#pragma once
#include <string>

namespace drover::cli {

// The unit packaging/ ships: runs `drover agent --config /etc/drover/agent.conf` as root.
inline constexpr const char* kAgentService = "drover-agent.service";

// Why systemctl cannot manage services here, or "" when it can.
std::string systemd_unavailable_reason();

// Runs `systemctl <verb> --now drover-agent.service` (verb: enable or disable) with our stdout
// and stderr; a non-zero exit throws Failure.
void systemctl_now(const std::string& verb);

}  // namespace drover::cli
