#include "common/api/safe_regex.hpp"

#include <re2/re2.h>

#include "common/api/clip.hpp"

namespace drover::api {

FilterRegex::FilterRegex(std::unique_ptr<const re2::RE2> re) : re_(std::move(re)) {}

FilterRegex::~FilterRegex() = default;

bool FilterRegex::matches(std::string_view subject) const {
    return re2::RE2::PartialMatch(re2::StringPiece(subject.data(), subject.size()), *re_);
}

Expected<std::shared_ptr<const FilterRegex>, std::string> compile_filter_regex(
    std::string_view pattern) {
    auto refuse = [&](const std::string& why) {
        return unexpected("Invalid regex \"" + clip(pattern, 64) + "\": " + why);
    };
    if (pattern.size() > kMaxRegexLength)
        return refuse("longer than " + std::to_string(kMaxRegexLength) + " characters");
    re2::RE2::Options options;
    options.set_log_errors(false);
    auto re =
        std::make_unique<const re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
    if (!re->ok()) return refuse(re->error());
    return std::make_shared<const FilterRegex>(std::move(re));
}

}  // namespace drover::api
