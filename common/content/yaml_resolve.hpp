// What a plain (unquoted, untagged) YAML scalar means, exactly as Go's gopkg.in/yaml.v2
// resolve() decides it: DRP reads content through yaml.v2, so `yes`, `on` and `y` are booleans
// (YAML 1.1), `0x1F`, `0o17`, `017`, `0b101` and `1_000` are integers, `.inf` is a float, `~` and
// the empty scalar are null, and date-like scalars are timestamps (which yaml.v2 hands to an
// interface{} as their text). Pure; used by the YAML reader and by the YAML writer's quoting.
#pragma once
#include <nlohmann/json.hpp>
#include <string_view>

namespace drover::content {

enum class ScalarTag { Null, Bool, Int, Float, Str, Timestamp, Merge };

struct ResolvedScalar {
    ScalarTag tag = ScalarTag::Str;
    // Null: null; Bool: boolean; Int: int64, or uint64 above INT64_MAX; Float: double (may be
    // NaN or infinite); Str, Timestamp and Merge: the scalar's text.
    nlohmann::json value;
};

ResolvedScalar resolve_plain_scalar(std::string_view text);

// yaml.v2's short tag name for messages: "!!int", "!!str", ...
const char* short_tag(ScalarTag tag);

}  // namespace drover::content
