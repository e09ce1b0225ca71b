// Builds the server SSL_CTX (see tls_context.hpp).
#include "server/security/tls_context.hpp"

#include "server/security/openssl_handles.hpp"

namespace drover::security {
namespace {

// TLS 1.2 suites: Mozilla's "intermediate" list (ECDHE key exchange, AEAD ciphers only). TLS 1.3
// suites are OpenSSL's defaults, which are all AEAD.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

api::Unexpected<std::string> failure(const std::string& what) {
    return api::unexpected(what + ": " + take_openssl_error());
}

}  // namespace

api::Expected<ServerTls, std::string> load_server_tls(const std::string& cert_file,
                                                      const std::string& key_file) {
    ERR_clear_error();
    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) return failure("cannot create a TLS context");
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    // A client without close_notify is an ordinary close, not an error worth a log line.
    SSL_CTX_set_options(
        ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
    if (SSL_CTX_set_cipher_list(ctx.get(), kTls12Ciphers) != 1)
        return failure("cannot set the TLS 1.2 cipher list");
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), cert_file.c_str()) != 1)
        return failure("cannot load TLS certificate " + cert_file);
    // Also checks that the key belongs to the certificate ("key values mismatch").
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), key_file.c_str(), SSL_FILETYPE_PEM) != 1)
        return failure("cannot load TLS key " + key_file + " for certificate " + cert_file);
    ServerTls out;
    out.fingerprint = sha256_fingerprint(SSL_CTX_get0_certificate(ctx.get()));
    out.context = std::shared_ptr<ssl_ctx_st>(ctx.release(), SSL_CTX_free);
    return out;
}

}  // namespace drover::security
