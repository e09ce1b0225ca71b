// Rate limiting of failed logins per source (issue 7): a token bucket per source address. Each
// failed password check takes one token; the bucket holds `burst` tokens and refills `burst`
// per `window`. A source with an empty bucket is refused without checking its password until a
// token is back, so guessing is capped at `burst` tries per window (10 per minute by default)
// while a user who mistypes a few times is never slowed.
// Invariants: pure (time passed in, steady clock); memory bounded by `max_sources` (when full,
// the least-failed source is forgotten first); a success does not refill (else an attacker with
// one valid account could reset its budget between guesses on another). Not thread-safe.
#pragma once
#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

namespace drover::security {

struct LoginThrottleOptions {
    double burst = 10;
    std::chrono::seconds window{60};
    std::size_t max_sources = 10000;
};

class LoginThrottle {
  public:
    using Clock = std::chrono::steady_clock;

    explicit LoginThrottle(LoginThrottleOptions options = {});

    // How long `source` must wait before a password of its is checked again; zero: check now.
    std::chrono::seconds retry_after(const std::string& source, Clock::time_point now) const;
    void record_failure(const std::string& source, Clock::time_point now);

    std::size_t tracked_sources() const { return buckets_.size(); }

  private:
    struct Bucket {
        double tokens = 0;
        Clock::time_point updated;
    };
    double tokens_at(const Bucket& b, Clock::time_point now) const;
    void make_room(Clock::time_point now);

    LoginThrottleOptions options_;
    double per_second_;
    std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace drover::security
