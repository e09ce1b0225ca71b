#include "server/objects/random_ids.hpp"

#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <stdexcept>

namespace drover::objects {

namespace {

// Secrets guard tokens, so ids come from OpenSSL's CSPRNG, never from a seeded PRNG.
template <std::size_t N>
std::array<unsigned char, N> random_bytes() {
    std::array<unsigned char, N> b{};
    if (RAND_bytes(b.data(), static_cast<int>(N)) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return b;
}

}  // namespace

std::string random_uuid() {
    auto b = random_bytes<16>();
    b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
    b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
    char out[37];
    std::snprintf(out, sizeof out,
                  "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                  b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                  b[14], b[15]);
    return out;
}

std::string random_secret() {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    auto b = random_bytes<16>();
    std::string s(16, ' ');
    for (std::size_t i = 0; i < s.size(); ++i)
        s[i] = kAlphabet[b[i] % (sizeof kAlphabet - 1)];
    return s;
}

}  // namespace drover::objects
