// Sprig string functions (strings.go in Sprig): note Sprig's argument order puts the
// subject string last so that it can be piped in ({{ .x | trimPrefix "a" }}).
#include <algorithm>
#include <limits>

#include "common/tmpl/gofmt.hpp"
#include "common/tmpl/render_budget.hpp"
#include "common/tmpl/sprig_util.hpp"

namespace drover::tmpl {

using namespace sprig;

namespace {

bool is_space_rune(char32_t r) {
    switch (r) {
        case '\t':
        case '\n':
        case '\v':
        case '\f':
        case '\r':
        case ' ':
        case 0x85:
        case 0xA0:
        case 0x1680:
        case 0x2028:
        case 0x2029:
        case 0x202F:
        case 0x205F:
        case 0x3000:
            return true;
        default:
            return r >= 0x2000 && r <= 0x200A;
    }
}

std::string trim_space(const std::string& s) {
    size_t b = 0;
    while (b < s.size()) {
        size_t w;
        char32_t r = decode_rune(s, b, &w);
        if (!is_space_rune(r)) break;
        b += w;
    }
    size_t e = s.size();
    while (e > b) {
        size_t p = e - 1;
        while (p > b && (static_cast<unsigned char>(s[p]) & 0xC0) == 0x80)
            --p;
        size_t w;
        char32_t r = decode_rune(s, p, &w);
        if (!is_space_rune(r) || p + w != e) break;
        e = p;
    }
    return s.substr(b, e - b);
}

// Simple case mapping for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic (the
// scripts task content uses); other runes are left unchanged.
char32_t to_upper_rune(char32_t r) {
    if (r < 0x80) return static_cast<char32_t>(std::toupper(static_cast<int>(r)));
    if ((r >= 0xE0 && r <= 0xFE && r != 0xF7)) return r - 0x20;
    if (r == 0xFF) return 0x178;
    if (r == 0xB5) return 0x39C;
    if (r >= 0x100 && r <= 0x17F) {
        bool odd_lower = (r < 0x138) || (r >= 0x14A && r < 0x178);
        if (r == 0x131) return 'I';
        if (odd_lower && (r & 1)) return r - 1;
        if (!odd_lower && !(r & 1) && r != 0x138 && r != 0x178 && r != 0x17F) return r - 1;
        return r == 0x17F ? 'S' : r;
    }
    if (r >= 0x3B1 && r <= 0x3C9 && r != 0x3C2) return r - 0x20;
    if (r == 0x3C2) return 0x3A3;
    if (r >= 0x430 && r <= 0x44F) return r - 0x20;
    if (r >= 0x450 && r <= 0x45F) return r - 0x50;
    return r;
}

char32_t to_lower_rune(char32_t r) {
    if (r < 0x80) return static_cast<char32_t>(std::tolower(static_cast<int>(r)));
    if (r >= 0xC0 && r <= 0xDE && r != 0xD7) return r + 0x20;
    if (r == 0x178) return 0xFF;
    if (r >= 0x100 && r <= 0x17F) {
        bool even_upper = (r < 0x138) || (r >= 0x14A && r < 0x178);
        if (r == 0x130) return 'i';
        if (even_upper && !(r & 1)) return r + 1;
        if (!even_upper && (r & 1) && r != 0x149 && r != 0x17F) return r + 1;
        return r;
    }
    if (r >= 0x391 && r <= 0x3A9 && r != 0x3A2) return r + 0x20;
    if (r >= 0x410 && r <= 0x42F) return r + 0x20;
    if (r >= 0x400 && r <= 0x40F) return r + 0x50;
    return r;
}

std::string map_runes(const std::string& s, char32_t (*f)(char32_t)) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        size_t w;
        char32_t r = decode_rune(s, i, &w);
        if (r == 0xFFFD && w == 1) {
            out += "\xEF\xBF\xBD";
        } else {
            append_rune(out, f(r));
        }
        i += w;
    }
    return out;
}

