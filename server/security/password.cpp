#include "server/security/password.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <optional>
#include <stdexcept>
#include <vector>

#include "common/security/base64.hpp"

namespace drover::security {

namespace {

constexpr std::string_view kScheme = "scrypt";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

struct Encoded {
    ScryptCost cost;
    std::string salt;
    std::string hash;
};

bool within_bounds(const ScryptCost& c) {
    bool power_of_two = c.n >= 2 && (c.n & (c.n - 1)) == 0;
    return power_of_two && c.n <= kMaxScryptN && c.r >= 1 && c.r <= kMaxScryptR && c.p >= 1 &&
           c.p <= kMaxScryptP && 128 * c.n * c.r <= kMaxScryptMemory;
}

std::optional<std::uint64_t> number(std::string_view s) {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty() || s[0] == '0')
        return std::nullopt;
    return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    while (true) {
        auto at = s.find(sep);
        out.push_back(s.substr(0, at));
        if (at == std::string_view::npos) return out;
        s.remove_prefix(at + 1);
    }
}

std::optional<Encoded> parse(std::string_view text) {
    auto parts = split(text, '$');
    if (parts.size() != 6 || parts[0] != kScheme) return std::nullopt;
    auto n = number(parts[1]), r = number(parts[2]), p = number(parts[3]);
    auto salt = base64url_decode(parts[4]), hash = base64url_decode(parts[5]);
    if (!n || !r || !p || !salt || !hash || salt->empty() || hash->size() != kHashBytes)
        return std::nullopt;
    Encoded e{{*n, *r, *p}, std::move(*salt), std::move(*hash)};
    if (!within_bounds(e.cost)) return std::nullopt;
    return e;
}

// scrypt(password, salt) with `cost`; nullopt when OpenSSL fails (out of memory).
std::optional<std::string> derive(std::string_view password, std::string_view salt,
                                  const ScryptCost& cost) {
    // OpenSSL refuses above `maxmem` (default 32 MiB, just below what N=2^15, r=8 needs).
    std::uint64_t maxmem = 128 * cost.r * (cost.n + cost.p + 2) + (std::uint64_t{1} << 20);
    std::string out(kHashBytes, '\0');
    if (EVP_PBE_scrypt(password.data(), password.size(),
                       reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), cost.n,
                       cost.r, cost.p, maxmem, reinterpret_cast<unsigned char*>(out.data()),
                       out.size()) != 1)
        return std::nullopt;
    return out;
}

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return out;
}

}  // namespace

api::Expected<std::string, std::string> hash_password(std::string_view password,
                                                      const ScryptCost& cost) {
    if (password.empty() || password.size() > kMaxPasswordBytes)
        return api::unexpected("a password is 1 to " + std::to_string(kMaxPasswordBytes) +
                               " bytes");
    if (!within_bounds(cost)) return api::unexpected(std::string("scrypt cost out of bounds"));
    std::string salt = random_bytes(kSaltBytes);
    auto hash = derive(password, salt, cost);
    if (!hash) return api::unexpected(std::string("scrypt failed (out of memory?)"));
    std::string out = std::string(kScheme) + "$" + std::to_string(cost.n) + "$" +
                      std::to_string(cost.r) + "$" + std::to_string(cost.p) + "$" +
                      base64url_encode(salt) + "$" + base64url_encode(*hash);
    OPENSSL_cleanse(hash->data(), hash->size());
    return out;
}

bool verify_password(std::string_view password, std::string_view encoded) {
    if (password.empty() || password.size() > kMaxPasswordBytes) return false;
    auto stored = parse(encoded);
    if (!stored) return false;
    auto hash = derive(password, stored->salt, stored->cost);
    if (!hash) return false;
    bool same = CRYPTO_memcmp(hash->data(), stored->hash.data(), kHashBytes) == 0;
    OPENSSL_cleanse(hash->data(), hash->size());
    return same;
}

std::string random_password() {
    return base64url_encode(random_bytes(18));
}

}  // namespace drover::security
