// Go durations (task Meta.timeout, purge ages) and RFC 3339 job times, as DRP content writes them.
#include <catch2/catch.hpp>

#include "common/rules/durations.hpp"

using namespace drover::rules;
using namespace std::chrono;

TEST_CASE("Go durations parse like time.ParseDuration", "[durations]") {
    CHECK(parse_go_duration("90s") == seconds(90));
    CHECK(parse_go_duration("15m") == minutes(15));
    CHECK(parse_go_duration("1h30m") == minutes(90));
    CHECK(parse_go_duration("1.5h") == minutes(90));
    CHECK(parse_go_duration("250ms") == milliseconds(250));
    CHECK(parse_go_duration("2us") == microseconds(2));
    CHECK(parse_go_duration("3\xC2\xB5s") == microseconds(3));
    CHECK(parse_go_duration("10ns") == nanoseconds(10));
    CHECK(parse_go_duration("-5s") == seconds(-5));
    CHECK(parse_go_duration("0") == nanoseconds(0));
    CHECK(parse_go_duration(".5s") == milliseconds(500));
    for (const char* bad : {"", "5", "s", "5x", "1h 30m", "--5s", "1e3s", "5.s.", "9999999999h"})
        CHECK_FALSE(parse_go_duration(bad).has_value());
}

TEST_CASE("timeouts are plain seconds or Go durations, never negative", "[durations]") {
    CHECK(parse_timeout("300") == seconds(300));
    CHECK(parse_timeout("0") == seconds(0));
    CHECK(parse_timeout("2m") == minutes(2));
    CHECK_FALSE(parse_timeout("-1s").has_value());
    CHECK_FALSE(parse_timeout("soon").has_value());
    CHECK_FALSE(parse_timeout("").has_value());
    CHECK_FALSE(parse_timeout("99999999999").has_value());
}

TEST_CASE("RFC 3339 job times round-trip with nanoseconds", "[durations]") {
    auto t = parse_rfc3339("2017-12-21T23:26:43.412554192Z");
    REQUIRE(t);
    CHECK(format_rfc3339(*t) == "2017-12-21T23:26:43.412554192Z");
    CHECK(duration_cast<seconds>(t->time_since_epoch()).count() == 1513898803);
    CHECK(parse_rfc3339("2017-12-21T23:26:43Z") == parse_rfc3339("2017-12-22T01:26:43+02:00"));
    CHECK(parse_rfc3339("2017-12-21T23:26:43.5Z") ==
          *parse_rfc3339("2017-12-21T23:26:43Z") + milliseconds(500));
    auto now = WallClock::now();
    CHECK(parse_rfc3339(format_rfc3339(now)) == now);
    for (const char* bad : {"", "2017-12-21", "2017-12-21T23:26:43", "2017-13-21T23:26:43Z",
                            "2017-12-21T23:26:43.Z", "2017-12-21T23:26:43Zjunk"})
        CHECK_FALSE(parse_rfc3339(bad).has_value());
}
