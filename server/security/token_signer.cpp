#include "server/security/token_signer.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>
#include <stdexcept>

#include "common/security/base64.hpp"
#include "server/security/key_file.hpp"
#include "server/security/private_file.hpp"

namespace drover::security {

namespace {

constexpr std::string_view kTokenDomain = "drover-token-v1";
constexpr std::string_view kGenerationDomain = "drover-generation-v1";
constexpr std::size_t kGenerationBytes = 16;

}  // namespace

api::Expected<TokenSigner, std::string> TokenSigner::open(const std::string& security_dir) {
    if (auto err = ensure_private_dir(security_dir)) return api::unexpected(*err);
    std::string path = security_dir + "/token.key";
    auto key = read_or_create_key(path, kKeyBytes);
    if (!key) return api::unexpected(key.error());
    auto signer = from_key(*key);
    OPENSSL_cleanse(key->data(), key->size());
    if (!signer) return api::unexpected(path + ": " + signer.error());
    return signer;
}

api::Expected<TokenSigner, std::string> TokenSigner::from_key(std::string_view key) {
    if (key.size() != kKeyBytes)
        return api::unexpected("a token key is " + std::to_string(kKeyBytes) + " bytes, not " +
                               std::to_string(key.size()));
    return TokenSigner(key);
}

TokenSigner::TokenSigner(std::string_view key) {
    std::memcpy(key_.data(), key.data(), kKeyBytes);
}

TokenSigner::TokenSigner(TokenSigner&& other) noexcept : key_(other.key_) {
    OPENSSL_cleanse(other.key_.data(), other.key_.size());
}

TokenSigner::~TokenSigner() {
    OPENSSL_cleanse(key_.data(), key_.size());
}

// HMAC-SHA256(key, domain || 0x00 || data). HMAC() fails only when out of memory.
std::string TokenSigner::mac(std::string_view domain, std::string_view data) const {
    std::string input;
    input.reserve(domain.size() + 1 + data.size());
    input.append(domain).push_back('\0');
    input.append(data);
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
              reinterpret_cast<const unsigned char*>(input.data()), input.size(), out, &len))
        throw std::runtime_error("HMAC-SHA256 failed");
    return std::string(reinterpret_cast<const char*>(out), len);
}

std::string TokenSigner::sign(const TokenPayload& payload) const {
    std::string signed_part = encode_payload(payload);
    return join_token(signed_part, mac(kTokenDomain, signed_part));
}

api::Expected<TokenPayload, TokenError> TokenSigner::verify(std::string_view token,
                                                            std::int64_t now,
                                                            const GenerationLookup& current) const {
    auto parts = split_token(token);
    if (!parts) return api::unexpected(parts.error());
    std::string expected = mac(kTokenDomain, parts->signed_part);
    if (parts->mac.size() != expected.size() ||
        CRYPTO_memcmp(parts->mac.data(), expected.data(), expected.size()) != 0)
        return api::unexpected(TokenError::BadSignature);
    auto payload = decode_payload(parts->signed_part);
    if (!payload) return payload;
    if (auto bad = check_lifetime(*payload, now)) return api::unexpected(*bad);
    std::optional<std::string> generation = current(payload->subject);
    if (!generation || generation->size() != payload->generation.size() ||
        CRYPTO_memcmp(generation->data(), payload->generation.data(), generation->size()) != 0)
        return api::unexpected(TokenError::Revoked);
    return payload;
}

std::string TokenSigner::generation(std::string_view credential_state) const {
    return base64url_encode(mac(kGenerationDomain, credential_state).substr(0, kGenerationBytes));
}

}  // namespace drover::security
