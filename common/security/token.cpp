#include "common/security/token.hpp"

#include "common/security/base64.hpp"

namespace drover::security {

namespace {

using model::Json;
constexpr int kVersion = 1;

api::Unexpected<TokenError> malformed() {
    return api::unexpected(TokenError::Malformed);
}

bool is_string(const Json& doc, const char* key) {
    auto it = doc.find(key);
    return it != doc.end() && it->is_string();
}

bool is_integer(const Json& doc, const char* key) {
    auto it = doc.find(key);
    return it != doc.end() && it->is_number_integer();
}

std::optional<std::vector<Claim>> claims_of(const Json& list) {
    if (!list.is_array()) return std::nullopt;
    std::vector<Claim> out;
    for (const auto& c : list) {
        if (!c.is_object() || c.size() != 3 || !is_string(c, "scope") || !is_string(c, "action") ||
            !is_string(c, "specific"))
            return std::nullopt;
        Claim claim;
        claim.scope = c["scope"].get<std::string>();
        claim.action = c["action"].get<std::string>();
        claim.specific = c["specific"].get<std::string>();
        out.push_back(std::move(claim));
    }
    return out;
}

}  // namespace

std::string_view describe(TokenError error) {
    switch (error) {
        case TokenError::Malformed:
            return "malformed token";
        case TokenError::BadSignature:
            return "token signature does not verify";
        case TokenError::Expired:
            return "token expired";
        case TokenError::NotYetValid:
            return "token issued in the future";
        case TokenError::Revoked:
            return "token revoked";
    }
    return "invalid token";
}

std::string encode_payload(const TokenPayload& p) {
    Json claims = Json::array();
    for (const auto& c : p.claims)
        claims.push_back({{"scope", c.scope}, {"action", c.action}, {"specific", c.specific}});
    Json doc = {{"v", kVersion},       {"sub", p.subject.id()}, {"iat", p.issued_at},
                {"exp", p.expires_at}, {"gen", p.generation},   {"claims", std::move(claims)}};
    return base64url_encode(doc.dump());
}

api::Expected<TokenParts, TokenError> split_token(std::string_view token) {
    if (token.size() > kMaxTokenLength) return malformed();
    auto dot = token.find('.');
    if (dot == std::string_view::npos || dot == 0) return malformed();
    std::string_view signed_part = token.substr(0, dot);
    auto mac = base64url_decode(token.substr(dot + 1));
    if (!mac || mac->empty() || !base64url_decode(signed_part)) return malformed();
    return TokenParts{signed_part, std::move(*mac)};
}

std::string join_token(std::string_view signed_part, std::string_view mac) {
    return std::string(signed_part) + "." + base64url_encode(mac);
}

api::Expected<TokenPayload, TokenError> decode_payload(std::string_view signed_part) {
    auto text = base64url_decode(signed_part);
    if (!text) return malformed();
    Json doc = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object() || doc.size() != 6 || !is_integer(doc, "v") || doc["v"] != kVersion ||
        !is_string(doc, "sub") || !is_integer(doc, "iat") || !is_integer(doc, "exp") ||
        !is_string(doc, "gen") || !doc.contains("claims"))
        return malformed();
    auto subject = parse_subject(doc["sub"].get<std::string>());
    auto claims = claims_of(doc["claims"]);
    if (!subject || !claims) return malformed();
    TokenPayload p;
    p.subject = std::move(*subject);
    p.issued_at = doc["iat"].get<std::int64_t>();
    p.expires_at = doc["exp"].get<std::int64_t>();
    p.generation = doc["gen"].get<std::string>();
    p.claims = std::move(*claims);
    if (p.expires_at < p.issued_at) return malformed();
    return p;
}

std::optional<TokenError> check_lifetime(const TokenPayload& p, std::int64_t now) {
    // Written so that no sum can overflow, whatever times a payload holds.
    if (p.issued_at - kClockSkewSeconds > now) return TokenError::NotYetValid;
    if (now - kClockSkewSeconds > p.expires_at) return TokenError::Expired;
    return std::nullopt;
}

std::optional<TokenLifetime> token_lifetime(std::string_view token) {
    auto parts = split_token(token);
    if (!parts) return std::nullopt;
    auto payload = decode_payload(parts->signed_part);
    if (!payload) return std::nullopt;
    return TokenLifetime{payload->issued_at, payload->expires_at};
}

}  // namespace drover::security
