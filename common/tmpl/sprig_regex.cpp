// Sprig regex functions on std::regex (ECMAScript) with Go's iteration rules for
// FindAll/ReplaceAll (empty matches next to a previous match are skipped) and Go's
// $1/${name} replacement expansion. RE2-only syntax is translated where it is common.
#include <cstring>
#include <regex>

#include "common/tmpl/gofmt.hpp"
#include "common/tmpl/sprig_util.hpp"

namespace drover::tmpl {

using namespace sprig;

namespace {

std::optional<std::regex> compile(const std::string& expr) {
    std::string e = expr;
    auto flags = std::regex::ECMAScript;
    if (e.starts_with("(?i)")) {
        e = e.substr(4);
        flags |= std::regex::icase;
    }
    // Named groups (?P<name>...) become plain groups; \A and \z become anchors.
    std::string out;
    for (size_t i = 0; i < e.size(); ++i) {
        if (e.compare(i, 3, "(?P") == 0 && i + 3 < e.size() && e[i + 3] == '<') {
            size_t close = e.find('>', i);
            if (close == std::string::npos) return std::nullopt;
            out += '(';
            i = close;
        } else if (e[i] == '\\' && i + 1 < e.size() && (e[i + 1] == 'A' || e[i + 1] == 'z')) {
            out += e[i + 1] == 'A' ? '^' : '$';
            ++i;
        } else if (e[i] == '\\' && i + 1 < e.size()) {
            out += e.substr(i, 2);
            ++i;
        } else {
            out += e[i];
        }
    }
    try {
        return std::regex(out, flags);
    } catch (const std::regex_error&) {
        return std::nullopt;
    }
}

const std::regex& must_compile(const std::string& expr, std::optional<std::regex>& slot) {
    slot = compile(expr);
    if (!slot) {
        throw CallError{"regexp: Compile(" + go_quote(expr) + "): error parsing regexp: invalid"};
    }
    return *slot;
}

struct Match {
    size_t b, e;
    std::smatch m;
};

// Go's allMatches loop over s; calls f for each accepted match until n are delivered.
template <class F>
void all_matches(const std::regex& re, const std::string& s, int64_t n, F f) {
    size_t pos = 0;
    int64_t delivered = 0;
    long prev_end = -1;
    while ((n < 0 || delivered < n) && pos <= s.size()) {
        std::smatch m;
        auto flags =
            pos > 0 ? std::regex_constants::match_prev_avail : std::regex_constants::match_default;
        if (!std::regex_search(s.begin() + static_cast<long>(pos), s.end(), m, re, flags)) break;
        size_t b = pos + static_cast<size_t>(m.position(0));
        size_t e = b + static_cast<size_t>(m.length(0));
        bool accept = true;
        if (e == pos) {
            if (static_cast<long>(b) == prev_end) accept = false;
            size_t w = 1;
            if (pos < s.size()) decode_rune(s, pos, &w);
            pos += w;
        } else {
            pos = e;
        }
        prev_end = static_cast<long>(e);
        if (accept) {
            f(Match{b, e, m});
            ++delivered;
        }
    }
}

std::string expand(const std::string& tmpl, const std::smatch& m) {
    std::string out;
    for (size_t i = 0; i < tmpl.size(); ++i) {
        if (tmpl[i] != '$') {
            out += tmpl[i];
            continue;
        }
        if (i + 1 < tmpl.size() && tmpl[i + 1] == '$') {
            out += '$';
            ++i;
            continue;
        }
        size_t j = i + 1;
        bool brace = j < tmpl.size() && tmpl[j] == '{';
        if (brace) ++j;
        size_t start = j;
        while (j < tmpl.size() &&
               (std::isalnum(static_cast<unsigned char>(tmpl[j])) || tmpl[j] == '_'))
            ++j;
        std::string name = tmpl.substr(start, j - start);
        if (name.empty() || (brace && (j >= tmpl.size() || tmpl[j] != '}'))) {
            out += '$';
            continue;
        }
        if (brace) ++j;
        bool numeric = name.find_first_not_of("0123456789") == std::string::npos;
        if (numeric && name.size() < 9) {
            size_t g = std::stoul(name);
            if (g < m.size() && m[g].matched) out += m[g].str();
        }
        i = j - 1;
    }
    return out;
}

std::string replace_all(const std::regex& re, const std::string& s, const std::string& repl,
                        bool literal) {
    std::string out;
    size_t last = 0, pos = 0;
    while (pos <= s.size()) {
        std::smatch m;
        auto flags =
            pos > 0 ? std::regex_constants::match_prev_avail : std::regex_constants::match_default;
        if (!std::regex_search(s.begin() + static_cast<long>(pos), s.end(), m, re, flags)) break;
        size_t b = pos + static_cast<size_t>(m.position(0));
        size_t e = b + static_cast<size_t>(m.length(0));
        out.append(s, last, b - last);
        if (e > last || b == 0) out += literal ? repl : expand(repl, m);
        last = e;
        size_t w = 1;
        if (pos < s.size()) decode_rune(s, pos, &w);
        if (pos + w > e) {
            pos += w;
        } else {
            pos = e;
        }
    }
    out.append(s, std::min(last, s.size()));
    return out;
}

}  // namespace

void add_sprig_regex(FuncMap& m) {
    const Signature s2{{Arg::String, Arg::String}};
    m["regexMatch"] = fn(s2, [](const Value&, std::vector<Value>& a) {
        auto re = compile(a[0].s);
        return Value::boolean(re && std::regex_search(a[1].s, *re));
    });
    m["mustRegexMatch"] = fn(s2, [](const Value&, std::vector<Value>& a) {
        std::optional<std::regex> slot;
        return Value::boolean(std::regex_search(a[1].s, must_compile(a[0].s, slot)));
    });
    m["regexFind"] = fn(s2, [](const Value&, std::vector<Value>& a) {
        std::optional<std::regex> slot;
        std::string found;
        all_matches(must_compile(a[0].s, slot), a[1].s, 1,
                    [&](const Match& mt) { found = a[1].s.substr(mt.b, mt.e - mt.b); });
        return Value::string(found);
    });
    m["regexFindAll"] =
        fn({{Arg::String, Arg::String, Arg::Int}}, [](const Value&, std::vector<Value>& a) {
            std::optional<std::regex> slot;
            std::vector<std::string> found;
            all_matches(must_compile(a[0].s, slot), a[1].s, a[2].i, [&](const Match& mt) {
                found.push_back(a[1].s.substr(mt.b, mt.e - mt.b));
            });
            if (found.empty()) {
                Value v;
                v.type = GoType::ListString;
                return v;
            }
            return string_list(found);
        });
    auto replacer = [](bool literal) {
        return [literal](const Value&, std::vector<Value>& a) {
            std::optional<std::regex> slot;
            return Value::string(replace_all(must_compile(a[0].s, slot), a[1].s, a[2].s, literal));
        };
    };
    m["regexReplaceAll"] = fn({{Arg::String, Arg::String, Arg::String}}, replacer(false));
    m["regexReplaceAllLiteral"] = fn({{Arg::String, Arg::String, Arg::String}}, replacer(true));
    m["regexSplit"] =
        fn({{Arg::String, Arg::String, Arg::Int}}, [](const Value&, std::vector<Value>& a) {
            std::optional<std::regex> slot;
            const std::regex& re = must_compile(a[0].s, slot);
            const std::string& s = a[1].s;
            int64_t n = a[2].i;
            std::vector<std::string> out;
            if (n == 0) {
                Value v;
                v.type = GoType::ListString;
                return v;
            }
            if (!a[0].s.empty() && s.empty()) return string_list({""});
            std::vector<std::pair<size_t, size_t>> ms;
            all_matches(re, s, n, [&](const Match& mt) { ms.push_back({mt.b, mt.e}); });
            size_t beg = 0, end = 0;
            for (const auto& [b, e] : ms) {
                if (n > 0 && static_cast<int64_t>(out.size()) == n - 1) break;
                end = b;
                if (e != 0) out.push_back(s.substr(beg, end - beg));
                beg = e;
            }
            if (end != s.size()) out.push_back(s.substr(beg));
            return string_list(out);
        });
    m["regexQuoteMeta"] = fn({{Arg::String}}, [](const Value&, std::vector<Value>& a) {
        std::string out;
        for (char c : a[0].s) {
            if (std::strchr("\\.+*?()|[]{}^$", c) && c != '\0') out += '\\';
            out += c;
        }
        return Value::string(out);
    });
}

}  // namespace drover::tmpl
