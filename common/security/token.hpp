// Signed bearer tokens, the format (issue 7): a token is
//     base64url(JSON payload) "." base64url(MAC over the first part)
// with the payload {"v":1, "sub":"user:<name>"|"machine:<uuid>", "iat", "exp", "gen", "claims"}.
// The MAC (HMAC-SHA256 with the server's key) and its constant-time check live in
// server/security/token_signer; this file is the pure part: encoding, strict decoding and the
// lifetime check with the time passed in.
//
// `gen` is the subject's credential generation when the token was issued (a keyed digest of the
// user's password hash and roles, or of the machine's Secret): the verifier compares it with
// the subject's current one, so changing a password, roles or Secret revokes every token issued
// before. Clock skew: a token is accepted until kClockSkewSeconds after `exp`, and refused when
// issued more than kClockSkewSeconds in the future (servers' clocks disagree a little).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/api/expected.hpp"
#include "common/security/claims.hpp"

namespace drover::security {

inline constexpr std::int64_t kClockSkewSeconds = 60;
// Longer texts are refused unread (a token with every claim drover issues is well under 2 KiB).
inline constexpr std::size_t kMaxTokenLength = 8192;

struct TokenPayload {
    Subject subject;
    std::int64_t issued_at = 0;   // Unix seconds
    std::int64_t expires_at = 0;  // Unix seconds
    std::string generation;
    std::vector<Claim> claims;
};

enum class TokenError { Malformed, BadSignature, Expired, NotYetValid, Revoked };

// One line for logs and the 401 body ("token expired").
std::string_view describe(TokenError error);

// The signed part: base64url of the payload's JSON.
std::string encode_payload(const TokenPayload& payload);

struct TokenParts {
    std::string_view signed_part;  // what the MAC covers (a view into the token)
    std::string mac;               // decoded
};

// Splits "<payload>.<mac>"; Malformed unless both parts are canonical base64url and the token
// is at most kMaxTokenLength characters.
api::Expected<TokenParts, TokenError> split_token(std::string_view token);

// "<signed_part>.<base64url(mac)>".
std::string join_token(std::string_view signed_part, std::string_view mac);

// The payload of a signed part (after its MAC was checked); Malformed unless it is exactly the
// JSON encode_payload writes (version 1, every field, the right types, a valid subject).
api::Expected<TokenPayload, TokenError> decode_payload(std::string_view signed_part);

// A token's issue and expiry times as its holder reads them, without the key (a client deciding
// when to renew it); nullopt for anything that is not a drover token.
struct TokenLifetime {
    std::int64_t issued_at = 0;
    std::int64_t expires_at = 0;
};
std::optional<TokenLifetime> token_lifetime(std::string_view token);

// Expired / NotYetValid at `now` (Unix seconds), with kClockSkewSeconds of tolerance.
std::optional<TokenError> check_lifetime(const TokenPayload& payload, std::int64_t now);

}  // namespace drover::security
