#include "common/api/json_pointer.hpp"
#include "common/jsonschema/formats.hpp"

#include <array>
#include <regex>
#include <string>
#include <utility>

#include "common/jsonschema/pointer.hpp"

namespace drover::jsonschema {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Exactly `n` digits at `s[pos]`, as a number; -1 if not.
int fixed_digits(std::string_view s, std::size_t pos, std::size_t n) {
    if (pos + n > s.size()) return -1;
    int value = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (!is_digit(s[i])) return -1;
        value = value * 10 + (s[i] - '0');
    }
    return value;
}

bool is_leap_year(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int year, int month) {
    static constexpr std::array<int, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : days[static_cast<std::size_t>(month - 1)];
}

// RFC 3339 full-date: YYYY-MM-DD with a day that exists in that month.
bool is_full_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    int year = fixed_digits(s, 0, 4), month = fixed_digits(s, 5, 2), day = fixed_digits(s, 8, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1) return false;
    return day <= days_in_month(year, month);
}

// RFC 3339 full-time: HH:MM:SS[.frac](Z|+HH:MM|-HH:MM); second 60 is a leap second.
bool is_full_time(std::string_view s) {
    if (s.size() < 9 || s[2] != ':' || s[5] != ':') return false;
    int hour = fixed_digits(s, 0, 2), minute = fixed_digits(s, 3, 2),
        second = fixed_digits(s, 6, 2);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60)
        return false;
    std::size_t pos = 8;
    if (s[pos] == '.') {
        std::size_t start = ++pos;
        while (pos < s.size() && is_digit(s[pos]))
            ++pos;
        if (pos == start) return false;
    }
    std::string_view offset = s.substr(pos);
    if (offset == "Z" || offset == "z") return true;
    if (offset.size() != 6 || (offset[0] != '+' && offset[0] != '-') || offset[3] != ':')
        return false;
    int off_hour = fixed_digits(offset, 1, 2), off_minute = fixed_digits(offset, 4, 2);
    return off_hour >= 0 && off_hour <= 23 && off_minute >= 0 && off_minute <= 59;
}

bool is_date(std::string_view s) {
    return is_full_date(s);
}
bool is_time(std::string_view s) {
    return is_full_time(s);
}

bool is_json_pointer(std::string_view s) {
    return api::parse_pointer(s).has_value();
}

bool is_regex(std::string_view s) {
    try {
        std::regex re(std::string(s), std::regex::ECMAScript);
        return true;
    } catch (const std::regex_error&) {
        return false;
    }
}

bool is_unreserved_or_sub_delim(char c) {
    static constexpr std::string_view extra = "-._~!$&'()*+,;=";
    return is_alpha(c) || is_digit(c) || extra.find(c) != std::string_view::npos;
}

// RFC 3986 characters allowed after the scheme, with every '%' followed by two hex digits.
// The generic syntax is checked character by character; authority structure is not parsed.
bool is_uri_body(std::string_view s) {
    static constexpr std::string_view gen_delims = ":/?#[]@";
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
            i += 2;
        } else if (!is_unreserved_or_sub_delim(c) && gen_delims.find(c) == std::string_view::npos) {
            return false;
        }
    }
    return true;
}

bool is_uri_reference(std::string_view s) {
    return is_uri_body(s);
}

}  // namespace

bool is_ipv4(std::string_view s) {
    int parts = 0;
    std::size_t pos = 0;
    while (true) {
        std::size_t start = pos;
        int value = 0;
        while (pos < s.size() && is_digit(s[pos]) && pos - start < 3)
            value = value * 10 + (s[pos++] - '0');
        std::size_t len = pos - start;
        // Leading zeros are rejected: some parsers read them as octal.
        if (len == 0 || value > 255 || (len > 1 && s[start] == '0')) return false;
        if (++parts == 4) return pos == s.size();
        if (pos >= s.size() || s[pos] != '.') return false;
        ++pos;
    }
}

