// What a request presents as credentials (spec 6.1): `Authorization: Basic base64(user:pass)`,
// `Authorization: Bearer <token>`, or `?token=` for event streams from browsers, where a value
// containing ':' is user:pass (Basic) as in DRP. Pure parsing; checking them is the server's.
// Invariant: the Authorization header wins over ?token=; anything unparseable is an error, never
// "no credentials", so a garbled header cannot be mistaken for an anonymous request.
#pragma once
#include <string>
#include <variant>

#include "common/api/expected.hpp"

namespace drover::security {

struct NoCredentials {
    friend bool operator==(const NoCredentials&, const NoCredentials&) = default;
};
struct BasicCredentials {
    std::string user;
    std::string password;
    friend bool operator==(const BasicCredentials&, const BasicCredentials&) = default;
};
struct BearerCredentials {
    std::string token;
    friend bool operator==(const BearerCredentials&, const BearerCredentials&) = default;
};
using Credentials = std::variant<NoCredentials, BasicCredentials, BearerCredentials>;

// `authorization`: the header's value, `token_query`: the ?token= value; nullptr when absent.
// Errors are messages for the 401 body.
api::Expected<Credentials, std::string> parse_credentials(const std::string* authorization,
                                                          const std::string* token_query);

}  // namespace drover::security
