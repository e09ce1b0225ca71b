// How the admin CLI prints results (-F/--format): json is the result pretty-printed with a
// 2-space indent; yaml is what drpcli prints (go-yaml v2 through ghodss/yaml, shared with the
// template engine's toYaml); table is a column table for lists and `key: value` lines for one
// object, scalars printed bare.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace drover::cli {

enum class Format { Json, Yaml, Table };

std::optional<Format> parse_format(std::string_view name);

// The text to print, ending in a newline. `columns` choose a list's table columns (a list of
// objects without columns is printed as its objects' `key: value` blocks).
std::string render(const nlohmann::json& value, Format format,
                   const std::vector<std::string>& columns = {});

}  // namespace drover::cli
