// Go strconv pieces: float formatting and quoting. Numbers are
// converted through std::to_chars (shortest round-trip, like strconv), then laid out
// with Go's %e/%f/%g rules so 1000000 prints as 1e+06 exactly as Go does.
#include "common/tmpl/gofmt.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "common/tmpl/func.hpp"

namespace drover::tmpl {

namespace {

// Decimal digits d (no leading/trailing zeros) with value 0.d × 10^dp.
struct Digits {
    std::string d;
    int dp = 0;
};

Digits normalise(std::string digits, int dp) {
    size_t lead = 0;
    while (lead < digits.size() && digits[lead] == '0')
        ++lead;
    digits.erase(0, lead);
    dp -= static_cast<int>(lead);
    while (!digits.empty() && digits.back() == '0')
        digits.pop_back();
    if (digits.empty()) dp = 0;
    return {digits, dp};
}

// Parses to_chars scientific output "d.ddde±x".
Digits from_scientific(std::string_view s) {
    size_t e = s.find('e');
    std::string digits;
    for (char c : s.substr(0, e)) {
        if (c != '.') digits += c;
    }
    int exp = std::atoi(std::string(s.substr(e + 1)).c_str());
    return normalise(digits, exp + 1);
}

Digits from_fixed(std::string_view s) {
    size_t dot = s.find('.');
    std::string ip(s.substr(0, dot));
    std::string fp = dot == std::string_view::npos ? "" : std::string(s.substr(dot + 1));
    return normalise(ip + fp, static_cast<int>(ip.size()));
}

Digits shortest(double f) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
    return from_scientific(std::string_view(buf, r.ptr - buf));
}

Digits significant(double f, int n) {
    char buf[512];
    auto r = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific, n - 1);
    return from_scientific(std::string_view(buf, r.ptr - buf));
}

Digits fixed(double f, int prec) {
    std::string buf(400 + static_cast<size_t>(prec), '\0');
    auto r = std::to_chars(buf.data(), buf.data() + buf.size(), f, std::chars_format::fixed, prec);
    return from_fixed(std::string_view(buf.data(), r.ptr - buf.data()));
}

void fmt_e(std::string& out, const Digits& d, int prec, char fmt) {
    out += d.d.empty() ? '0' : d.d[0];
    if (prec > 0) {
        out += '.';
        int i = 1;
        int m = std::min(static_cast<int>(d.d.size()), prec + 1);
        if (i < m) {
            out.append(d.d, 1, m - 1);
            i = m;
        }
        for (; i <= prec; ++i)
            out += '0';
    }
    out += fmt;
    int exp = d.d.empty() ? 0 : d.dp - 1;
    out += exp < 0 ? '-' : '+';
    exp = std::abs(exp);
    if (exp < 10) {
        out += '0';
        out += static_cast<char>('0' + exp);
    } else {
        out += std::to_string(exp);
    }
}

void fmt_f(std::string& out, const Digits& d, int prec) {
    int nd = static_cast<int>(d.d.size());
    if (d.dp > 0) {
        int m = std::min(nd, d.dp);
        out.append(d.d, 0, m);
        for (; m < d.dp; ++m)
            out += '0';
    } else {
        out += '0';
    }
    if (prec > 0) {
        out += '.';
        for (int i = 1; i <= prec; ++i) {
            int j = d.dp + i - 1;
            out += (j >= 0 && j < nd) ? d.d[j] : '0';
        }
    }
}

}  // namespace

namespace {

// strconv's 'b' (mantissa "p" binary exponent) and shortest 'x'/'X' (hex float) forms.
std::string binary_forms(double f, char fmt, int prec) {
    uint64_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    bool neg = bits >> 63;
    int exp = static_cast<int>((bits >> 52) & 0x7FF);
    uint64_t mant = bits & ((uint64_t{1} << 52) - 1);
    if (exp == 0) {
        ++exp;
    } else {
        mant |= uint64_t{1} << 52;
    }
    exp -= 1023;
    std::string out = neg ? "-" : "";
    if (fmt == 'b') {
        exp -= 52;
        return out + std::to_string(mant) + "p" + (exp >= 0 ? "+" : "") + std::to_string(exp);
    }
    if (mant == 0) exp = 0;
    mant <<= 8;
    while (mant != 0 && (mant & (uint64_t{1} << 60)) == 0) {
        mant <<= 1;
        --exp;
    }
    if (prec >= 0 && prec < 15) {
        unsigned shift = static_cast<unsigned>(prec * 4);
        uint64_t extra = (mant << shift) & ((uint64_t{1} << 60) - 1);
        mant >>= 60 - shift;
        if ((extra | (mant & 1)) > (uint64_t{1} << 59)) ++mant;
        mant <<= 60 - shift;
        if (mant & (uint64_t{1} << 61)) {
            mant >>= 1;
            ++exp;
        }
    }
    const char* hex = fmt == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    out += '0';
    out += fmt;
    out += static_cast<char>('0' + ((mant >> 60) & 1));
    mant <<= 4;
    if (prec < 0 && mant != 0) {
        out += '.';
        while (mant != 0) {
            out += hex[(mant >> 60) & 15];
            mant <<= 4;
        }
    } else if (prec > 0) {
        out += '.';
        for (int i = 0; i < prec; ++i) {
            out += hex[(mant >> 60) & 15];
            mant <<= 4;
        }
    }
    out += fmt == 'X' ? 'P' : 'p';
    out += exp < 0 ? '-' : '+';
    exp = std::abs(exp);
    std::string digits = std::to_string(exp);
    if (digits.size() < 2) digits.insert(0, "0");
    return out + digits;
}

}  // namespace

