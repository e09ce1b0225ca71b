#include "common/api/http_date.hpp"

#include <array>
#include <chrono>
#include <cstdio>

namespace drover::api {
namespace {

using namespace std::chrono;

constexpr std::array<std::string_view, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongDays{"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                    "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// The value of a non-empty run of ASCII digits; -1 when anything else is in it.
int number(std::string_view s) {
    int n = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return -1;
        n = n * 10 + (c - '0');
    }
    return s.empty() ? -1 : n;
}

template <std::size_t N>
int index_of(const std::array<std::string_view, N>& names, std::string_view name) {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == name) return static_cast<int>(i);
    return -1;
}

struct Fields {
    int year = -1, month = -1, day = -1;  // month 1-12
    std::string_view time;                // "hh:mm:ss"
};

std::optional<std::int64_t> to_unix(const Fields& f) {
    const std::string_view t = f.time;
    if (t.size() != 8 || t[2] != ':' || t[5] != ':') return std::nullopt;
    int h = number(t.substr(0, 2)), m = number(t.substr(3, 2)), s = number(t.substr(6, 2));
    if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 60) return std::nullopt;  // 60: leap
    if (f.year < 0 || f.month < 1 || f.day < 0) return std::nullopt;
    year_month_day date{year{f.year}, month{static_cast<unsigned>(f.month)},
                        day{static_cast<unsigned>(f.day)}};
    if (!date.ok()) return std::nullopt;
    return duration_cast<seconds>(sys_days{date}.time_since_epoch()).count() + h * 3600 + m * 60 +
           s;
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::optional<std::int64_t> imf_fixdate(std::string_view s) {
    if (s.size() != 29 || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
        s.substr(25) != " GMT" || index_of(kDays, s.substr(0, 3)) < 0)
        return std::nullopt;
    return to_unix({number(s.substr(12, 4)), index_of(kMonths, s.substr(8, 3)) + 1,
                    number(s.substr(5, 2)), s.substr(17, 8)});
}

// "Sunday, 06-Nov-94 08:49:37 GMT"
std::optional<std::int64_t> rfc850(std::string_view s) {
    auto comma = s.find(", ");
    if (comma == std::string_view::npos || index_of(kLongDays, s.substr(0, comma)) < 0)
        return std::nullopt;
    std::string_view r = s.substr(comma + 2);
    if (r.size() != 22 || r[2] != '-' || r[6] != '-' || r[9] != ' ' || r.substr(18) != " GMT")
        return std::nullopt;
    int yy = number(r.substr(7, 2));
    if (yy < 0) return std::nullopt;
    return to_unix({yy < 70 ? 2000 + yy : 1900 + yy, index_of(kMonths, r.substr(3, 3)) + 1,
                    number(r.substr(0, 2)), r.substr(10, 8)});
}

// "Sun Nov  6 08:49:37 1994"
std::optional<std::int64_t> asctime(std::string_view s) {
    if (s.size() != 24 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[19] != ' ' ||
        index_of(kDays, s.substr(0, 3)) < 0)
        return std::nullopt;
    int day = s[8] == ' ' ? number(s.substr(9, 1)) : number(s.substr(8, 2));  // " 6" or "16"
    return to_unix(
        {number(s.substr(20, 4)), index_of(kMonths, s.substr(4, 3)) + 1, day, s.substr(11, 8)});
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

}  // namespace

std::string format_http_date(std::int64_t unix_seconds) {
    const sys_seconds t{seconds{unix_seconds}};
    const sys_days d = floor<days>(t);
    const year_month_day date{d};
    const hh_mm_ss clock{t - d};
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                  kDays[weekday{d}.c_encoding()].data(), static_cast<unsigned>(date.day()),
                  kMonths[static_cast<unsigned>(date.month()) - 1].data(),
                  static_cast<int>(date.year()), static_cast<int>(clock.hours().count()),
                  static_cast<int>(clock.minutes().count()),
                  static_cast<int>(clock.seconds().count()));
    return buf;
}

std::optional<std::int64_t> parse_http_date(std::string_view text) {
    std::string_view s = trimmed(text);
    if (auto t = imf_fixdate(s)) return t;
    if (auto t = rfc850(s)) return t;
    return asctime(s);
}

}  // namespace drover::api
