// YAML text to JSON, the way DRP reads content (Go yaml.v2 into interface{}, then ghodss/yaml's
// conversion to JSON): quoted and block scalars are strings; plain scalars resolve by yaml.v2's
// rules (yaml_resolve.hpp), so `yes` is true and `0x10` is 16; a float with an integral value
// becomes an integer, as Go's JSON encoder writes 1e3 as 1000 (integers stay exact up to
// UINT64_MAX, where DRP would round them through float64); map keys become strings (`1` ->
// "1", `yes` -> "true"); `<<` merge keys are applied (explicit keys win); only the first
// document of a stream is read. Refused, with the line and column: syntax errors, duplicate
// keys, null or non-scalar keys, `.nan`/`.inf` (JSON has no such numbers), `!!binary`, explicit
// tags that do not match the scalar (`!!int abc`), and documents whose aliases expand beyond a
// fixed node or byte budget. Pure (parses a string); yaml-cpp stays inside the .cpp.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/api/expected.hpp"

namespace drover::content {

// The JSON value of the first document (null for an empty one), or one message
// "line L, column C: <what>" (1-based).
api::Expected<nlohmann::json, std::string> yaml_to_json(std::string_view text);

}  // namespace drover::content
