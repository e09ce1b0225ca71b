// Failed-login rate limiting (issue 7) with the time passed in: 10 failures per minute per
// source, then refused for the time one failure's token takes to come back.
#include <catch2/catch.hpp>

#include "common/security/login_throttle.hpp"

using namespace drover::security;
using namespace std::chrono_literals;

namespace {
const LoginThrottle::Clock::time_point t0{};
}

TEST_CASE("ten failures a minute, then 429 until a token refills", "[security][throttle]") {
    LoginThrottle t;
    CHECK(t.retry_after("10.0.0.1", t0) == 0s);
    for (int i = 0; i < 10; ++i) {
        CHECK(t.retry_after("10.0.0.1", t0) == 0s);
        t.record_failure("10.0.0.1", t0);
    }
    CHECK(t.retry_after("10.0.0.1", t0) == 6s);
    CHECK(t.retry_after("10.0.0.1", t0 + 3s) == 3s);
    CHECK(t.retry_after("10.0.0.1", t0 + 6s) == 0s);
    // One more try, then blocked again for the next refill.
    t.record_failure("10.0.0.1", t0 + 6s);
    CHECK(t.retry_after("10.0.0.1", t0 + 6s) == 6s);
    // Other sources are not affected.
    CHECK(t.retry_after("10.0.0.2", t0) == 0s);
    // After a minute without failures the whole budget is back.
    for (int i = 0; i < 10; ++i) {
        CHECK(t.retry_after("10.0.0.1", t0 + 72s) == 0s);
        t.record_failure("10.0.0.1", t0 + 72s);
    }
    CHECK(t.retry_after("10.0.0.1", t0 + 72s) == 6s);
}

TEST_CASE("a slow guesser is never blocked, a fast one is capped", "[security][throttle]") {
    LoginThrottle t;
    for (int i = 0; i < 100; ++i) {
        auto now = t0 + std::chrono::seconds(6 * i);
        REQUIRE(t.retry_after("a", now) == 0s);
        t.record_failure("a", now);
    }
    int checked = 0;
    for (int ms = 0; ms < 60000; ms += 100) {
        auto now = t0 + std::chrono::milliseconds(ms);
        if (t.retry_after("b", now) == 0s) {
            ++checked;
            t.record_failure("b", now);
        }
    }
    CHECK(checked <= 20);  // the burst plus one per 6 s
    CHECK(checked >= 19);
}

TEST_CASE("memory is bounded: refilled sources go first, then the least failed",
          "[security][throttle]") {
    LoginThrottleOptions o;
    o.max_sources = 3;
    LoginThrottle t(o);
    t.record_failure("old", t0);
    for (int i = 0; i < 10; ++i)
        t.record_failure("attacker", t0 + 69s);
    t.record_failure("other", t0 + 69s);
    CHECK(t.tracked_sources() == 3);
    t.record_failure("new", t0 + 70s);  // "old" has refilled by now
    CHECK(t.tracked_sources() == 3);
    CHECK(t.retry_after("attacker", t0 + 70s) > 0s);
    t.record_failure("newer", t0 + 70s);  // nobody refilled: the least failed goes
    CHECK(t.tracked_sources() == 3);
    CHECK(t.retry_after("attacker", t0 + 70s) > 0s);
}
