// Go fmt/strconv re-implementation for the value shapes templates see. Numbers are
// converted through std::to_chars (shortest round-trip, like strconv), then laid out
// with Go's %e/%f/%g rules so 1000000 prints as 1e+06 exactly as Go does.
#include "common/tmpl/gofmt.hpp"

#include <charconv>
#include <cmath>
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
    while (lead < digits.size() && digits[lead] == '0') ++lead;
    digits.erase(0, lead);
    dp -= static_cast<int>(lead);
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
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
        for (; i <= prec; ++i) out += '0';
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
        for (; m < d.dp; ++m) out += '0';
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

std::string format_float(double f, char fmt, int prec) {
    if (std::isnan(f)) return "NaN";
    if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
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

namespace {

const char* kHexLower = "0123456789abcdef";

void append_escaped_rune(std::string& out, char32_t r, bool ascii_only) {
    switch (r) {
        case '\a': out += "\\a"; return;
        case '\b': out += "\\b"; return;
        case '\f': out += "\\f"; return;
        case '\n': out += "\\n"; return;
        case '\r': out += "\\r"; return;
        case '\t': out += "\\t"; return;
        case '\v': out += "\\v"; return;
        default: break;
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

}  // namespace

std::string go_quote(std::string_view s) { return quote_with(s, '"', false); }

namespace {

size_t rune_count(std::string_view s) {
    size_t n = 0;
    for (size_t i = 0; i < s.size();) {
        size_t w;
        decode_rune(s, i, &w);
        i += w;
        ++n;
    }
    return n;
}

// The state of one printf directive (fmt.fmt's flags).
struct Spec {
    bool minus = false, plus = false, sharp = false, space = false, zero = false;
    bool wid_present = false, prec_present = false;
    int wid = 0, prec = 0;
    char verb = 'v';
};

class Printer {
public:
    std::string out;

    void pad(std::string_view s, const Spec& sp) {
        if (!sp.wid_present || sp.wid == 0) {
            out += s;
            return;
        }
        int n = sp.wid - static_cast<int>(rune_count(s));
        if (n <= 0) {
            out += s;
        } else if (sp.minus) {
            out += s;
            out.append(n, ' ');
        } else {
            out.append(n, sp.zero ? '0' : ' ');
            out += s;
        }
    }

    void bad_verb(const Value& v, const Spec& sp) {
        out += "%!";
        out += sp.verb;
        out += '(';
        if (v.type == GoType::Invalid || v.type == GoType::Nil) {
            out += "<nil>";
        } else {
            out += type_name(v);
            out += '=';
            Spec plain;
            print(v, plain, 0);
        }
        out += ')';
    }

    void fmt_integer(uint64_t u, bool is_signed, int base, bool upper, Spec sp) {
        bool negative = is_signed && static_cast<int64_t>(u) < 0;
        if (negative) u = 0 - u;
        int prec = 0;
        if (sp.prec_present) {
            prec = sp.prec;
            if (prec == 0 && u == 0) {
                sp.zero = false;
                out.append(std::max(sp.wid, 0), ' ');
                return;
            }
        } else if (sp.zero && sp.wid_present) {
            prec = sp.wid;
            if (negative || sp.plus || sp.space) --prec;
        }
        std::string digits;
        const char* table = upper ? "0123456789ABCDEF" : kHexLower;
        do {
            digits.insert(digits.begin(), table[u % base]);
            u /= base;
        } while (u != 0);
        while (static_cast<int>(digits.size()) < prec) digits.insert(digits.begin(), '0');
        if (sp.sharp) {
            if (base == 2) digits.insert(0, "0b");
            if (base == 8 && digits[0] != '0') digits.insert(0, "0");
            if (base == 16) digits.insert(0, upper ? "0X" : "0x");
        }
        if (sp.verb == 'O') digits.insert(0, "0o");
        if (negative) {
            digits.insert(digits.begin(), '-');
        } else if (sp.plus) {
            digits.insert(digits.begin(), '+');
        } else if (sp.space) {
            digits.insert(digits.begin(), ' ');
        }
        sp.zero = false;
        pad(digits, sp);
    }

    void fmt_int(const Value& v, Spec sp) {
        bool is_signed = v.type != GoType::Uint8;
        auto u = static_cast<uint64_t>(v.i);
        switch (sp.verb) {
            case 'v':
            case 'd': fmt_integer(u, is_signed, 10, false, sp); return;
            case 'b': fmt_integer(u, is_signed, 2, false, sp); return;
            case 'o':
            case 'O': fmt_integer(u, is_signed, 8, false, sp); return;
            case 'x': fmt_integer(u, is_signed, 16, false, sp); return;
            case 'X': fmt_integer(u, is_signed, 16, true, sp); return;
            case 'c': {
                std::string s;
                append_rune(s, v.i < 0 || v.i > 0x10FFFF ? 0xFFFD : static_cast<char32_t>(v.i));
                pad(s, sp);
                return;
            }
            case 'U': {
                char buf[32];
                std::snprintf(buf, sizeof buf, "U+%04llX", static_cast<unsigned long long>(u));
                std::string s = buf;
                if (sp.sharp && v.i >= 0 && v.i <= 0x10FFFF && is_print_rune(static_cast<char32_t>(v.i))) {
                    s += " '";
                    append_rune(s, static_cast<char32_t>(v.i));
                    s += "'";
                }
                pad(s, sp);
                return;
            }
            case 'q': {
                char32_t r = v.i < 0 || v.i > 0x10FFFF ? 0xFFFD : static_cast<char32_t>(v.i);
                std::string s = "'";
                if (r == '\'' || r == '\\') {
                    s += '\\';
                    s += static_cast<char>(r);
                } else {
                    append_escaped_rune(s, r, sp.plus);
                }
                s += '\'';
                pad(s, sp);
                return;
            }
            default: bad_verb(v, sp);
        }
    }

    void fmt_float(double f, Spec sp) {
        char verb = sp.verb;
        int prec = -1;
        if (verb == 'v') {
            verb = 'g';
        } else if (verb == 'F') {
            verb = 'f';
        }
        if (verb == 'e' || verb == 'E' || verb == 'f') prec = 6;
        if (sp.prec_present) prec = sp.prec;
        std::string num = format_float(f, verb, prec);
        if (num[0] != '-' && num[0] != '+') num.insert(num.begin(), '+');
        if (sp.space && num[0] == '+' && !sp.plus) num[0] = ' ';
        if (num[1] == 'I' || num[1] == 'N') {
            if (num[1] == 'N' && !sp.space && !sp.plus) num.erase(0, 1);
            sp.zero = false;
            pad(num, sp);
            return;
        }
        if (sp.plus || num[0] != '+') {
            if (sp.zero && sp.wid_present && sp.wid > static_cast<int>(num.size())) {
                out += num[0];
                out.append(sp.wid - num.size(), '0');
                out.append(num, 1);
                return;
            }
            pad(num, sp);
            return;
        }
        pad(std::string_view(num).substr(1), sp);
    }

    std::string truncate(std::string_view s, const Spec& sp) {
        if (!sp.prec_present) return std::string(s);
        size_t i = 0;
        for (int n = 0; i < s.size() && n < sp.prec; ++n) {
            size_t w;
            decode_rune(s, i, &w);
            i += w;
        }
        return std::string(s.substr(0, i));
    }

    void fmt_string(const Value& v, const std::string& s, const Spec& sp) {
        switch (sp.verb) {
            case 'v':
                if (sp.sharp) {
                    pad(go_quote(s), sp);
                } else {
                    pad(truncate(s, sp), sp);
                }
                return;
            case 's': pad(truncate(s, sp), sp); return;
            case 'q': pad(quote_with(truncate(s, sp), '"', sp.plus), sp); return;
            case 'x':
            case 'X': pad(hex_string(s, sp), sp); return;
            default: bad_verb(v, sp);
        }
    }

    std::string hex_string(std::string_view s, const Spec& sp) {
        const char* table = sp.verb == 'X' ? "0123456789ABCDEF" : kHexLower;
        size_t n = sp.prec_present ? std::min<size_t>(s.size(), sp.prec) : s.size();
        std::string r;
        for (size_t i = 0; i < n; ++i) {
            if (sp.space && i > 0) r += ' ';
            if (sp.sharp && (sp.space || i == 0)) r += sp.verb == 'X' ? "0X" : "0x";
            r += table[static_cast<unsigned char>(s[i]) >> 4];
            r += table[static_cast<unsigned char>(s[i]) & 15];
        }
        return r;
    }

    void print(const Value& v, const Spec& sp, int depth) {
        if (sp.verb == 'T') {
            pad(type_name(v), sp);
            return;
        }
        switch (v.type) {
            case GoType::Invalid:
            case GoType::Nil:
                if (sp.verb == 'v' || depth > 0) {
                    pad("<nil>", sp);
                } else {
                    bad_verb(v, sp);
                }
                return;
            case GoType::Bool:
                if (sp.verb == 'v' || sp.verb == 't') {
                    pad(v.b ? "true" : "false", sp);
                } else {
                    bad_verb(v, sp);
                }
                return;
            case GoType::Int:
            case GoType::Int64:
            case GoType::Uint8: fmt_int(v, sp); return;
            case GoType::Float64:
                if (std::strchr("vbeEfFgGxX", sp.verb) && sp.verb != 'b' && sp.verb != 'x' &&
                    sp.verb != 'X') {
                    fmt_float(v.f, sp);
                } else {
                    bad_verb(v, sp);
                }
                return;
            case GoType::String: fmt_string(v, v.s, sp); return;
            case GoType::Object: print_object(v, sp); return;
            default: break;
        }
        if (v.obj && v.obj->stringer()) {
            fmt_string(v, *v.obj->stringer(), sp);
            return;
        }
        if (v.is_list()) {
            print_list(v, sp, depth);
        } else {
            print_map(v, sp, depth);
        }
    }

    void print_object(const Value& v, const Spec& sp) {
        if (auto s = v.obj->stringer()) {
            if (std::strchr("vsxXq", sp.verb)) {
                fmt_string(v, *s, sp);
                return;
            }
        }
        out += "&{}";
    }

    void print_list(const Value& v, const Spec& sp, int depth) {
        if (sp.sharp && sp.verb == 'v') {
            out += type_name(v);
            if (!v.list) {
                out += "(nil)";
                return;
            }
            out += '{';
            for (size_t i = 0; i < v.size(); ++i) {
                if (i > 0) out += ", ";
                print((*v.list)[i], sp, depth + 1);
            }
            out += '}';
            return;
        }
        out += '[';
        for (size_t i = 0; i < v.size(); ++i) {
            if (i > 0) out += ' ';
            print((*v.list)[i], sp, depth + 1);
        }
        out += ']';
    }

    void print_map(const Value& v, const Spec& sp, int depth) {
        bool sharp_v = sp.sharp && sp.verb == 'v';
        if (sharp_v) {
            out += type_name(v);
            if (!v.map) {
                out += "(nil)";
                return;
            }
            out += '{';
        } else {
            out += "map[";
        }
        bool first = true;
        if (v.map) {
            for (const auto& [k, e] : *v.map) {
                if (!first) out += sharp_v ? ", " : " ";
                first = false;
                print(Value::string(k), sp, depth + 1);
                out += ':';
                print(e, sp, depth + 1);
            }
        }
        out += sharp_v ? '}' : ']';
    }
};

bool is_string_arg(const Value& v) { return v.type == GoType::String; }

}  // namespace

std::string sprint_value(const Value& v) {
    if (v.type == GoType::String) return v.s;
    if (v.type == GoType::Float64 && std::isfinite(v.f)) return format_float(v.f, 'g', -1);
    if (v.type == GoType::Int || v.type == GoType::Int64) return std::to_string(v.i);
    Printer p;
    p.print(v, Spec{}, 0);
    return p.out;
}

std::string sprint(const std::vector<Value>& args) {
    std::string out;
    bool prev_string = false;
    for (size_t i = 0; i < args.size(); ++i) {
        bool is_string = is_string_arg(args[i]);
        if (i > 0 && !is_string && !prev_string) out += ' ';
        out += sprint_value(args[i]);
        prev_string = is_string;
    }
    return out;
}

std::string sprintln(const std::vector<Value>& args) {
    std::string out;
    for (size_t i = 0; i < args.size(); ++i) {
        if (i > 0) out += ' ';
        out += sprint_value(args[i]);
    }
    out += '\n';
    return out;
}

namespace {

// Parses a decimal number at format[i]; Go's parsenum.
bool parse_num(std::string_view f, size_t& i, int& num) {
    bool found = false;
    num = 0;
    while (i < f.size() && f[i] >= '0' && f[i] <= '9') {
        if (num > 1000000) return false;  // tooLarge
        num = num * 10 + (f[i] - '0');
        found = true;
        ++i;
    }
    return found;
}

// A '*' width/precision argument: must be an int.
bool int_from_arg(const std::vector<Value>& args, size_t& argn, int& out) {
    if (argn >= args.size()) return false;
    const Value& v = args[argn++];
    if (!v.is_int()) return false;
    if (v.i > 1000000 || v.i < -1000000) return false;
    out = static_cast<int>(v.i);
    return true;
}

}  // namespace

std::string sprintf(std::string_view f, const std::vector<Value>& args) {
    Printer p;
    size_t argn = 0;
    size_t i = 0;
    while (i < f.size()) {
        size_t start = i;
        while (i < f.size() && f[i] != '%') ++i;
        p.out.append(f.substr(start, i - start));
        if (i >= f.size()) break;
        ++i;  // skip %
        Spec sp;
        for (; i < f.size(); ++i) {
            char c = f[i];
            if (c == '#') {
                sp.sharp = true;
            } else if (c == '0') {
                sp.zero = !sp.minus;
            } else if (c == '+') {
                sp.plus = true;
            } else if (c == '-') {
                sp.minus = true;
                sp.zero = false;
            } else if (c == ' ') {
                sp.space = true;
            } else {
                break;
            }
        }
        if (i < f.size() && f[i] == '*') {
            ++i;
            sp.wid_present = int_from_arg(args, argn, sp.wid);
            if (!sp.wid_present) p.out += "%!(BADWIDTH)";
            if (sp.wid < 0) {
                sp.wid = -sp.wid;
                sp.minus = true;
                sp.zero = false;
            }
        } else {
            sp.wid_present = parse_num(f, i, sp.wid);
        }
        if (i + 1 <= f.size() && i < f.size() && f[i] == '.') {
            ++i;
            if (i < f.size() && f[i] == '*') {
                ++i;
                sp.prec_present = int_from_arg(args, argn, sp.prec);
                if (sp.prec < 0) {
                    sp.prec = 0;
                    sp.prec_present = false;
                }
                if (!sp.prec_present) p.out += "%!(BADPREC)";
            } else {
                parse_num(f, i, sp.prec);
                sp.prec_present = true;
            }
        }
        if (i >= f.size()) {
            p.out += "%!(NOVERB)";
            break;
        }
        size_t w;
        char32_t verb = decode_rune(f, i, &w);
        i += w;
        if (verb == '%') {
            p.out += '%';
            continue;
        }
        if (argn >= args.size()) {
            p.out += "%!";
            append_rune(p.out, verb);
            p.out += "(MISSING)";
            continue;
        }
        if (verb >= 0x80) {
            // Multi-byte verbs are never valid for our types.
            p.out += "%!";
            append_rune(p.out, verb);
            p.out += '(';
            const Value& a = args[argn++];
            if (a.type == GoType::Invalid || a.type == GoType::Nil) {
                p.out += "<nil>";
            } else {
                p.out += type_name(a) + "=" + sprint_value(a);
            }
            p.out += ')';
            continue;
        }
        sp.verb = static_cast<char>(verb);
        if (sp.verb == 'v') {
            if (sp.sharp) {
                // %#v: Go-syntax; only the flag shape is kept.
            } else if (sp.plus) {
                sp.plus = false;  // %+v adds field names only for structs
            }
        }
        p.print(args[argn++], sp, 0);
    }
    if (argn < args.size()) {
        p.out += "%!(EXTRA ";
        for (size_t k = argn; k < args.size(); ++k) {
            if (k > argn) p.out += ", ";
            const Value& a = args[k];
            if (a.type == GoType::Invalid || a.type == GoType::Nil) {
                p.out += "<nil>";
            } else {
                p.out += type_name(a) + "=" + sprint_value(a);
            }
        }
        p.out += ')';
    }
    return p.out;
}

}  // namespace drover::tmpl
