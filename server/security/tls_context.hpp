// droverd's TLS server settings: one OpenSSL server context, shared by every connection, built
// from a PEM certificate chain and its private key. TLS 1.2 is the floor and 1.3 is what modern
// clients negotiate; TLS 1.2 is limited to forward-secret AEAD suites (ECDHE with AES-GCM or
// ChaCha20-Poly1305); renegotiation and compression are off. The header stays free of OpenSSL:
// the context travels as the opaque `ssl_ctx_st` that server/http's TLS transport consumes.
#pragma once
#include <memory>
#include <string>

#include "common/api/expected.hpp"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace drover::security {

struct ServerTls {
    std::shared_ptr<ssl_ctx_st> context;
    std::string fingerprint;  // SHA-256 of the certificate's DER, "AB:CD:..." (32 pairs)
};

// Loads and checks the pair; the error names the file and OpenSSL's reason (missing file, not
// PEM, key does not match the certificate).
api::Expected<ServerTls, std::string> load_server_tls(const std::string& cert_file,
                                                      const std::string& key_file);

}  // namespace drover::security
