#include "agent/cli/output_format.hpp"

#include <algorithm>

#include "common/tmpl/json_value.hpp"

namespace drover::cli {

namespace {

// A cell or a `key: value` value: strings bare, null empty, anything else compact JSON.
std::string cell(const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return "";
    return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string key_values(const nlohmann::json& object) {
    std::size_t width = 0;
    for (const auto& [k, _] : object.items())
        width = std::max(width, k.size());
    std::string out;
    for (const auto& [k, v] : object.items())
        out += k + ":" + std::string(width - k.size() + 1, ' ') + cell(v) + "\n";
    return out;
}

std::string columns_table(const nlohmann::json& list, const std::vector<std::string>& columns) {
    std::vector<std::vector<std::string>> rows{columns};
    for (const auto& item : list) {
        std::vector<std::string> row;
        for (const auto& c : columns)
            row.push_back(item.is_object() && item.contains(c) ? cell(item[c]) : "");
        rows.push_back(std::move(row));
    }
    std::vector<std::size_t> width(columns.size(), 0);
    for (const auto& row : rows)
        for (std::size_t i = 0; i < row.size(); ++i)
            width[i] = std::max(width[i], row[i].size());
    std::string out;
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i)
            line += row[i] + (i + 1 < row.size() ? std::string(width[i] - row[i].size() + 2, ' ')
                                                 : std::string());
        out += line + "\n";
    }
    return out;
}

std::string table(const nlohmann::json& value, const std::vector<std::string>& columns) {
    if (value.is_object()) return key_values(value);
    if (!value.is_array()) return cell(value) + "\n";
    bool objects = std::all_of(value.begin(), value.end(), [](auto& v) { return v.is_object(); });
    if (objects && !columns.empty()) return columns_table(value, columns);
    std::string out;
    for (const auto& item : value)
        out += (item.is_object() ? key_values(item) + "\n" : cell(item) + "\n");
    return out;
}

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
    if (name == "json") return Format::Json;
    if (name == "yaml") return Format::Yaml;
    if (name == "table" || name == "text") return Format::Table;
    return std::nullopt;
}

std::string render(const nlohmann::json& value, Format format,
                   const std::vector<std::string>& columns) {
    switch (format) {
        case Format::Json:
            return value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
        case Format::Yaml:
            return tmpl::to_go_yaml(tmpl::from_json(value));
        case Format::Table:
            break;
    }
    return table(value, columns);
}

}  // namespace drover::cli
