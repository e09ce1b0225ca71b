#include "common/api/safe_regex.hpp"

#include "common/api/clip.hpp"

#include <cctype>
#include <optional>
#include <vector>

namespace drover::api {

namespace {

// Length of a "{n}", "{n,}" or "{n,m}" quantifier at `i` (0 if it is a literal '{', as
// ECMAScript allows), and its largest bound through `bound`.
std::size_t counted_repeat(std::string_view p, std::size_t i, std::size_t& bound) {
    std::size_t j = i + 1;
    bound = 0;
    bool digits = false;
    auto read_number = [&] {
        std::size_t n = 0;
        while (j < p.size() && std::isdigit(static_cast<unsigned char>(p[j]))) {
            n = n > kMaxRegexRepeat ? n : n * 10 + static_cast<std::size_t>(p[j] - '0');
            digits = true;
            ++j;
        }
        bound = std::max(bound, n);
    };
    read_number();
    if (!digits) return 0;
    if (j < p.size() && p[j] == ',') {
        ++j;
        read_number();
    }
    return j < p.size() && p[j] == '}' ? j - i + 1 : 0;
}

// Index just past a bracket expression starting at `i` ('[').
std::size_t skip_class(std::string_view p, std::size_t i) {
    std::size_t j = i + 1;
    if (j < p.size() && p[j] == '^') ++j;
    if (j < p.size() && p[j] == ']') ++j;
    for (; j < p.size() && p[j] != ']'; ++j)
        if (p[j] == '\\') ++j;
    return j + 1;
}

// Length of the quantifier at `i` (with its lazy '?'), 0 if none; its bound goes to `bound`.
std::size_t quantifier_at(std::string_view p, std::size_t i, std::size_t& bound) {
    bound = 0;
    if (i >= p.size()) return 0;
    std::size_t len = 0;
    if (p[i] == '*' || p[i] == '+' || p[i] == '?')
        len = 1;
    else if (p[i] == '{')
        len = counted_repeat(p, i, bound);
    if (len && i + len < p.size() && p[i + len] == '?') ++len;
    return len;
}

// What a group holds, for the exponential-shape check.
struct GroupShape {
    bool quantifier = false;
    bool alternation = false;
};

// nullopt if the shape is acceptable, else why not.
std::optional<std::string> shape_problem(std::string_view p) {
    std::vector<GroupShape> groups{GroupShape{}};  // one frame per open group, plus the top
    std::optional<GroupShape> closed;              // the group that ended just before `i`
    for (std::size_t i = 0; i < p.size();) {
        std::size_t bound = 0;
        std::size_t q = quantifier_at(p, i, bound);
        // Checked for an unclosed "{<digits>" too: libstdc++ reads the digits into a long
        // before it finds the brace unclosed, and a long run of them overflows (UB).
        if (bound > kMaxRegexRepeat)
            return "repetition count above " + std::to_string(kMaxRegexRepeat);
        if (q) {
            if (closed && closed->quantifier)
                return "nested quantifier (a quantified group that contains a quantifier)";
            if (closed && closed->alternation)
                return "quantified alternation (write In() or an unquantified group)";
            groups.back().quantifier = true;
            closed.reset();
            i += q;
            continue;
        }
        closed.reset();
        char c = p[i];
        if (c == '\\') {
            // "\1".."\9" are backreferences in ECMAScript, which re2 does not have; libstdc++
            // also reads every digit after the backslash into a long, overflowing on a long run.
            if (i + 1 < p.size() && p[i + 1] >= '1' && p[i + 1] <= '9')
                return std::string("backreferences are not supported (re2 has none)");
            i += 2;
        } else if (c == '[') {
            i = skip_class(p, i);
        } else if (c == '|') {
            groups.back().alternation = true;
            ++i;
        } else if (c == '(') {
            groups.emplace_back();
            i += i + 1 < p.size() && p[i + 1] == '?' ? 3 : 1;  // (?: (?= (?!
        } else if (c == ')' && groups.size() > 1) {
            closed = groups.back();
            groups.pop_back();
            groups.back().quantifier |= closed->quantifier;
            groups.back().alternation |= closed->alternation;
            ++i;
        } else {
            ++i;
        }
    }
    return std::nullopt;
}

}  // namespace

Expected<std::shared_ptr<const FilterRegex>, std::string> compile_filter_regex(
    std::string_view pattern) {
    auto refuse = [&](const std::string& why) {
        return unexpected("Invalid regex \"" + clip(pattern, 64) + "\": " + why);
    };
    if (pattern.size() > kMaxRegexLength)
        return refuse("longer than " + std::to_string(kMaxRegexLength) + " characters");
    if (auto problem = shape_problem(pattern)) return refuse(*problem);
    try {
        return std::make_shared<const FilterRegex>(
            std::regex(pattern.begin(), pattern.end(), std::regex::ECMAScript));
    } catch (const std::regex_error& e) {
        return refuse(e.what());
    }
}

bool FilterRegex::matches(std::string_view subject) const {
    if (subject.size() > kMaxRegexSubject) return false;
    try {
        return std::regex_search(subject.begin(), subject.end(), re_);
    } catch (const std::regex_error&) {
        return false;  // error_complexity / error_stack: treat as no match rather than throw
    }
}

}  // namespace drover::api
