#include "server/security/param_cipher.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <climits>
#include <cstring>
#include <memory>

#include "server/security/key_file.hpp"
#include "server/security/private_file.hpp"

namespace drover::security {

namespace {

constexpr std::string_view kKeyIdLabel = "drover-param-key-id-v1";
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

struct CipherCtxFree {
    void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* bytes(std::string& s) {
    return reinterpret_cast<unsigned char*>(s.data());
}

// A string whose contents are wiped when it goes away (clear texts).
struct Wiped {
    std::string text;
    ~Wiped() { OPENSSL_cleanse(text.data(), text.size()); }
};

}  // namespace

api::Expected<ParamCipher, std::string> ParamCipher::load(const std::string& security_dir) {
    if (auto err = ensure_private_dir(security_dir)) return api::unexpected(*err);
    std::string path = security_dir + "/params.key";
    auto key = read_or_create_key(path, kKeyBytes);
    if (!key) return api::unexpected(key.error());
    auto cipher = from_key(*key);
    OPENSSL_cleanse(key->data(), key->size());
    if (!cipher) return api::unexpected(path + ": " + cipher.error());
    return cipher;
}

api::Expected<ParamCipher, std::string> ParamCipher::from_key(std::string_view key) {
    if (key.size() != kKeyBytes)
        return api::unexpected("a param key is " + std::to_string(kKeyBytes) + " bytes, not " +
                               std::to_string(key.size()));
    ParamCipher cipher(key);
    if (cipher.key_id_.empty()) return api::unexpected(std::string("HMAC-SHA256 failed"));
    return cipher;
}

ParamCipher::ParamCipher(std::string_view key) {
    std::memcpy(key_.data(), key.data(), kKeyBytes);
    unsigned char id[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), bytes(kKeyIdLabel),
             kKeyIdLabel.size(), id, &len))
        key_id_.assign(reinterpret_cast<const char*>(id), len);
}

ParamCipher::ParamCipher(ParamCipher&& other) noexcept
    : key_(other.key_), key_id_(std::move(other.key_id_)) {
    OPENSSL_cleanse(other.key_.data(), other.key_.size());
}

ParamCipher::~ParamCipher() {
    OPENSSL_cleanse(key_.data(), key_.size());
}

api::Expected<model::Json, std::string> ParamCipher::seal(const SecretOwner& owner,
                                                          const model::Json& clear) const {
    Wiped plain{clear.dump()};
    const std::string aad = associated_data(owner);
    if (plain.text.size() > INT_MAX / 2 || aad.size() > INT_MAX / 2)
        return api::unexpected(std::string("value too large to seal"));
    SecureData out;
    out.key = key_id_;
    out.nonce.assign(kNonceBytes, '\0');
    out.payload.assign(plain.text.size() + kTagBytes, '\0');
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    int len = 0, final_len = 0;
    bool ok = ctx && RAND_bytes(bytes(out.nonce), kNonceBytes) == 1 &&
              EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(),
                                 bytes(out.nonce)) == 1 &&
              EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad),
                                static_cast<int>(aad.size())) == 1 &&
              EVP_EncryptUpdate(ctx.get(), bytes(out.payload), &len, bytes(plain.text),
                                static_cast<int>(plain.text.size())) == 1 &&
              EVP_EncryptFinal_ex(ctx.get(), bytes(out.payload) + len, &final_len) == 1 &&
              static_cast<std::size_t>(len + final_len) == plain.text.size() &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                                  bytes(out.payload) + plain.text.size()) == 1;
    if (!ok) return api::unexpected(std::string("AES-256-GCM sealing failed"));
    return to_json(out);
}

api::Expected<model::Json, std::string> ParamCipher::open(const SecretOwner& owner,
                                                          const model::Json& sealed) const {
    auto data = parse_sealed(sealed);
    if (!data) return api::unexpected(std::string("is not a well-formed sealed value"));
    if (data->key != key_id_)
        return api::unexpected(std::string("was sealed with another server's key"));
    if (data->nonce.size() != kNonceBytes || data->payload.size() < kTagBytes ||
        data->payload.size() > INT_MAX / 2)
        return api::unexpected(std::string("is not a well-formed sealed value"));
    const std::string aad = associated_data(owner);
    const std::size_t text_bytes = data->payload.size() - kTagBytes;
    Wiped plain{std::string(text_bytes, '\0')};
    std::string tag = data->payload.substr(text_bytes);
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    int len = 0, final_len = 0;
    bool ok = ctx &&
              EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(),
                                 bytes(data->nonce)) == 1 &&
              EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad),
                                static_cast<int>(aad.size())) == 1 &&
              EVP_DecryptUpdate(ctx.get(), bytes(plain.text), &len, bytes(data->payload),
                                static_cast<int>(text_bytes)) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
              EVP_DecryptFinal_ex(ctx.get(), bytes(plain.text) + len, &final_len) == 1;
    if (!ok)
        return api::unexpected(
            std::string("does not decrypt: altered, or sealed for another object or param"));
    auto value = model::Json::parse(plain.text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) return api::unexpected(std::string("does not hold JSON"));
    return value;
}

}  // namespace drover::security
