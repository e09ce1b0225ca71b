// Rate limiting of failed logins per source (issue 7): a token bucket per source address. Every
// password check takes one token before it runs and gets it back if the password was right, so
// only failures cost; the bucket holds `burst` tokens and refills `burst` per `window`. A source
// with an empty bucket is refused without its password being checked until a token is back, so
// guessing is capped at `burst` tries per window (10 per minute by default), concurrent guesses
// included (the token is taken before the slow check, under the caller's lock), while a user who
// mistypes a few times is never slowed.
// Invariants: pure (time passed in, steady clock); memory bounded by `max_sources` (when full,
// sources whose bucket is full go first, then the least failed); a refund only returns the
// token its attempt took, so successes cannot buy an attacker extra guesses. Not thread-safe.
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

    // Takes a token for one password check by `source`: zero when taken (check the password),
    // else how long until one is back (refuse without checking).
    std::chrono::seconds acquire(const std::string& source, Clock::time_point now);
    // Gives back the token of a check that succeeded.
    void refund(const std::string& source, Clock::time_point now);

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
