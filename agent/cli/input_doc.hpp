// Documents given on the command line (create, update, patch, params, --ref), as drpcli takes
// them: "-" for standard input, a path to a JSON or YAML file, or the JSON (or YAML) text itself.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace drover::cli {

// The document `arg` stands for: stdin for "-", else the text when it is JSON, else the file of
// that name, else the text read as YAML (so a bare word is a YAML string). Throws Failure when
// stdin or the file cannot be read or parsed.
nlohmann::json read_document(const std::string& arg);

// read_document, which must give a JSON object (`what` names it in the error).
nlohmann::json read_object(const std::string& arg, const std::string& what);

// A param value for `set ... to <value>`: stdin for "-", then JSON, else the text as a string.
nlohmann::json read_value(const std::string& arg);

// YAML text (YAML 1.1 scalars as go-yaml v2 resolves them) as JSON; throws Failure.
nlohmann::json parse_yaml(const std::string& text);

}  // namespace drover::cli
