#include "common/security/login_throttle.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace drover::security {

LoginThrottle::LoginThrottle(LoginThrottleOptions options)
    : options_(options),
      per_second_(options.burst /
                  static_cast<double>(std::max<std::int64_t>(1, options.window.count()))) {}

double LoginThrottle::tokens_at(const Bucket& b, Clock::time_point now) const {
    double elapsed = std::chrono::duration<double>(now - b.updated).count();
    return std::min(options_.burst, b.tokens + std::max(0.0, elapsed) * per_second_);
}

std::chrono::seconds LoginThrottle::retry_after(const std::string& source,
                                                Clock::time_point now) const {
    auto it = buckets_.find(source);
    if (it == buckets_.end()) return std::chrono::seconds(0);
    // The epsilon keeps float rounding from costing a whole second (6.0000001 s -> 7 s).
    constexpr double kEpsilon = 1e-9;
    double missing = 1 - tokens_at(it->second, now);
    if (missing <= kEpsilon) return std::chrono::seconds(0);
    return std::chrono::seconds(
        static_cast<std::int64_t>(std::ceil(missing / per_second_ - kEpsilon)));
}

void LoginThrottle::record_failure(const std::string& source, Clock::time_point now) {
    auto it = buckets_.find(source);
    if (it == buckets_.end()) {
        make_room(now);
        it = buckets_.emplace(source, Bucket{options_.burst, now}).first;
    }
    Bucket& b = it->second;
    b.tokens = std::max(0.0, tokens_at(b, now) - 1);
    b.updated = now;
}

// Forgets sources whose bucket has refilled; if none has, the one with the most tokens left.
void LoginThrottle::make_room(Clock::time_point now) {
    if (buckets_.size() < options_.max_sources) return;
    std::erase_if(buckets_, [&](const auto& entry) {
        return tokens_at(entry.second, now) >= options_.burst;
    });
    if (buckets_.size() < options_.max_sources || buckets_.empty()) return;
    auto most =
        std::max_element(buckets_.begin(), buckets_.end(), [&](const auto& a, const auto& b) {
            return tokens_at(a.second, now) < tokens_at(b.second, now);
        });
    buckets_.erase(most);
}

}  // namespace drover::security
