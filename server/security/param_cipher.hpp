// Secure param values sealed with AES-256-GCM (issue 7; the sealed form and what a value is bound
// to are common/security/secure_value). The 256-bit key lives in <data-dir>/security/params.key
// (mode 0600, created once with OpenSSL's CSPRNG on first start, never rewritten). Each seal uses
// a fresh random 96-bit nonce, authenticates the owner's associated data with the ciphertext and
// appends the 128-bit tag. The sealed form's Key is HMAC-SHA256(key, a fixed label): it names the
// key without revealing it, so a value sealed with another key is recognised as such.
//
// Invariants: open() checks the Key, the sizes and then the tag before any clear byte leaves it;
// clear texts and the key are wiped from memory after use. Random nonces bound one key to 2^32
// seals (NIST SP 800-38D), far beyond any fleet's param writes. There is no key rotation:
// deleting params.key makes every stored secure value unreadable (they must be set again).
#pragma once
#include <array>
#include <string>
#include <string_view>

#include "common/security/secure_value.hpp"

namespace drover::security {

class ParamCipher final : public ParamSecrets {
  public:
    static constexpr std::size_t kKeyBytes = 32;

    // Loads <security_dir>/params.key, creating it when missing. Errors: unreadable, not private,
    // not exactly kKeyBytes long.
    static api::Expected<ParamCipher, std::string> load(const std::string& security_dir);
    // A cipher over `key` (kKeyBytes bytes; tests and tools).
    static api::Expected<ParamCipher, std::string> from_key(std::string_view key);

    ParamCipher(const ParamCipher&) = delete;
    ParamCipher& operator=(const ParamCipher&) = delete;
    ParamCipher(ParamCipher&& other) noexcept;
    ParamCipher& operator=(ParamCipher&&) = delete;
    ~ParamCipher() override;

    api::Expected<model::Json, std::string> seal(const SecretOwner& owner,
                                                 const model::Json& clear) const override;
    api::Expected<model::Json, std::string> open(const SecretOwner& owner,
                                                 const model::Json& sealed) const override;

  private:
    explicit ParamCipher(std::string_view key);
    std::array<unsigned char, kKeyBytes> key_{};
    std::string key_id_;  // raw bytes of the sealed form's Key
};

}  // namespace drover::security
