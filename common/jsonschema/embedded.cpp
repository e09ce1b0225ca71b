#include "common/jsonschema/embedded.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "embedded_schemas.hpp"

namespace drover::jsonschema {

namespace {

// Built once (thread-safe static initialisation); schemas that fail to parse or compile are
// left out, so embedded_schema() reports them as absent.
const std::map<std::string, Schema, std::less<>>& compiled_schemas() {
    static const auto table = [] {
        std::map<std::string, Schema, std::less<>> out;
        for (const auto& embedded : schemas::all()) {
            auto document = nlohmann::json::parse(embedded.text, nullptr, false);
            if (document.is_discarded()) continue;
            auto compiled = Schema::compile(document);
            if (compiled) out.emplace(std::string(embedded.name), compiled.value());
        }
        return out;
    }();
    return table;
}

}  // namespace

const Schema* embedded_schema(std::string_view name) {
    const auto& table = compiled_schemas();
    auto it = table.find(name);
    return it == table.end() ? nullptr : &it->second;
}

std::vector<ValidationError> validate_against_embedded(std::string_view name,
                                                       const nlohmann::json& instance) {
    const Schema* schema = embedded_schema(name);
    if (schema == nullptr) {
        return {
            {"", "", "$schema", "no embedded schema named \"" + std::string(name) + "\" compiles"}};
    }
    return schema->validate(instance);
}

}  // namespace drover::jsonschema
