// The byte pipe under one connection. The loop never calls read(2)/write(2) itself: it asks the
// Transport, so TLS (OpenSSL in non-blocking mode, whose reads may need the socket writable and
// vice versa) can replace plain TCP without changing the loop. Invariant: never blocks.
#pragma once
#include <cstddef>
#include <memory>

#include "common/posix/unique_fd.hpp"

namespace drover::http {

using posix::UniqueFd;

enum class IoStatus {
    Ok,         // `bytes` were transferred (> 0)
    WantRead,   // nothing now; retry when the socket is readable
    WantWrite,  // nothing now; retry when the socket is writable
    Closed,     // the peer closed its side (read returned 0)
    Error,      // the connection is unusable
};

struct IoResult {
    IoStatus status = IoStatus::Error;
    std::size_t bytes = 0;
};

class Transport {
  public:
    virtual ~Transport() = default;
    virtual int fd() const = 0;
    virtual IoResult read(char* buffer, std::size_t size) = 0;
    virtual IoResult write(const char* data, std::size_t size) = 0;
    // Bytes already decrypted and waiting inside the transport (TLS records); the loop must read
    // them even though epoll will not report the socket readable again.
    virtual bool has_buffered_input() const { return false; }
    // False while a TLS handshake is in progress: the loop bounds it by the request timeout, not
    // the longer idle timeout.
    virtual bool established() const { return true; }
    // Stops sending (TCP FIN / TLS close_notify) while still reading: used for a lingering close
    // so a client still sending a body gets our error response rather than a reset.
    virtual void shutdown_write() = 0;
};

// Plain TCP on a non-blocking socket (TLS: tls_transport.hpp).
std::unique_ptr<Transport> make_tcp_transport(UniqueFd socket);

}  // namespace drover::http
