// The Re() list filter (spec 6.2) on std::regex, an approximation of Go's re2. std::regex
// backtracks and recurses per character, so hostile patterns and long subjects could hang or
// overflow the stack; this file is the one place that bounds both.
#pragma once
#include <cstddef>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <utility>

#include "common/api/expected.hpp"

namespace drover::api {

inline constexpr std::size_t kMaxRegexLength = 1024;
// re2 refuses counted repetitions above 1000 too ({1001} is "bad repetition operator").
inline constexpr std::size_t kMaxRegexRepeat = 1000;
// Longer subjects never match: libstdc++ recurses per character, measured (g++ 12, -O2) at
// 0.5-1 KB of stack per subject byte, so 1 KiB stays well inside a thread's default 8 MB stack
// (16 KiB did not). List filters target names, UUIDs, times and short params.
inline constexpr std::size_t kMaxRegexSubject = 1024;

// A compiled Re() pattern; a class of its own so filters.hpp can name it without <regex>.
class FilterRegex {
  public:
    explicit FilterRegex(std::regex re) : re_(std::move(re)) {}
    // Unanchored search, like re2's MatchString; false for subjects over kMaxRegexSubject bytes.
    bool matches(std::string_view subject) const;

  private:
    std::regex re_;
};

// ECMAScript syntax. Refused with a message: longer than kMaxRegexLength, not a valid regex,
// a counted repetition above kMaxRegexRepeat, a backreference ("\1", as re2 refuses it), or a
// quantifier applied to a group that contains a quantifier or an alternation ("(a+)+",
// "(x*y)*", "(a|aa)*"): the exponential shapes.
// Not caught: chains of quantifiers are polynomial but steep on a backtracking engine
// (measured: "a*a*c" against 1 KiB of 'a' takes about 20 s with libstdc++). RE2 (Debian's
// libre2-dev) behind FilterRegex would close that gap without touching the filter code.
Expected<std::shared_ptr<const FilterRegex>, std::string> compile_filter_regex(
    std::string_view pattern);

}  // namespace drover::api
