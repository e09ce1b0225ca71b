// Go fmt's printing engine: %v of every value shape, the printf verb/flag/width machinery
// with Go's "%!verb(type=value)" annotations, and Sprint/Sprintln spacing rules.
#include <cmath>
#include <cstdio>
#include <cstring>

#include "common/tmpl/func.hpp"
#include "common/tmpl/gofmt.hpp"
#include "common/tmpl/render_budget.hpp"

namespace drover::tmpl {

namespace {

// Counts prints of objects Go would show with pointer addresses (see opaque_prints()).
thread_local uint64_t g_opaque_prints = 0;

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
    bool sharp_v = false;  // %#v (Go moves '#' here for the v verb)
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
            // Go prints the operand with %v but keeps the directive's flags and width.
            Spec as_v = sp;
            as_v.verb = 'v';
            as_v.sharp_v = false;
            print(v, as_v, 0);
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
        if (static_cast<int>(digits.size()) < prec)  // at once: one by one was quadratic
            digits.insert(0, static_cast<size_t>(prec) - digits.size(), '0');
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
                if (sp.sharp_v && !is_signed) {
                    Spec hex = sp;
                    hex.sharp = true;
                    fmt_integer(u, false, 16, false, hex);
                } else {
                    fmt_integer(u, is_signed, 10, false, sp);
                }
                return;
            case 'd':
                fmt_integer(u, is_signed, 10, false, sp);
                return;
            case 'b':
                fmt_integer(u, is_signed, 2, false, sp);
                return;
            case 'o':
            case 'O':
                fmt_integer(u, is_signed, 8, false, sp);
                return;
            case 'x':
                fmt_integer(u, is_signed, 16, false, sp);
                return;
            case 'X':
                fmt_integer(u, is_signed, 16, true, sp);
                return;
            case 'c': {
                std::string s;
                append_rune(s, v.i < 0 || v.i > 0x10FFFF ? 0xFFFD : static_cast<char32_t>(v.i));
                pad(s, sp);
                return;
            }
            case 'U': {
                char buf[32];
                int ndig = sp.prec_present && sp.prec > 4 ? sp.prec : 4;
                std::snprintf(buf, sizeof buf, "%llX", static_cast<unsigned long long>(u));
                std::string hexd = buf;
                if (static_cast<int>(hexd.size()) < ndig) hexd.insert(0, ndig - hexd.size(), '0');
                std::string s = "U+" + hexd;
                if (sp.sharp && v.i >= 0 && v.i <= 0x10FFFF &&
                    is_print_rune(static_cast<char32_t>(v.i))) {
                    s += " '";
                    append_rune(s, static_cast<char32_t>(v.i));
                    s += "'";
                }
                sp.zero = false;  // fmtUnicode never zero-pads
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
            default:
                bad_verb(v, sp);
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
        if (sp.sharp && verb != 'b') sharp_float(num, verb, prec);
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

    // The '#' flag on floats: always a decimal point; %g/%x keep trailing zeros.
    static void sharp_float(std::string& num, char verb, int prec) {
        int digits = 0;
        if (verb == 'v' || verb == 'g' || verb == 'G' || verb == 'x')
            digits = prec == -1 ? 6 : prec;
        std::string tail;
        bool has_point = false, nonzero = false;
        for (size_t i = 1; i < num.size(); ++i) {
            char c = num[i];
            if (c == '.') {
                has_point = true;
            } else if (c == 'p' || c == 'P' ||
                       ((c == 'e' || c == 'E') && verb != 'x' && verb != 'X')) {
                tail = num.substr(i);
                num.resize(i);
                break;
            } else {
                if (c != '0') nonzero = true;
                if (nonzero) --digits;
            }
        }
        if (!has_point) {
            if (num.size() == 2 && num[1] == '0') --digits;
            num += '.';
        }
        for (; digits > 0; --digits)
            num += '0';
        num += tail;
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
                if (sp.sharp_v) {
                    pad(go_quote(truncate(s, sp)), sp);
                } else {
                    pad(truncate(s, sp), sp);
                }
                return;
            case 's':
                pad(truncate(s, sp), sp);
                return;
            case 'q': {
                std::string t = truncate(s, sp);
                bool backquote = sp.sharp && t.find('`') == std::string::npos;
                for (size_t i = 0; backquote && i < t.size();) {
                    size_t w;
                    char32_t r = decode_rune(t, i, &w);
                    if ((r < ' ' && r != '\t') || r == 0x7F || r == 0xFEFF ||
                        (r == 0xFFFD && w == 1)) {
                        backquote = false;
                    }
                    i += w;
                }
                pad(backquote ? "`" + t + "`" : quote_with(t, '"', sp.plus), sp);
                return;
            }
            case 'x':
            case 'X':
                pad(hex_string(s, sp), sp);
                return;
            default:
                bad_verb(v, sp);
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
        RenderBudget::walk_node();  // a DAG of shared lists prints exponentially
        RenderBudget::check_bytes(out.size());
        if (sp.verb == 'T') {
            bool nil = v.type == GoType::Invalid || v.type == GoType::Nil;
            pad(nil ? std::string("<nil>") : truncate(type_name(v), sp), sp);
            return;
        }
        switch (v.type) {
            case GoType::Invalid:
            case GoType::Nil:
                if (depth > 0 && sp.sharp_v) {
                    pad("interface {}(nil)", sp);
                } else if (sp.verb == 'v' || depth > 0) {
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
            case GoType::Uint8:
                fmt_int(v, sp);
                return;
            case GoType::Float64:
                if (std::strchr("vbeEfFgGxX", sp.verb)) {
                    fmt_float(v.f, sp);
                } else {
                    bad_verb(v, sp);
                }
                return;
            case GoType::String:
                fmt_string(v, v.s, sp);
                return;
            case GoType::Object:
                print_object(v, sp);
                return;
            default:
                break;
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
        ++g_opaque_prints;
    }

    void print_list(const Value& v, const Spec& sp, int depth) {
        if (sp.sharp_v) {
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
        bool sharp_v = sp.sharp_v;
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

bool is_string_arg(const Value& v) {
    return v.type == GoType::String;
}

}  // namespace

uint64_t opaque_prints() {
    return g_opaque_prints;
}

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
        while (i < f.size() && f[i] != '%')
            ++i;
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
            // Go moves '#' and '+' to sharpV/plusV for the v verb.
            sp.sharp_v = sp.sharp;
            sp.sharp = false;
            sp.plus = false;  // plusV only adds field names to structs
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
