// Certificate checks on httplib's SSL_CTX (see tls_verify.hpp). httplib 0.11's own verification
// is left off: it would add the system CA store and has no fingerprint hook. Instead the context
// gets SSL_VERIFY_PEER with a callback that finds this verifier through the context's ex_data,
// so a refused certificate fails the handshake itself.
#include "agent/client/tls_verify.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstring>

#include "agent/client/tls_options.hpp"

namespace drover::client {
namespace {

int verifier_index() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

int verify_callback(int preverified, X509_STORE_CTX* store) {
    auto* ssl =
        static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto* verifier =
        ssl ? static_cast<TlsVerifier*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), verifier_index()))
            : nullptr;
    return verifier ? verifier->check(preverified, store) : preverified;
}

std::string sha256_fingerprint(const X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!cert || X509_digest(cert, EVP_sha256(), md, &len) != 1) return "(unreadable)";
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        if (i) out += ':';
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

// "https://host:port/..." -> host ("[::1]" -> "::1").
std::string endpoint_host(const std::string& endpoint) {
    std::string rest = endpoint.substr(endpoint.find("://") + 3);
    if (!rest.empty() && rest[0] == '[') return rest.substr(1, rest.find(']') - 1);
    return rest.substr(0, rest.find_first_of(":/"));
}

bool is_ip_address(const std::string& host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 ||
           inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

void warn_unverified_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        std::fputs(
            "drover: WARNING: not verifying the server's TLS certificate; pin it with "
            "--server-fingerprint or --ca-cert\n",
            stderr);
    });
}

std::string openssl_reason() {
    unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0) return "unknown error";
    if (ERR_SYSTEM_ERROR(e)) return std::strerror(ERR_GET_REASON(e));
    const char* reason = ERR_reason_error_string(e);
    return reason ? reason : "unknown error";
}

}  // namespace

TlsVerifier::TlsVerifier(std::string pin, std::string ca_cert)
    : pin_(std::move(pin)), ca_cert_(std::move(ca_cert)) {}

api::Expected<std::unique_ptr<TlsVerifier>, std::string> TlsVerifier::attach(
    const ClientOptions& options, httplib::Client& client) {
    bool wanted = !options.ca_cert.empty() || !options.server_fingerprint.empty();
    if (options.endpoint.rfind("https://", 0) != 0) {
        if (wanted)
            return api::unexpected(
                "a CA certificate or server fingerprint needs an https:// "
                "endpoint, not " +
                options.endpoint);
        return std::unique_ptr<TlsVerifier>();
    }
    client.enable_server_certificate_verification(false);  // see the file comment
    if (!wanted) warn_unverified_once();
    std::string pin;
    if (!options.server_fingerprint.empty()) {
        auto normal = normalize_fingerprint(options.server_fingerprint);
        if (!normal) return api::unexpected(normal.error());
        pin = normal.value();
    }
    SSL_CTX* ctx = client.ssl_context();
    if (!ctx) return api::unexpected(std::string("no TLS context for ") + options.endpoint);
    if (!options.ca_cert.empty()) {
        ERR_clear_error();
        if (X509_STORE_load_file(SSL_CTX_get_cert_store(ctx), options.ca_cert.c_str()) != 1)
            return api::unexpected("cannot load CA certificate " + options.ca_cert + ": " +
                                   openssl_reason());
        // The name check is part of chain verification: the endpoint's host must be in the
        // certificate (an IP address as an IP subjectAltName).
        X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
        std::string host = endpoint_host(options.endpoint);
        if (is_ip_address(host))
            X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
        else
            X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    }
    auto verifier = std::make_unique<TlsVerifier>(std::move(pin), options.ca_cert);
    SSL_CTX_set_ex_data(ctx, verifier_index(), verifier.get());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_callback);
    return verifier;
}

int TlsVerifier::check(int preverified, X509_STORE_CTX* store) {
    // The pin names the leaf, whatever the depth OpenSSL is asking about.
    std::string seen = sha256_fingerprint(X509_STORE_CTX_get0_cert(store));
    {
        std::lock_guard lock(mutex_);
        seen_ = seen;
    }
    if (pin_.empty() && ca_cert_.empty()) {
        X509_STORE_CTX_set_error(store, X509_V_OK);  // unverified: accepted, with the warning
        return 1;
    }
    if (!pin_.empty()) {
        if (seen != pin_) {
            fail("TLS certificate fingerprint mismatch: the server's certificate has SHA-256 " +
                 seen + ", the pinned fingerprint is " + pin_);
            return 0;
        }
        if (ca_cert_.empty()) {
            X509_STORE_CTX_set_error(store, X509_V_OK);  // the pin alone decides
            return 1;
        }
    }
    if (!preverified) {
        fail("the server's TLS certificate is not trusted with CA certificate " + ca_cert_ + ": " +
             X509_verify_cert_error_string(X509_STORE_CTX_get_error(store)));
        return 0;
    }
    return 1;
}

void TlsVerifier::fail(std::string why) {
    std::lock_guard lock(mutex_);
    failure_ = std::move(why);
}

std::string TlsVerifier::seen_fingerprint() {
    std::lock_guard lock(mutex_);
    return seen_;
}

std::string TlsVerifier::take_failure() {
    std::lock_guard lock(mutex_);
    return std::exchange(failure_, {});
}

}  // namespace drover::client
