// The client's TLS settings as the CLI and the agent take them: a CA file and a pinned
// certificate fingerprint (ClientOptions::ca_cert, ::server_fingerprint), from flags or from the
// RS_CA_CERT and RS_SERVER_FINGERPRINT environment variables, which tasks inherit from the agent.
#pragma once
#include <string>

#include "agent/client/api_client.hpp"
#include "common/api/expected.hpp"

namespace drover::client {

// A SHA-256 fingerprint written with or without colons, in any case ("ab:cd:..", "ABCD..") as
// "AB:CD:..." (what droverd logs); an error unless it is exactly 32 bytes of hex.
api::Expected<std::string, std::string> normalize_fingerprint(const std::string& text);

// Fills ca_cert from RS_CA_CERT and server_fingerprint from RS_SERVER_FINGERPRINT, each only
// when still empty: call it after flags are parsed, so flags win over the environment.
void tls_options_from_env(ClientOptions& options);

}  // namespace drover::client
