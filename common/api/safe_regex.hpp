// The Re() list filter (spec 6.2) on RE2, the engine behind Go's regexp that DRP filters with:
// the same syntax, and matching in time linear in the subject with no recursion, so no pattern
// or object can hang a list request or overflow a worker's stack. This file is the one place
// that compiles filter patterns, and bounds their length.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/api/expected.hpp"

namespace re2 {
class RE2;
}

namespace drover::api {

inline constexpr std::size_t kMaxRegexLength = 1024;

// A compiled Re() pattern; a class of its own so filters.hpp can name it without RE2.
class FilterRegex {
  public:
    explicit FilterRegex(std::unique_ptr<const re2::RE2> re);
    ~FilterRegex();
    // Unanchored search, like Go's MatchString.
    bool matches(std::string_view subject) const;

  private:
    std::unique_ptr<const re2::RE2> re_;
};

// Go (RE2) syntax. Refused with a message: longer than kMaxRegexLength, or not a valid RE2
// pattern (which includes backreferences and counted repetitions above 1000, as in Go).
Expected<std::shared_ptr<const FilterRegex>, std::string> compile_filter_regex(
    std::string_view pattern);

}  // namespace drover::api
