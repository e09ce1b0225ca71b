// The agent's view of droverd's clock and when its token is due (issue 10, clock skew). The
// client's own wall clock is no input to either: these cases hold whether it is minutes or hours
// ahead of the server's or behind it, which is the point. Steady time points stand for the
// client's monotonic clock (arbitrary origin, like time since boot).
#include <catch2/catch.hpp>

#include "common/api/server_clock.hpp"
#include "common/security/token_renewal.hpp"

using namespace std::chrono;
using drover::api::ServerClock;
using drover::security::renewal_margin_seconds;
using drover::security::TokenLifetime;
using drover::security::until_renewal;

namespace {

const ServerClock::Steady kBoot{};  // the client's steady clock at some moment
constexpr std::int64_t kServerNow = 1700000000;

milliseconds server_ms(std::int64_t unix_seconds) {
    return duration_cast<milliseconds>(seconds(unix_seconds));
}

}  // namespace

TEST_CASE("the server's clock is its last Date carried forward by the steady clock",
          "[reliability][clock]") {
    ServerClock clock;
    CHECK_FALSE(clock.now(kBoot).has_value());  // nothing said yet
    clock.observe(kServerNow, kBoot + seconds(5));
    CHECK(clock.now(kBoot + seconds(5)) == server_ms(kServerNow));
    CHECK(clock.now(kBoot + seconds(65) + milliseconds(250)) ==
          server_ms(kServerNow + 60) + milliseconds(250));
    // A server whose clock was stepped back is followed at its next answer.
    clock.observe(kServerNow - 3600, kBoot + seconds(70));
    CHECK(clock.now(kBoot + seconds(80)) == server_ms(kServerNow - 3600 + 10));
}

TEST_CASE("a token is due a tenth of its life before expiry, at least a minute, at most half",
          "[reliability][clock]") {
    CHECK(renewal_margin_seconds({0, 3600}) == 360);
    CHECK(renewal_margin_seconds({0, 300}) == 60);
    CHECK(renewal_margin_seconds({0, 60}) == 30);  // was 60: a one-minute token renewed at once
    CHECK(renewal_margin_seconds({0, 10}) == 5);
    CHECK(renewal_margin_seconds({0, 1}) == 0);
    CHECK(renewal_margin_seconds({0, 31536000}) == 3153600);
    // Times outside [1970, 9999] (only a hand-made token has them) cannot overflow.
    CHECK(renewal_margin_seconds({INT64_MIN, INT64_MAX}) == 25340230079);
    CHECK(until_renewal({INT64_MIN, INT64_MAX}, server_ms(0)).count() > 0);
}

TEST_CASE("renewal is due by the server's clock whatever the client's own clock says",
          "[reliability][clock]") {
    // A one-hour token the server issued at its kServerNow. A client whose wall clock is 5
    // minutes or 3 hours behind (or ahead of) the server's sees the same Date headers and steady
    // clock, so it decides the same: the old agent compared expiry with its own wall clock, and
    // behind by more than the margin it used an expired token; ahead, it renewed at every step.
    const TokenLifetime life{kServerNow, kServerNow + 3600};
    ServerClock clock;
    clock.observe(kServerNow, kBoot);  // the answer that carried the token
    auto until = [&](seconds later) { return until_renewal(life, *clock.now(kBoot + later)); };
    CHECK(until(seconds(0)) == seconds(3240));
    CHECK(until(seconds(3000)) == seconds(240));
    CHECK(until(seconds(3240)).count() == 0);
    CHECK(until(seconds(3300)) == seconds(-60));
    // An agent restarted with a saved token learns the server's time from its first answer.
    ServerClock restarted;
    restarted.observe(kServerNow + 3100, kBoot + hours(2));
    CHECK(until_renewal(life, *restarted.now(kBoot + hours(2))) == seconds(140));
}

TEST_CASE("a short-lived token is used for half its life, not renewed in a loop",
          "[reliability][clock]") {
    const TokenLifetime life{kServerNow, kServerNow + 10};
    ServerClock clock;
    clock.observe(kServerNow, kBoot);
    CHECK(until_renewal(life, *clock.now(kBoot)) == seconds(5));
    CHECK(until_renewal(life, *clock.now(kBoot + milliseconds(4999))) == milliseconds(1));
    CHECK(until_renewal(life, *clock.now(kBoot + seconds(5))).count() == 0);
}
