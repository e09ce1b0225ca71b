#include "common/security/credentials.hpp"

#include <cctype>
#include <string_view>

#include "common/security/base64.hpp"

namespace drover::security {

namespace {

using Result = api::Expected<Credentials, std::string>;

api::Unexpected<std::string> bad(std::string message) {
    return api::unexpected(std::move(message));
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// "user:pass"; the password may itself contain ':'.
Result user_pass(std::string_view text) {
    auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0)
        return bad("Basic credentials must be user:password");
    return Credentials{
        BasicCredentials{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))}};
}

Result from_header(std::string_view value) {
    value = trim(value);
    auto space = value.find(' ');
    std::string_view scheme = value.substr(0, space);
    std::string_view rest = space == std::string_view::npos ? "" : trim(value.substr(space + 1));
    if (iequals(scheme, "Basic")) {
        auto decoded = base64_decode(rest);
        if (!decoded) return bad("Basic credentials are not valid base64");
        return user_pass(*decoded);
    }
    if (iequals(scheme, "Bearer")) {
        if (rest.empty()) return bad("Bearer credentials need a token");
        return Credentials{BearerCredentials{std::string(rest)}};
    }
    return bad("Unsupported authorization scheme");
}

}  // namespace

Result parse_credentials(const std::string* authorization, const std::string* token_query) {
    if (authorization) return from_header(*authorization);
    if (!token_query) return Credentials{NoCredentials{}};
    if (token_query->empty()) return bad("Empty token");
    if (token_query->find(':') != std::string::npos) return user_pass(*token_query);
    return Credentials{BearerCredentials{*token_query}};
}

}  // namespace drover::security
