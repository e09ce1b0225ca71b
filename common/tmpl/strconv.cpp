// Literal parsing with Go's exact acceptance rules (see strconv.hpp).
#include "common/tmpl/strconv.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "common/tmpl/gofmt.hpp"

namespace drover::tmpl {

namespace {

char lower(char c) {
    return static_cast<char>(c | 0x20);
}

int hex_val(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool underscore_ok(std::string_view s) {
    char saw = '^';
    size_t i = 0;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
    bool hex = false;
    if (s.size() >= 2 && s[0] == '0' &&
        (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
        i = 2;
        saw = '0';
        hex = lower(s[1]) == 'x';
    }
    for (; i < s.size(); ++i) {
        char c = s[i];
        if ((c >= '0' && c <= '9') || (hex && lower(c) >= 'a' && lower(c) <= 'f')) {
            saw = '0';
            continue;
        }
        if (c == '_') {
            if (saw != '0') return false;
            saw = '_';
            continue;
        }
        if (saw == '_') return false;
        saw = '!';
    }
    return saw != '_';
}

}  // namespace

std::optional<char32_t> go_unquote_char(std::string_view& s, char quote) {
    if (s.empty()) return std::nullopt;
    auto c = static_cast<unsigned char>(s[0]);
    if (c == static_cast<unsigned char>(quote) && (quote == '\'' || quote == '"')) {
        return std::nullopt;
    }
    if (c >= 0x80) {
        size_t w;
        char32_t r = decode_rune(s, 0, &w);
        s.remove_prefix(w);
        return r;
    }
    if (c != '\\') {
        s.remove_prefix(1);
        return c;
    }
    if (s.size() <= 1) return std::nullopt;
    char e = s[1];
    s.remove_prefix(2);
    switch (e) {
        case 'a':
            return U'\a';
        case 'b':
            return U'\b';
        case 'f':
            return U'\f';
        case 'n':
            return U'\n';
        case 'r':
            return U'\r';
        case 't':
            return U'\t';
        case 'v':
            return U'\v';
        case 'x':
        case 'u':
        case 'U': {
            size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
            if (s.size() < n) return std::nullopt;
            char32_t v = 0;
            for (size_t j = 0; j < n; ++j) {
                int h = hex_val(s[j]);
                if (h < 0) return std::nullopt;
                v = (v << 4) | static_cast<char32_t>(h);
            }
            s.remove_prefix(n);
            if (e == 'x') return v;  // a raw byte value; caller appends it as a byte
            if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return std::nullopt;
            return v;
        }
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7': {
            char32_t v = static_cast<char32_t>(e - '0');
            if (s.size() < 2) return std::nullopt;
            for (size_t j = 0; j < 2; ++j) {
                if (s[j] < '0' || s[j] > '7') return std::nullopt;
                v = v * 8 + static_cast<char32_t>(s[j] - '0');
            }
            if (v > 255) return std::nullopt;
            s.remove_prefix(2);
            return v;
        }
        case '\\':
            return U'\\';
        case '\'':
        case '"':
            if (e != quote) return std::nullopt;
            return static_cast<char32_t>(e);
        default:
            return std::nullopt;
    }
}

std::optional<std::string> go_unquote(std::string_view in) {
    if (in.size() < 2) return std::nullopt;
    char quote = in.front();
    if (quote != in.back()) return std::nullopt;
    std::string_view body = in.substr(1, in.size() - 2);
    if (quote == '`') {
        if (body.find('`') != std::string_view::npos) return std::nullopt;
        std::string out;
        for (char c : body) {
            if (c != '\r') out += c;
        }
        return out;
    }
    if (quote != '"' && quote != '\'') return std::nullopt;
    if (body.find('\n') != std::string_view::npos) return std::nullopt;
    std::string out;
    while (!body.empty()) {
        bool escaped_byte = body.size() >= 2 && body[0] == '\\' &&
                            (body[1] == 'x' || (body[1] >= '0' && body[1] <= '7'));
        auto r = go_unquote_char(body, quote);
        if (!r) return std::nullopt;
        if (escaped_byte) {
            out += static_cast<char>(*r);
        } else {
            append_rune(out, *r);
        }
        if (quote == '\'' && !body.empty()) return std::nullopt;
    }
    if (quote == '\'' && out.empty()) return std::nullopt;
    return out;
}

std::optional<uint64_t> go_parse_uint(std::string_view s) {
    if (s.empty()) return std::nullopt;
    std::string_view s0 = s;
    int base = 10;
    if (s[0] == '0') {
        if (s.size() >= 3 && lower(s[1]) == 'b') {
            base = 2;
            s.remove_prefix(2);
        } else if (s.size() >= 3 && lower(s[1]) == 'o') {
            base = 8;
            s.remove_prefix(2);
        } else if (s.size() >= 3 && lower(s[1]) == 'x') {
            base = 16;
            s.remove_prefix(2);
        } else {
            base = 8;
            s.remove_prefix(1);
        }
    }
    bool underscores = false;
    uint64_t n = 0;
    for (char c : s) {
        if (c == '_') {
            underscores = true;
            continue;
        }
        int d = hex_val(c);
        if (c >= 'g' || (c > 'F' && c < 'a') || d < 0 || d >= base) return std::nullopt;
        if (n > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) {
            return std::nullopt;
        }
        n = n * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    }
    if (underscores && !underscore_ok(s0)) return std::nullopt;
    return n;
}

std::optional<int64_t> go_parse_int(std::string_view s) {
    if (s.empty()) return std::nullopt;
    bool neg = false;
    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        s.remove_prefix(1);
    }
    auto u = go_parse_uint(s);
    if (!u) return std::nullopt;
    if (!neg && *u > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    if (neg && *u > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return neg ? static_cast<int64_t>(0 - *u) : static_cast<int64_t>(*u);
}

std::optional<int64_t> go_parse_int_base(std::string_view s, int base) {
    if (s.empty()) return std::nullopt;
    bool neg = false;
    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s.empty()) return std::nullopt;
    uint64_t n = 0;
    for (char c : s) {
        int d = (c >= '0' && c <= '9')                 ? c - '0'
                : (lower(c) >= 'a' && lower(c) <= 'z') ? lower(c) - 'a' + 10
                                                       : 99;
        if (d >= base) return std::nullopt;
        n = n * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
        if (n > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    }
    if (!neg && n > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return neg ? static_cast<int64_t>(0 - n) : static_cast<int64_t>(n);
}

std::optional<double> go_parse_float(std::string_view s) {
    if (s.empty()) return std::nullopt;
    std::string t;
    bool underscores = false;
    for (char c : s) {
        if (c == '_') {
            underscores = true;
        } else {
            t += c;
        }
    }
    if (underscores && !underscore_ok(s)) return std::nullopt;
    std::string_view body = t;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
    bool hex = body.size() >= 2 && body[0] == '0' && lower(body[1]) == 'x';
    for (char c : body) {
        bool ok = (c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-' ||
                  (hex ? (hex_val(c) >= 0 || lower(c) == 'x' || lower(c) == 'p') : lower(c) == 'e');
        if (!ok) return std::nullopt;
    }
    if (hex && body.find_first_of("pP") == std::string_view::npos) return std::nullopt;
    if (!hex && body.find_first_of("0123456789") == std::string_view::npos) return std::nullopt;
    errno = 0;
    char* end = nullptr;
    double v = std::strtod(t.c_str(), &end);
    if (end != t.c_str() + t.size()) return std::nullopt;
    if (std::isinf(v)) return std::nullopt;
    return v;
}

}  // namespace drover::tmpl