std::string format_float(double f, char fmt, int prec) {
    if (std::isnan(f)) return "NaN";
    if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
    if (fmt == 'b' || fmt == 'x' || fmt == 'X') return binary_forms(f, fmt, prec);
    std::string out;
    if (std::signbit(f)) out += '-';
    double a = std::fabs(f);
    char lower = static_cast<char>(fmt | 0x20);
    bool short_form = prec < 0;
    Digits d;
    if (short_form) {
        d = shortest(a);
        int nd = static_cast<int>(d.d.size());
        prec = lower == 'e' ? nd - 1 : lower == 'f' ? std::max(nd - d.dp, 0) : nd;
    } else if (lower == 'e') {
        d = significant(a, prec + 1);
    } else if (lower == 'f') {
        d = fixed(a, prec);
    } else {
        if (prec == 0) prec = 1;
        d = significant(a, prec);
    }
    if (lower == 'e') {
        fmt_e(out, d, prec, fmt);
    } else if (lower == 'f') {
        fmt_f(out, d, prec);
    } else {
        int nd = static_cast<int>(d.d.size());
        int eprec = prec;
        if (eprec > nd && nd >= d.dp) eprec = nd;
        if (short_form) eprec = 6;
        int exp = d.dp - 1;
        if (exp < -4 || exp >= eprec) {
            if (prec > nd) prec = nd;
            fmt_e(out, d, prec - 1, fmt == 'G' ? 'E' : 'e');
        } else {
            if (prec > d.dp) prec = nd;
            fmt_f(out, d, std::max(prec - d.dp, 0));
        }
    }
    return out;
}

char32_t decode_rune(std::string_view s, size_t i, size_t* width) {
    auto b = static_cast<unsigned char>(s[i]);
    *width = 1;
    if (b < 0x80) return b;
    int n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
    if (n == 0 || b > 0xF4 || i + n > s.size()) return 0xFFFD;
    char32_t r = b & (0x3F >> (n - 1));
    for (int k = 1; k < n; ++k) {
        auto c = static_cast<unsigned char>(s[i + k]);
        if ((c & 0xC0) != 0x80) return 0xFFFD;
        r = (r << 6) | (c & 0x3F);
    }
    static const char32_t min_for[] = {0, 0, 0x80, 0x800, 0x10000};
    if (r < min_for[n] || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return 0xFFFD;
    *width = n;
    return r;
}

void append_rune(std::string& out, char32_t r) {
    if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
    if (r < 0x80) {
        out += static_cast<char>(r);
    } else if (r < 0x800) {
        out += static_cast<char>(0xC0 | (r >> 6));
        out += static_cast<char>(0x80 | (r & 0x3F));
    } else if (r < 0x10000) {
        out += static_cast<char>(0xE0 | (r >> 12));
        out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (r & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (r >> 18));
        out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (r & 0x3F));
    }
}

// Approximates unicode.IsPrint: control and format characters and unassigned surrogates
// are not printable; everything else is treated as printable.
bool is_print_rune(char32_t r) {
    if (r < 0x20 || (r >= 0x7F && r <= 0xA0) || r == 0xAD) return false;
    if (r >= 0x2000 && r <= 0x200F) return false;
    if (r >= 0x2028 && r <= 0x202F) return false;
    if (r >= 0x205F && r <= 0x206F) return false;
    if (r == 0x3000 || r == 0xFEFF || (r >= 0xFFF9 && r <= 0xFFFB)) return false;
    if (r >= 0xE000 && r <= 0xF8FF) return false;
    if (r >= 0xF0000) return false;
    return r <= 0x10FFFF;
}

const char* const kHexLower = "0123456789abcdef";

void append_escaped_rune(std::string& out, char32_t r, bool ascii_only) {
    switch (r) {
        case '\a':
            out += "\\a";
            return;
        case '\b':
            out += "\\b";
            return;
        case '\f':
            out += "\\f";
            return;
        case '\n':
            out += "\\n";
            return;
        case '\r':
            out += "\\r";
            return;
        case '\t':
            out += "\\t";
            return;
        case '\v':
            out += "\\v";
            return;
        default:
            break;
    }
    if (r < 0x80 ? (r >= 0x20 && r != 0x7F) : (!ascii_only && is_print_rune(r))) {
        append_rune(out, r);
        return;
    }
    char buf[16];
    if (r < 0x20 || r == 0x7F) {
        std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(r));
    } else if (r < 0x10000) {
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(r));
    } else {
        std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(r));
    }
    out += buf;
}

std::string quote_with(std::string_view s, char q, bool ascii_only) {
    std::string out(1, q);
    for (size_t i = 0; i < s.size();) {
        size_t w;
        char32_t r = decode_rune(s, i, &w);
        if (r == 0xFFFD && w == 1 && static_cast<unsigned char>(s[i]) >= 0x80) {
            out += "\\x";
            out += kHexLower[static_cast<unsigned char>(s[i]) >> 4];
            out += kHexLower[static_cast<unsigned char>(s[i]) & 15];
        } else if (r == static_cast<char32_t>(q) || r == '\\') {
            out += '\\';
            out += static_cast<char>(r);
        } else {
            append_escaped_rune(out, r, ascii_only);
        }
        i += w;
    }
    out += q;
    return out;
}

std::string go_quote(std::string_view s) {
    return quote_with(s, '"', false);
}

}  // namespace drover::tmpl
