// Failed-login rate limiting (issue 7) with the time passed in: 10 failures per minute per
// source, then refused for the time one token takes to come back; successes cost nothing.
#include <catch2/catch.hpp>

#include "common/security/login_throttle.hpp"

using namespace drover::security;
using namespace std::chrono_literals;

namespace {

const LoginThrottle::Clock::time_point t0{};

// A failed check: takes a token, keeps it.
std::chrono::seconds fail(LoginThrottle& t, const std::string& source,
                          LoginThrottle::Clock::time_point now) {
    return t.acquire(source, now);
}

// A successful check: takes a token, gives it back.
std::chrono::seconds succeed(LoginThrottle& t, const std::string& source,
                             LoginThrottle::Clock::time_point now) {
    auto wait = t.acquire(source, now);
    if (wait == 0s) t.refund(source, now);
    return wait;
}

}  // namespace

TEST_CASE("ten failures a minute, then refused until a token refills", "[security][throttle]") {
    LoginThrottle t;
    for (int i = 0; i < 10; ++i)
        CHECK(fail(t, "10.0.0.1", t0) == 0s);
    CHECK(t.acquire("10.0.0.1", t0) == 6s);
    CHECK(t.acquire("10.0.0.1", t0 + 3s) == 3s);
    CHECK(succeed(t, "10.0.0.1", t0 + 3s) == 3s);  // the right password waits too
    // One more try after 6 s, then blocked again for the next refill.
    CHECK(fail(t, "10.0.0.1", t0 + 6s) == 0s);
    CHECK(t.acquire("10.0.0.1", t0 + 6s) == 6s);
    // Other sources are not affected.
    CHECK(fail(t, "10.0.0.2", t0) == 0s);
    // After a minute without failures the whole budget is back.
    for (int i = 0; i < 10; ++i)
        CHECK(fail(t, "10.0.0.1", t0 + 72s) == 0s);
    CHECK(t.acquire("10.0.0.1", t0 + 72s) == 6s);
}

TEST_CASE("successes cost nothing and never add to the budget", "[security][throttle]") {
    LoginThrottle t;
    for (int i = 0; i < 100; ++i)
        CHECK(succeed(t, "office", t0) == 0s);
    for (int i = 0; i < 9; ++i)
        CHECK(fail(t, "office", t0) == 0s);
    // Successes between failures do not refill what the failures took.
    for (int i = 0; i < 5; ++i)
        CHECK(succeed(t, "office", t0) == 0s);
    CHECK(fail(t, "office", t0) == 0s);
    CHECK(succeed(t, "office", t0) == 6s);
    CHECK(t.acquire("office", t0) == 6s);
}

TEST_CASE("a slow guesser is never blocked, a fast one is capped", "[security][throttle]") {
    LoginThrottle t;
    for (int i = 0; i < 100; ++i)
        REQUIRE(fail(t, "a", t0 + std::chrono::seconds(6 * i)) == 0s);
    int checked = 0;
    for (int ms = 0; ms < 60000; ms += 100)
        if (fail(t, "b", t0 + std::chrono::milliseconds(ms)) == 0s) ++checked;
    CHECK(checked <= 20);  // the burst plus one per 6 s
    CHECK(checked >= 19);
}

TEST_CASE("memory is bounded: full buckets go first, then the least failed",
          "[security][throttle]") {
    LoginThrottleOptions o;
    o.max_sources = 3;
    LoginThrottle t(o);
    fail(t, "old", t0);
    for (int i = 0; i < 10; ++i)
        fail(t, "attacker", t0 + 69s);
    fail(t, "other", t0 + 69s);
    CHECK(t.tracked_sources() == 3);
    fail(t, "new", t0 + 70s);  // "old" has refilled by now
    CHECK(t.tracked_sources() == 3);
    CHECK(t.acquire("attacker", t0 + 70s) > 0s);
    fail(t, "newer", t0 + 70s);  // nobody has refilled: the least failed goes
    CHECK(t.tracked_sources() == 3);
    CHECK(t.acquire("attacker", t0 + 70s) > 0s);
}
