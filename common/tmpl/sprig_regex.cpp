// Sprig regex functions on RE2, the engine Go's regexp implements: the same syntax (named
// groups, (?i), \A, \z, Perl classes), linear time and no recursion on the subject, so a hostile
// pattern or a long text can neither hang a render nor overflow the stack (std::regex did both).
// Go's iteration rules for FindAll/ReplaceAll (empty matches next to a previous match are
// skipped) and Go's $1/${name} replacement expansion are kept here.
#include <re2/re2.h>

#include <cstring>
#include <memory>

#include "common/tmpl/gofmt.hpp"
#include "common/tmpl/render_budget.hpp"
#include "common/tmpl/sprig_util.hpp"

namespace drover::tmpl {

using namespace sprig;

namespace {

std::unique_ptr<RE2> compile(const std::string& expr) {
    RE2::Options options;
    options.set_log_errors(false);
    auto re = std::make_unique<RE2>(expr, options);
    if (!re->ok()) return nullptr;
    return re;
}

std::unique_ptr<RE2> must_compile(const std::string& expr) {
    auto re = compile(expr);
    if (!re) {
        throw CallError{"regexp: Compile(" + go_quote(expr) + "): error parsing regexp: invalid"};
    }
    return re;
}

// One match: the whole match and each group as [begin, end) offsets, npos when unmatched.
struct Match {
    size_t b, e;
    std::vector<std::pair<size_t, size_t>> groups;
};

// The leftmost match at or after `pos`, with the text before `pos` as context for ^ and \b (as
// Go's doExecute searches from a position).
std::optional<Match> search(const RE2& re, const std::string& s, size_t pos) {
    std::vector<re2::StringPiece> found(static_cast<size_t>(re.NumberOfCapturingGroups()) + 1);
    if (!re.Match(s, pos, s.size(), RE2::UNANCHORED, found.data(), static_cast<int>(found.size())))
        return std::nullopt;
    Match m;
    for (const auto& g : found) {
        if (g.data() == nullptr) {
            m.groups.emplace_back(std::string::npos, std::string::npos);
        } else {
            auto b = static_cast<size_t>(g.data() - s.data());
            m.groups.emplace_back(b, b + g.size());
        }
    }
    m.b = m.groups[0].first;
    m.e = m.groups[0].second;
    return m;
}

size_t rune_width_at(const std::string& s, size_t pos) {
    size_t w = 1;
    if (pos < s.size()) decode_rune(s, pos, &w);
    return w;
}

// Go's allMatches loop over s; calls f for each accepted match until n are delivered.
template <class F>
void all_matches(const RE2& re, const std::string& s, int64_t n, F f) {
    size_t pos = 0;
    int64_t delivered = 0;
    long prev_end = -1;
    while ((n < 0 || delivered < n) && pos <= s.size()) {
        auto m = search(re, s, pos);
        if (!m) break;
        bool accept = true;
        if (m->e == pos) {
            if (static_cast<long>(m->b) == prev_end) accept = false;
            pos += rune_width_at(s, pos);
        } else {
            pos = m->e;
        }
        prev_end = static_cast<long>(m->e);
        if (accept) {
            f(*m);
            ++delivered;
        }
    }
}

// Go's Regexp.Expand: $n and ${n} are groups by number, $name and ${name} by name; unknown or
// unmatched ones expand to nothing; $$ is a '$'.
std::string expand(const std::string& tmpl, const RE2& re, const std::string& s, const Match& m) {
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
        std::optional<size_t> group;
        if (name.find_first_not_of("0123456789") == std::string::npos) {
            if (name.size() < 9) group = std::stoul(name);
        } else if (auto it = re.NamedCapturingGroups().find(name);
                   it != re.NamedCapturingGroups().end()) {
            group = static_cast<size_t>(it->second);
        }
        if (group && *group < m.groups.size() && m.groups[*group].first != std::string::npos) {
            const auto& [b, e] = m.groups[*group];
            out.append(s, b, e - b);
            RenderBudget::check_bytes(out.size());
        }
        i = j - 1;
    }
    return out;
}

// Go's replaceAll: a replacement per match, none for an empty match right after a match.
std::string replace_all(const RE2& re, const std::string& s, const std::string& repl,
                        bool literal) {
    std::string out;
    size_t last = 0, pos = 0;
    while (pos <= s.size()) {
        auto m = search(re, s, pos);
        if (!m) break;
        out.append(s, last, m->b - last);
        if (m->e > last || m->b == 0) out += literal ? repl : expand(repl, re, s, *m);
        RenderBudget::check_bytes(out.size());  // a long replacement times many matches
        last = m->e;
        size_t w = rune_width_at(s, pos);
        pos = pos + w > m->e ? pos + w : m->e;
    }
    out.append(s, std::min(last, s.size()));
    return out;
}

}  // namespace

void add_sprig_regex(FuncMap& m) {
    const Signature s2{{Arg::String, Arg::String}};
    m["regexMatch"] = fn(s2, [](const Value&, std::vector<Value>& a) {
        auto re = compile(a[0].s);
        return Value::boolean(re && RE2::PartialMatch(a[1].s, *re));
    });
    m["mustRegexMatch"] = fn(s2, [](const Value&, std::vector<Value>& a) {
        return Value::boolean(RE2::PartialMatch(a[1].s, *must_compile(a[0].s)));
    });
    m["regexFind"] = fn(s2, [](const Value&, std::vector<Value>& a) {
        std::string found;
        all_matches(*must_compile(a[0].s), a[1].s, 1,
                    [&](const Match& mt) { found = a[1].s.substr(mt.b, mt.e - mt.b); });
        return Value::string(found);
    });
    m["regexFindAll"] =
        fn({{Arg::String, Arg::String, Arg::Int}}, [](const Value&, std::vector<Value>& a) {
            std::vector<std::string> found;
            all_matches(*must_compile(a[0].s), a[1].s, a[2].i, [&](const Match& mt) {
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
            return Value::string(replace_all(*must_compile(a[0].s), a[1].s, a[2].s, literal));
        };
    };
    m["regexReplaceAll"] = fn({{Arg::String, Arg::String, Arg::String}}, replacer(false));
    m["regexReplaceAllLiteral"] = fn({{Arg::String, Arg::String, Arg::String}}, replacer(true));
    m["regexSplit"] =
        fn({{Arg::String, Arg::String, Arg::Int}}, [](const Value&, std::vector<Value>& a) {
            auto re = must_compile(a[0].s);
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
            all_matches(*re, s, n, [&](const Match& mt) { ms.push_back({mt.b, mt.e}); });
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
