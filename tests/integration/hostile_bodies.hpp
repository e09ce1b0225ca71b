// The request bodies of the hostile-HTTP test: JSON that is malformed, truncated, of the wrong
// shape, nested past droverd's limit (512 levels) or carrying invalid UTF-8, and one object with a
// field at a time given a value of the wrong type. Each comes with a name for failure messages.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace drover::testing {

struct NamedBody {
    std::string name;
    std::string bytes;
};

// Bodies no route may accept, whatever it expects.
std::vector<NamedBody> malformed_bodies();

// `object` with one top-level field replaced by a value of another JSON type, for every field
// (two replacements each, so a number is tried as a string and as an object, and so on).
std::vector<std::pair<std::string, nlohmann::json>> wrong_typed_variants(
    const nlohmann::json& object);

}  // namespace drover::testing