// strings.Title: upper-case letters that follow a separator.
std::string title(const std::string& s) {
    std::string out;
    char32_t prev = ' ';
    for (size_t i = 0; i < s.size();) {
        size_t w;
        char32_t r = decode_rune(s, i, &w);
        bool sep;
        if (prev < 0x80) {
            sep = !(std::isalnum(static_cast<int>(prev)) || prev == '_');
        } else {
            sep = is_space_rune(prev);
        }
        if (sep && r < 0x80) {
            out += static_cast<char>(std::toupper(static_cast<int>(r)));
        } else {
            out.append(s, i, w);
        }
        prev = r;
        i += w;
    }
    return out;
}

// The output grows by up to `to` per match, so it is checked against the render's byte limit
// as it grows (indent and replace multiply a long text by a long replacement).
std::string replace_all(const std::string& src, const std::string& from, const std::string& to) {
    std::string out;
    if (from.empty()) {
        // Go inserts `to` before every rune and at the end.
        for (size_t i = 0; i < src.size();) {
            size_t w;
            decode_rune(src, i, &w);
            out += to;
            out.append(src, i, w);
            RenderBudget::check_bytes(out.size());
            i += w;
        }
        return out + to;
    }
    size_t pos = 0;
    for (;;) {
        size_t f = src.find(from, pos);
        if (f == std::string::npos) break;
        out.append(src, pos, f - pos);
        out += to;
        RenderBudget::check_bytes(out.size());
        pos = f + from.size();
    }
    return out + src.substr(pos);
}

std::string trim_cutset(const std::string& s, const std::string& cutset) {
    auto in_set = [&](char32_t r) {
        for (size_t i = 0; i < cutset.size();) {
            size_t w;
            if (decode_rune(cutset, i, &w) == r) return true;
            i += w;
        }
        return false;
    };
    size_t b = 0;
    while (b < s.size()) {
        size_t w;
        if (!in_set(decode_rune(s, b, &w))) break;
        b += w;
    }
    size_t e = s.size();
    while (e > b) {
        size_t p = e - 1;
        while (p > b && (static_cast<unsigned char>(s[p]) & 0xC0) == 0x80)
            --p;
        size_t w;
        if (!in_set(decode_rune(s, p, &w))) break;
        e = p;
    }
    return s.substr(b, e - b);
}

[[noreturn]] void slice_oob(const std::string& detail) {
    throw CallError{"runtime error: slice bounds out of range " + detail};
}

std::string substr(int64_t start, int64_t end, const std::string& s) {
    auto n = static_cast<int64_t>(s.size());
    if (start < 0) {
        if (end < 0) slice_oob("[:" + std::to_string(end) + "]");
        if (end > n) slice_oob("[:" + std::to_string(end) + "] with length " + std::to_string(n));
        return s.substr(0, end);
    }
    if (end < 0 || end > n) {
        if (start > n) slice_oob("[" + std::to_string(start) + ":" + std::to_string(n) + "]");
        return s.substr(start);
    }
    if (start > end) slice_oob("[" + std::to_string(start) + ":" + std::to_string(end) + "]");
    return s.substr(start, end - start);
}

}  // namespace

namespace sprig {

std::vector<std::string> go_split(const std::string& s, const std::string& sep, int64_t n) {
    std::vector<std::string> out;
    if (n == 0) return out;
    if (sep.empty()) {
        for (size_t i = 0; i < s.size();) {
            size_t w;
            decode_rune(s, i, &w);
            if (n > 0 && static_cast<int64_t>(out.size()) == n - 1) {
                out.push_back(s.substr(i));
                return out;
            }
            out.push_back(s.substr(i, w));
            i += w;
        }
        return out;
    }
    size_t pos = 0;
    while (n < 0 || static_cast<int64_t>(out.size()) < n - 1) {
        size_t f = s.find(sep, pos);
        if (f == std::string::npos) break;
        out.push_back(s.substr(pos, f - pos));
        pos = f + sep.size();
    }
    out.push_back(s.substr(pos));
    return out;
}

// strslice: how join/sortAlpha turn any value into []string.
std::vector<std::string> strslice(const Value& v) {
    std::vector<std::string> out;
    if (v.is_list()) {
        for (size_t i = 0; i < v.size(); ++i) {
            const Value& e = (*v.list)[i];
            if (e.type != GoType::Nil && e.type != GoType::Invalid) out.push_back(strval(e));
        }
        return out;
    }
    if (v.type == GoType::Nil || !v.valid()) return out;
    out.push_back(strval(v));
    return out;
}

}  // namespace sprig

