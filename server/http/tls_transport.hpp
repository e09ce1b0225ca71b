// TLS over one accepted, non-blocking socket: an OpenSSL server connection whose handshake runs
// inside the first reads (SSL_set_accept_state), so the loop drives it like any other I/O:
// WantRead/WantWrite map to epoll interest, decrypted bytes held by OpenSSL are reported by
// has_buffered_input(), and established() tells the loop when the handshake is done (until then
// the request timeout bounds it). A client speaking plain HTTP to the port gets a short 400 and
// the connection ends. The socket is driven through send(MSG_NOSIGNAL)/recv, never write(2),
// so a vanished client is an error result and never a SIGPIPE.
#pragma once
#include <memory>

#include "server/http/transport.hpp"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX, built by server/security

namespace drover::http {

// Null when OpenSSL cannot allocate the connection (the caller drops the socket).
std::unique_ptr<Transport> make_tls_transport(UniqueFd socket, ssl_ctx_st* context);

}  // namespace drover::http
