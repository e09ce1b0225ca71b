#include "common/security/login_throttle.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace drover::security {

namespace {

// Keeps float rounding from costing a whole second (6.0000001 s -> 7 s) or a token.
constexpr double kEpsilon = 1e-9;

}  // namespace

LoginThrottle::LoginThrottle(LoginThrottleOptions options)
    : options_(options),
      per_second_(options.burst /
                  static_cast<double>(std::max<std::int64_t>(1, options.window.count()))) {}

double LoginThrottle::tokens_at(const Bucket& b, Clock::time_point now) const {
    double elapsed = std::chrono::duration<double>(now - b.updated).count();
    return std::min(options_.burst, b.tokens + std::max(0.0, elapsed) * per_second_);
}

std::chrono::seconds LoginThrottle::acquire(const std::string& source, Clock::time_point now) {
    auto it = buckets_.find(source);
    if (it == buckets_.end()) {
        make_room(now);
        it = buckets_.emplace(source, Bucket{options_.burst, now}).first;
    }
    Bucket& b = it->second;
    double tokens = tokens_at(b, now);
    double missing = 1 - tokens;
    if (missing > kEpsilon)
        return std::chrono::seconds(
            static_cast<std::int64_t>(std::ceil(missing / per_second_ - kEpsilon)));
    b.tokens = std::max(0.0, tokens - 1);
    b.updated = now;
    return std::chrono::seconds(0);
}

void LoginThrottle::refund(const std::string& source, Clock::time_point now) {
    auto it = buckets_.find(source);
    if (it == buckets_.end()) return;
    Bucket& b = it->second;
    b.tokens = std::min(options_.burst, tokens_at(b, now) + 1);
    b.updated = now;
}

// Forgets sources whose bucket is full; if none is, the one with the most tokens left.
void LoginThrottle::make_room(Clock::time_point now) {
    if (buckets_.size() < options_.max_sources) return;
    std::erase_if(buckets_, [&](const auto& entry) {
        return tokens_at(entry.second, now) >= options_.burst - kEpsilon;
    });
    if (buckets_.size() < options_.max_sources || buckets_.empty()) return;
    auto most =
        std::max_element(buckets_.begin(), buckets_.end(), [&](const auto& a, const auto& b) {
            return tokens_at(a.second, now) < tokens_at(b.second, now);
        });
    buckets_.erase(most);
}

}  // namespace drover::security
