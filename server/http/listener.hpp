// The listening socket and the process limits it needs. The socket gets SO_REUSEADDR (restart
// while old connections sit in TIME_WAIT) but never SO_REUSEPORT, so a second server on the same
// port fails to bind instead of silently sharing it (a cpp-httplib trap). The backlog is set by
// us (4096 by default), not left at a library's 5.
#pragma once
#include <cstdint>
#include <string>

#include "common/posix/unique_fd.hpp"

namespace drover::http {

using posix::UniqueFd;

// Binds host:port (numeric or resolvable; port 0 picks a free one) and listens, non-blocking.
// Returns an invalid fd with `error` set on failure.
UniqueFd open_listener(const std::string& host, std::uint16_t port, int backlog,
                       std::string& error);
std::uint16_t bound_port(int fd);

// Raises the soft RLIMIT_NOFILE to the hard limit: 10,000 streams need 10,000 descriptors and
// the usual soft default is 1024. Best effort; the hard limit is the administrator's (systemd
// LimitNOFILE=).
void raise_fd_limit();

}  // namespace drover::http
