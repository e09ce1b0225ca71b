#include "common/rules/durations.hpp"

#include <cstdio>
#include <ctime>

namespace drover::rules {

namespace {

using std::chrono::nanoseconds;

// The unit at the front of `s` in nanoseconds, consuming it; 0 when there is none.
double take_unit(std::string_view& s) {
    static const std::pair<std::string_view, double> kUnits[] = {
        {"ns", 1.0}, {"us", 1e3}, {"\xC2\xB5s", 1e3}, {"\xCE\xBCs", 1e3},
        {"ms", 1e6}, {"s", 1e9},  {"m", 60e9},        {"h", 3600e9}};
    for (const auto& [name, scale] : kUnits) {
        // "m" must not swallow the "m" of "ms": longer names are listed first where they clash.
        if (s.substr(0, name.size()) == name) {
            s.remove_prefix(name.size());
            return scale;
        }
    }
    return 0;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Digits and an optional fraction at the front of `s`, consuming them.
std::optional<double> take_number(std::string_view& s) {
    std::size_t i = 0;
    while (i < s.size() && is_digit(s[i]))
        ++i;
    std::size_t int_digits = i;
    std::size_t frac_digits = 0;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && is_digit(s[i])) {
            ++i;
            ++frac_digits;
        }
    }
    if (int_digits == 0 && frac_digits == 0) return std::nullopt;
    double v = std::stod(std::string(s.substr(0, i)));
    s.remove_prefix(i);
    return v;
}

int two_digits(std::string_view s, std::size_t at) {
    if (at + 2 > s.size() || !is_digit(s[at]) || !is_digit(s[at + 1])) return -1;
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

}  // namespace

std::optional<nanoseconds> parse_go_duration(std::string_view text) {
    std::string_view s = text;
    bool negative = false;
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        negative = s.front() == '-';
        s.remove_prefix(1);
    }
    if (s == "0") return nanoseconds(0);
    if (s.empty()) return std::nullopt;
    double total = 0;
    while (!s.empty()) {
        auto number = take_number(s);
        if (!number) return std::nullopt;
        double scale = take_unit(s);
        if (scale == 0) return std::nullopt;
        total += *number * scale;
    }
    if (total > 9.2e18) return std::nullopt;  // Go: "invalid duration" past int64 nanoseconds
    auto ns = nanoseconds(static_cast<std::int64_t>(total));
    return negative ? -ns : ns;
}

std::optional<nanoseconds> parse_timeout(std::string_view text) {
    std::string_view s = text;
    if (!s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos) {
        if (s.size() > 10) return std::nullopt;
        return std::chrono::seconds(std::stoll(std::string(s)));
    }
    auto d = parse_go_duration(s);
    if (!d || d->count() < 0) return std::nullopt;
    return d;
}

std::string format_rfc3339(WallClock::time_point t) {
    auto secs = std::chrono::floor<std::chrono::seconds>(t);
    auto nanos = std::chrono::duration_cast<nanoseconds>(t - secs).count();
    std::time_t tt = WallClock::to_time_t(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%09lldZ", static_cast<long long>(nanos));
    return buf;
}

std::optional<WallClock::time_point> parse_rfc3339(std::string_view s) {
    // YYYY-MM-DDTHH:MM:SS
    if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
        s[13] != ':' || s[16] != ':')
        return std::nullopt;
    int year = two_digits(s, 0) * 100 + two_digits(s, 2);
    int fields[] = {two_digits(s, 5), two_digits(s, 8), two_digits(s, 11), two_digits(s, 14),
                    two_digits(s, 17)};
    for (int f : fields)
        if (f < 0) return std::nullopt;
    if (two_digits(s, 0) < 0 || two_digits(s, 2) < 0) return std::nullopt;
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = fields[0] - 1;
    tm.tm_mday = fields[1];
    tm.tm_hour = fields[2];
    tm.tm_min = fields[3];
    tm.tm_sec = fields[4];
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return std::nullopt;
    std::size_t i = 19;
    std::int64_t nanos = 0;
    if (i < s.size() && s[i] == '.') {
        ++i;
        std::int64_t scale = 100000000;
        std::size_t start = i;
        for (; i < s.size() && is_digit(s[i]); ++i, scale /= 10)
            nanos += (s[i] - '0') * scale;
        if (i == start) return std::nullopt;
    }
    std::int64_t offset = 0;
    if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
        ++i;
    } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
        int hh = two_digits(s, i + 1), mm = two_digits(s, i + 4);
        if (hh < 0 || mm < 0) return std::nullopt;
        offset = (s[i] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
        i += 6;
    } else {
        return std::nullopt;
    }
    if (i != s.size()) return std::nullopt;
    std::time_t epoch = timegm(&tm);
    return WallClock::time_point(std::chrono::seconds(epoch - offset)) +
           std::chrono::duration_cast<WallClock::duration>(nanoseconds(nanos));
}

}  // namespace drover::rules
