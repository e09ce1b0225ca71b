// How the client's httplib connections check droverd's certificate. With ClientOptions::ca_cert,
// OpenSSL verifies the chain against that file only (not the system store) and the endpoint's
// host name or IP address against the certificate, during the handshake. With
// ::server_fingerprint, the SHA-256 of the server certificate's DER must equal the pin; when it
// is the only setting, the chain is not checked at all (droverd's self-signed certificate needs
// no CA). With neither, any certificate is accepted and one warning per process goes to stderr.
// Whatever the settings, the fingerprint of the certificate each handshake saw is kept, so
// `drover agent install` can pin what it connected to. A refused certificate is an answer, not an
// outage: failure() says why, and callers report it instead of retrying. Keeps OpenSSL and
// httplib out of the header.
#pragma once
#include <memory>
#include <mutex>
#include <string>

#include "agent/client/api_client.hpp"
#include "common/api/expected.hpp"

namespace httplib {
class Client;
}
struct x509_store_ctx_st;  // OpenSSL's X509_STORE_CTX

namespace drover::client {

class TlsVerifier {
  public:
    // Configures `client` for `options.endpoint`. Null for an http:// endpoint (an error if TLS
    // settings were given for one). The verifier must outlive every request of the client; bad
    // settings (unreadable CA file, malformed fingerprint) are an error.
    static api::Expected<std::unique_ptr<TlsVerifier>, std::string> attach(
        const ClientOptions& options, httplib::Client& client);

    TlsVerifier(std::string pin, std::string ca_cert);

    // Why the last handshake was refused ("" when it was not refused by this verifier); clears.
    std::string take_failure();
    // The SHA-256 fingerprint ("AB:CD:...") of the server certificate the last handshake saw, or
    // "" before any.
    std::string seen_fingerprint();

    // The check itself, for OpenSSL's verify callback: OpenSSL's verdict for the chain so far in,
    // ours out (1 = accept).
    int check(int preverified, x509_store_ctx_st* store);

  private:
    void fail(std::string why);

    const std::string pin_;  // "AB:CD:...", or empty
    const std::string ca_cert_;
    std::mutex mutex_;
    std::string failure_;
    std::string seen_;
};

}  // namespace drover::client
