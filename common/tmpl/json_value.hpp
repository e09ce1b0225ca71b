// Conversions between JSON and template values the way Go's encoding/json does them:
// decoding makes every number a float64; encoding sorts map keys, HTML-escapes <, > and &
// (unless raw) and prints floats in Go's shortest form. Also Go yaml.v2-style output.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "common/tmpl/value.hpp"

namespace drover::tmpl {

Value from_json(const nlohmann::json& j);
// Go json.Unmarshal into interface{}; nullopt when the text is not valid JSON.
std::optional<Value> parse_json(const std::string& text);
// json.Marshal / MarshalIndent(v, "", "  ") / Encoder with SetEscapeHTML(false).
// nullopt for values Go cannot encode (NaN, Inf).
std::optional<std::string> to_go_json(const Value& v, bool pretty, bool escape_html = true);
// ghodss/yaml.Marshal of a JSON-shaped value (via go-yaml v2).
std::string to_go_yaml(const Value& v);

}  // namespace drover::tmpl
