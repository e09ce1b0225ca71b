// The proto-schemas compiled into the binary (proto-schemas/*.schema.json), ready to validate
// against: each is parsed and compiled once, on first use, and kept for the process lifetime.
// Names are the file stems: "machine", "job", "bootenv", ...
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string_view>
#include <vector>

#include "common/jsonschema/schema.hpp"

namespace drover::jsonschema {

// The compiled embedded schema `name`, or nullptr if there is none (or it fails to compile,
// which the proto_schemas unit test rules out).
const Schema* embedded_schema(std::string_view name);

// Every error of `instance` against embedded schema `name`. An unknown name is reported as a
// single error (keyword "$schema") so a typo cannot pass as "valid".
std::vector<ValidationError> validate_against_embedded(std::string_view name,
                                                       const nlohmann::json& instance);

}  // namespace drover::jsonschema
