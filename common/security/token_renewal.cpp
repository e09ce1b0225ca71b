#include "common/security/token_renewal.hpp"

#include <algorithm>

namespace drover::security {
namespace {

// A token's times within [1970, 9999], so no difference or conversion to milliseconds overflows
// whatever a payload holds.
constexpr std::int64_t kLastSecond = 253402300799;  // 9999-12-31T23:59:59Z

std::int64_t bounded(std::int64_t unix_seconds) {
    return std::clamp<std::int64_t>(unix_seconds, 0, kLastSecond);
}

}  // namespace

std::int64_t renewal_margin_seconds(const TokenLifetime& life) {
    const std::int64_t span = bounded(life.expires_at) - bounded(life.issued_at);
    return std::min(std::max<std::int64_t>(60, span / 10), span / 2);
}

std::chrono::milliseconds until_renewal(const TokenLifetime& life,
                                        std::chrono::milliseconds server_now) {
    const std::chrono::seconds due{bounded(life.expires_at) - renewal_margin_seconds(life)};
    return due - server_now;
}

}  // namespace drover::security
