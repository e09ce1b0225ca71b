// Fingerprint syntax and the TLS environment variables (see tls_options.hpp).
#include "agent/client/tls_options.hpp"

#include <cctype>
#include <cstdlib>

namespace drover::client {

api::Expected<std::string, std::string> normalize_fingerprint(const std::string& text) {
    std::string digits;
    for (char c : text) {
        if (c == ':') continue;
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            return api::unexpected(
                "a server fingerprint is the certificate's SHA-256 in hex, "
                "got '" +
                text + "'");
        digits += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (digits.size() != 64)
        return api::unexpected("a server fingerprint is 64 hex digits (SHA-256), got " +
                               std::to_string(digits.size()) + " in '" + text + "'");
    std::string out;
    for (std::size_t i = 0; i < digits.size(); i += 2) {
        if (i) out += ':';
        out += digits.substr(i, 2);
    }
    return out;
}

void tls_options_from_env(ClientOptions& options) {
    if (const char* ca = std::getenv("RS_CA_CERT"); ca && options.ca_cert.empty())
        options.ca_cert = ca;
    if (const char* fp = std::getenv("RS_SERVER_FINGERPRINT");
        fp && options.server_fingerprint.empty())
        options.server_fingerprint = fp;
}

}  // namespace drover::client