bool is_ipv6(std::string_view s) {
    // Up to eight 16-bit groups, at most one "::", optionally ending in a dotted IPv4 (two groups).
    int groups = 0;
    bool compressed = false;
    std::size_t pos = 0;
    if (s.substr(0, 2) == "::") {
        compressed = true;
        pos = 2;
        if (pos == s.size()) return true;
    } else if (!s.empty() && s[0] == ':') {
        return false;
    }
    while (pos < s.size()) {
        std::size_t start = pos;
        while (pos < s.size() && is_hex(s[pos]))
            ++pos;
        if (pos < s.size() && s[pos] == '.') {
            if (!is_ipv4(s.substr(start))) return false;
            groups += 2;
            pos = s.size();
            break;
        }
        if (pos == start || pos - start > 4) return false;
        ++groups;
        if (pos == s.size()) break;
        if (s[pos] != ':') return false;
        ++pos;
        if (pos < s.size() && s[pos] == ':') {
            if (compressed) return false;
            compressed = true;
            ++pos;
        } else if (pos == s.size()) {
            return false;  // a single trailing ':'
        }
    }
    return compressed ? groups < 8 : groups == 8;
}

bool is_uuid(std::string_view s) {
    // RFC 4122 textual form 8-4-4-4-12; case-insensitive on input (DRP emits lowercase).
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
    }
    return true;
}

bool is_date_time(std::string_view s) {
    if (s.size() < 20) return false;
    char sep = s[10];
    if (sep != 'T' && sep != 't') return false;
    return is_full_date(s.substr(0, 10)) && is_full_time(s.substr(11));
}

bool is_hostname(std::string_view s) {
    // RFC 1123: dot-separated labels of letters, digits and '-', 1-63 chars each, no '-' at
    // either end of a label, at most 253 chars in all. A single trailing dot (FQDN) is allowed.
    if (!s.empty() && s.back() == '.') s.remove_suffix(1);
    if (s.empty() || s.size() > 253) return false;
    std::size_t start = 0;
    while (start <= s.size()) {
        std::size_t end = s.find('.', start);
        if (end == std::string_view::npos) end = s.size();
        std::string_view label = s.substr(start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
            return false;
        for (char c : label)
            if (!is_alpha(c) && !is_digit(c) && c != '-') return false;
        start = end + 1;
    }
    return true;
}

bool is_email(std::string_view s) {
    // The common dot-atom subset of RFC 5322: local@domain with a hostname domain. Quoted local
    // parts and address literals are rare in provisioning data and are rejected.
    std::size_t at = s.rfind('@');
    if (at == std::string_view::npos || at == 0) return false;
    std::string_view local = s.substr(0, at);
    if (local.size() > 64 || local.front() == '.' || local.back() == '.') return false;
    if (local.find("..") != std::string_view::npos) return false;
    static constexpr std::string_view specials = "!#$%&'*+-/=?^_`{|}~.";
    for (char c : local)
        if (!is_alpha(c) && !is_digit(c) && specials.find(c) == std::string_view::npos)
            return false;
    return is_hostname(s.substr(at + 1));
}

bool is_uri(std::string_view s) {
    // RFC 3986 absolute URI: scheme ":" hier-part, scheme = ALPHA *(ALPHA / DIGIT / "+" / "-" /
    // ".").
    std::size_t colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0 || !is_alpha(s[0])) return false;
    for (std::size_t i = 1; i < colon; ++i) {
        char c = s[i];
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
    }
    return is_uri_body(s.substr(colon + 1));
}

FormatChecker find_format(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, FormatChecker>, 12> checkers{{
        {"ipv4", is_ipv4},
        {"ipv6", is_ipv6},
        {"uuid", is_uuid},
        {"date-time", is_date_time},
        {"date", is_date},
        {"time", is_time},
        {"email", is_email},
        {"hostname", is_hostname},
        {"uri", is_uri},
        {"uri-reference", is_uri_reference},
        {"json-pointer", is_json_pointer},
        {"regex", is_regex},
    }};
    for (const auto& [known, checker] : checkers)
        if (known == name) return checker;
    return nullptr;
}

}  // namespace drover::jsonschema
