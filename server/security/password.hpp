// Password hashing (issue 7): scrypt (RFC 7914, OpenSSL's EVP_PBE_scrypt), memory-hard so that
// a stolen hash is expensive to attack with GPUs. Stored as
//     scrypt$<N>$<r>$<p>$<base64url salt>$<base64url hash>
// with a fresh 16-byte salt and a 32-byte hash. Default cost N=2^15, r=8, p=1: 32 MiB and about
// 70 ms per hash on the shared 2-core build machine (68-108 ms, measured by the "scrypt cost"
// server test). Every password login pays it, so clients log in once and then use tokens.
// Invariants: verification recomputes the hash with the stored parameters and compares in
// constant time; parameters beyond the kMaxScrypt bounds are refused rather than computed (a stored
// hash can never make a login cost more than the bound); clear passwords are never stored or
// logged.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "common/api/expected.hpp"

namespace drover::security {

struct ScryptCost {
    std::uint64_t n = std::uint64_t{1} << 15;  // CPU/memory cost, a power of two
    std::uint64_t r = 8;                       // block size
    std::uint64_t p = 1;                       // parallelism
};

// Upper bounds verify_password accepts: N <= 2^20, r <= 32, p <= 16, and 128*N*r <= 256 MiB.
inline constexpr std::uint64_t kMaxScryptN = std::uint64_t{1} << 20;
inline constexpr std::uint64_t kMaxScryptR = 32;
inline constexpr std::uint64_t kMaxScryptP = 16;
inline constexpr std::uint64_t kMaxScryptMemory = std::uint64_t{256} << 20;

// Passwords are 1 to kMaxPasswordBytes bytes.
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// The encoded hash of `password` with a fresh salt. Errors: bad password length, parameters
// outside the bounds, OpenSSL failures (out of memory).
api::Expected<std::string, std::string> hash_password(std::string_view password,
                                                      const ScryptCost& cost = {});

// True when `password` matches `encoded`; false for a mismatch and for anything malformed.
bool verify_password(std::string_view password, std::string_view encoded);

// A random password for the first admin: 24 characters of base64url (144 bits).
std::string random_password();

}  // namespace drover::security
