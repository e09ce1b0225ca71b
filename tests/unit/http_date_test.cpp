// HTTP dates (RFC 9110 5.6.7): droverd's Date header and the agent's reading of it.
#include <catch2/catch.hpp>

#include "common/api/http_date.hpp"

using drover::api::format_http_date;
using drover::api::parse_http_date;

namespace {
constexpr std::int64_t kRfcExample = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
}

TEST_CASE("HTTP dates are written as IMF-fixdate", "[reliability][clock]") {
    CHECK(format_http_date(kRfcExample) == "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK(format_http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
    CHECK(format_http_date(951782400) == "Tue, 29 Feb 2000 00:00:00 GMT");
    CHECK(format_http_date(4102444799) == "Thu, 31 Dec 2099 23:59:59 GMT");
}

TEST_CASE("HTTP dates are read in all three forms of RFC 9110", "[reliability][clock]") {
    CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == kRfcExample);
    CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == kRfcExample);
    CHECK(parse_http_date("Sun Nov  6 08:49:37 1994") == kRfcExample);
    CHECK(parse_http_date("Sun Nov 16 08:49:37 1994") == kRfcExample + 10 * 86400);
    CHECK(parse_http_date("Thursday, 01-Jan-15 00:00:00 GMT") == 1420070400);  // 2015
    CHECK(parse_http_date("  Sun, 06 Nov 1994 08:49:37 GMT\t") == kRfcExample);
    // Go's net/http checks the day name's spelling, not that it matches the date.
    CHECK(parse_http_date("Mon, 06 Nov 1994 08:49:37 GMT") == kRfcExample);
    // A leap second is a valid time of day.
    CHECK(parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT") == 1483228800);
    for (std::int64_t t :
         {std::int64_t{0}, kRfcExample, std::int64_t{1700000000}, std::int64_t{4102444799}})
        CHECK(parse_http_date(format_http_date(t)) == t);
}

TEST_CASE("a bad Date header reads as none", "[reliability][clock]") {
    for (const char* bad : {"",
                            "garbage",
                            "1700000000",
                            "2023-11-14T22:13:20Z",
                            "Sun, 06 Nov 1994 08:49:37 UTC",
                            "Sun, 06 Nov 1994 08:49:37",
                            "Sun, 6 Nov 1994 08:49:37 GMT",
                            "Sun,  06 Nov 1994 08:49:37 GMT",
                            "Xyz, 06 Nov 1994 08:49:37 GMT",
                            "Sun, 06 Foo 1994 08:49:37 GMT",
                            "Sun, 31 Nov 1994 08:49:37 GMT",
                            "Tue, 29 Feb 2022 00:00:00 GMT",
                            "Sun, 00 Nov 1994 08:49:37 GMT",
                            "Sun, 06 Nov 1994 24:00:00 GMT",
                            "Sun, 06 Nov 1994 08:60:00 GMT",
                            "Sun, 06 Nov 1994 08:49:61 GMT",
                            "Sun, 06 Nov 1994 08-49-37 GMT",
                            "Sun, 06 Nov 19x4 08:49:37 GMT",
                            "Sun, 06 Nov -994 08:49:37 GMT",
                            "Sun, 06 Nov 1994 +8:49:37 GMT",
                            "Sunday, 06-Nov-1994 08:49:37 GMT",
                            "Sun, 06-Nov-94 08:49:37 GMT",
                            "Sunday, 06-Nov-9x 08:49:37 GMT",
                            "Sun Nov 6 08:49:37 1994",
                            "Sun Nov  6 08:49:37 94",
                            "Sun Nov x6 08:49:37 1994",
                            "Sun, 06 Nov 1994 08:49:37 GMT trailing"})
        CHECK_FALSE(parse_http_date(bad).has_value());
}