namespace {

Value split_map(const std::vector<std::string>& parts) {
    Map m;
    for (size_t i = 0; i < parts.size(); ++i) {
        m["_" + std::to_string(i)] = Value::string(parts[i]);
    }
    return Value::map_of(std::move(m), GoType::MapString);
}

using S = Arg;

Value str(std::string s) {
    return Value::string(std::move(s));
}

}  // namespace

void add_sprig_strings(FuncMap& m) {
    const Signature s1{{S::String}};
    const Signature s2{{S::String, S::String}};
    m["trim"] = fn(s1, [](const Value&, std::vector<Value>& a) { return str(trim_space(a[0].s)); });
    m["upper"] = fn(s1, [](const Value&, std::vector<Value>& a) {
        return str(map_runes(a[0].s, to_upper_rune));
    });
    m["lower"] = fn(s1, [](const Value&, std::vector<Value>& a) {
        return str(map_runes(a[0].s, to_lower_rune));
    });
    m["title"] = fn(s1, [](const Value&, std::vector<Value>& a) { return str(title(a[0].s)); });
    m["untitle"] = fn(s1, [](const Value&, std::vector<Value>& a) {
        std::string s = a[0].s;
        if (!s.empty() && static_cast<unsigned char>(s[0]) < 0x80) {
            s[0] = static_cast<char>(std::tolower(s[0]));
        }
        return str(s);
    });
    m["substr"] = fn({{S::Int, S::Int, S::String}}, [](const Value&, std::vector<Value>& a) {
        return str(substr(a[0].i, a[1].i, a[2].s));
    });
    m["repeat"] = fn({{S::Int, S::String}}, [](const Value&, std::vector<Value>& a) {
        if (a[0].i < 0) throw CallError{"strings: negative Repeat count"};
        auto count = static_cast<uint64_t>(a[0].i);
        // Go panics only when the length overflows int; drover stops at the render's limit.
        if (!a[1].s.empty() && count > std::numeric_limits<int64_t>::max() / a[1].s.size())
            throw CallError{"strings: Repeat output length overflow"};
        RenderBudget::check_bytes(a[1].s.size() * count);
        std::string out;
        if (a[1].s.empty()) return str(out);  // count may be huge
        out.reserve(a[1].s.size() * count);
        for (uint64_t i = 0; i < count; ++i)
            out += a[1].s;
        return str(out);
    });
    Impl trim_all = [](const Value&, std::vector<Value>& a) {
        return str(trim_cutset(a[1].s, a[0].s));
    };
    m["trimAll"] = fn(s2, trim_all);
    m["trimall"] = fn(s2, trim_all);
    m["trimSuffix"] = fn(s2, [](const Value&, std::vector<Value>& a) {
        const std::string& s = a[1].s;
        return str(s.ends_with(a[0].s) ? s.substr(0, s.size() - a[0].s.size()) : s);
    });
    m["trimPrefix"] = fn(s2, [](const Value&, std::vector<Value>& a) {
        const std::string& s = a[1].s;
        return str(s.starts_with(a[0].s) ? s.substr(a[0].s.size()) : s);
    });
    m["nospace"] = fn(s1, [](const Value&, std::vector<Value>& a) {
        std::string out;
        const std::string& s = a[0].s;
        for (size_t i = 0; i < s.size();) {
            size_t w;
            char32_t r = decode_rune(s, i, &w);
            if (!is_space_rune(r)) out.append(s, i, w);
            i += w;
        }
        return str(out);
    });
    m["contains"] = fn(s2, [](const Value&, std::vector<Value>& a) {
        return Value::boolean(a[1].s.find(a[0].s) != std::string::npos);
    });
    m["hasPrefix"] = fn(s2, [](const Value&, std::vector<Value>& a) {
        return Value::boolean(a[1].s.starts_with(a[0].s));
    });
    m["hasSuffix"] = fn(s2, [](const Value&, std::vector<Value>& a) {
        return Value::boolean(a[1].s.ends_with(a[0].s));
    });
    m["quote"] = fn({{S::Any}, true}, [](const Value&, std::vector<Value>& a) {
        std::string out;
        bool first = true;
        for (const auto& v : a) {
            if (v.type == GoType::Nil) continue;
            if (!first) out += ' ';
            first = false;
            out += go_quote(strval(v));
        }
        return str(out);
    });
    m["squote"] = fn({{S::Any}, true}, [](const Value&, std::vector<Value>& a) {
        std::string out;
        bool first = true;
        for (const auto& v : a) {
            if (v.type == GoType::Nil) continue;
            if (!first) out += ' ';
            first = false;
            out += "'" + sprint_value(v) + "'";
        }
        return str(out);
    });
    m["cat"] = fn({{S::Any}, true}, [](const Value&, std::vector<Value>& a) {
        std::string out;
        bool first = true;
        for (const auto& v : a) {
            if (v.type == GoType::Nil) continue;
            if (!first) out += ' ';
            first = false;
            out += sprint_value(v);
        }
        return str(out);
    });
    Impl indent = [](const Value&, std::vector<Value>& a) {
        if (a[0].i < 0) throw CallError{"strings: negative Repeat count"};
        RenderBudget::check_bytes(static_cast<uint64_t>(a[0].i));
        std::string pad(static_cast<size_t>(a[0].i), ' ');
        return str(pad + replace_all(a[1].s, "\n", "\n" + pad));
    };
    m["indent"] = fn({{S::Int, S::String}}, indent);
    m["nindent"] = fn({{S::Int, S::String}}, [indent](const Value& self, std::vector<Value>& a) {
        return str("\n" + indent(self, a).s);
    });
    m["replace"] = fn({{S::String, S::String, S::String}}, [](const Value&, std::vector<Value>& a) {
        return str(replace_all(a[2].s, a[0].s, a[1].s));
    });
    m["plural"] = fn({{S::String, S::String, S::Int}}, [](const Value&, std::vector<Value>& a) {
        return str(a[2].i == 1 ? a[0].s : a[1].s);
    });
    m["toString"] =
        fn({{S::Any}}, [](const Value&, std::vector<Value>& a) { return str(strval(a[0])); });
    m["split"] = fn(s2, [](const Value&, std::vector<Value>& a) {
        return split_map(go_split(a[1].s, a[0].s, -1));
    });
    m["splitn"] = fn({{S::String, S::Int, S::String}}, [](const Value&, std::vector<Value>& a) {
        return split_map(go_split(a[2].s, a[0].s, a[1].i));
    });
    m["splitList"] = fn(s2, [](const Value&, std::vector<Value>& a) {
        return string_list(go_split(a[1].s, a[0].s, -1));
    });
    m["join"] = fn({{S::String, S::Any}}, [](const Value&, std::vector<Value>& a) {
        std::string out;
        auto parts = strslice(a[1]);
        for (size_t i = 0; i < parts.size(); ++i) {
            if (i > 0) out += a[0].s;
            out += parts[i];
            RenderBudget::check_bytes(out.size());  // a long separator times many parts
        }
        return str(out);
    });
    m["trunc"] = fn({{S::Int, S::String}}, [](const Value&, std::vector<Value>& a) {
        int64_t c = a[0].i;
        const std::string& s = a[1].s;
        auto n = static_cast<int64_t>(s.size());
        if (c < 0 && n + c > 0) return str(s.substr(n + c));
        if (c >= 0 && n > c) return str(s.substr(0, c));
        return str(s);
    });
}

}  // namespace drover::tmpl
