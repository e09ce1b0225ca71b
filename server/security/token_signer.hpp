// The signing half of drover's tokens (issue 7; the format is common/security/token): HMAC-SHA256
// with a 256-bit server key kept in <data-dir>/security/token.key (mode 0600, created with
// OpenSSL's CSPRNG on first start, never rewritten: deleting it revokes every token at once).
// Invariants: MACs are compared in constant time (CRYPTO_memcmp); verify() checks, in order,
// the MAC, the payload, the lifetime (60 s skew, see token.hpp) and the subject's current
// credential generation, so a caller cannot accept a token without the revocation check. The key
// is wiped from memory when the signer goes away. Token MACs and generations are computed over
// different domain-separation prefixes, so neither can stand in for the other.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/api/expected.hpp"
#include "common/security/token.hpp"

namespace drover::security {

class TokenSigner {
  public:
    static constexpr std::size_t kKeyBytes = 32;

    // Loads <security_dir>/token.key, creating it when missing. Errors: unreadable, not private
    // (group or others may access it), not exactly kKeyBytes long.
    static api::Expected<TokenSigner, std::string> open(const std::string& security_dir);
    // A signer over `key` (kKeyBytes bytes; tests and tools).
    static api::Expected<TokenSigner, std::string> from_key(std::string_view key);

    TokenSigner(const TokenSigner&) = delete;
    TokenSigner& operator=(const TokenSigner&) = delete;
    TokenSigner(TokenSigner&& other) noexcept;
    TokenSigner& operator=(TokenSigner&&) = delete;
    ~TokenSigner();

    std::string sign(const TokenPayload& payload) const;

    // The subject's current generation (generation() of its credential state), nullopt when the
    // subject no longer exists.
    using GenerationLookup = std::function<std::optional<std::string>(const Subject&)>;
    api::Expected<TokenPayload, TokenError> verify(std::string_view token, std::int64_t now,
                                                   const GenerationLookup& current) const;

    // A keyed digest of a subject's credential state (password hash and roles, or a machine's
    // Secret): what tokens carry as `gen`. Reveals nothing about the state without the key.
    std::string generation(std::string_view credential_state) const;

  private:
    explicit TokenSigner(std::string_view key);
    std::string mac(std::string_view domain, std::string_view data) const;
    std::array<unsigned char, kKeyBytes> key_{};
};

}  // namespace drover::security
