// Typed index values for the list filters (spec 6.2): query arguments and object fields are
// both turned into an IndexValue of the index's kind, so one comparison serves filters and sort.
// Internal to filters.cpp and filter_eval.cpp.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/api/expected.hpp"
#include "common/api/filters.hpp"

namespace drover::api {

// A query argument; errors say what was expected ("\"x\" is not an integer").
Expected<IndexValue, std::string> parse_index_arg(IndexKind kind, std::string_view arg);

// An object's value for an index of `kind`; nullopt when it cannot be one (a string that is not
// an integer for an Int index, ...), which then matches no term.
std::optional<IndexValue> index_value_of(IndexKind kind, const nlohmann::json& v);

// <0, 0, >0. Both values come from the same kind; int64 and double compare numerically.
int compare_values(const IndexValue& a, const IndexValue& b);

// What Re() searches: the string itself, or the decimal / "true" / "false" text.
std::string text_of(const IndexValue& v);

}  // namespace drover::api
