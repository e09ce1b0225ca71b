// The keyword families of Schema::compile: each checks that its keywords have the shape the
// draft requires (reporting a SchemaError otherwise) and stores them on the Node.
#include <algorithm>
#include <cctype>
#include <cmath>

#include "common/jsonschema/compiler.hpp"

namespace drover::jsonschema {

namespace {

std::optional<unsigned> type_bit(const Json& name) {
    if (!name.is_string()) return std::nullopt;
    const auto& s = name.get_ref<const std::string&>();
    if (s == "null") return kNull;
    if (s == "boolean") return kBoolean;
    if (s == "object") return kObject;
    if (s == "array") return kArray;
    if (s == "number") return kNumber;
    if (s == "string") return kString;
    if (s == "integer") return kInteger;
    return std::nullopt;
}

// A number with no fractional part, as draft-06 defines integers (2.0 counts).
bool is_whole(const Json& v) {
    if (v.is_number_integer()) return true;
    if (!v.is_number_float()) return false;
    double d = v.get<double>();
    return std::isfinite(d) && std::trunc(d) == d;
}

// std::regex expands counted repetitions into that many states, so "a{99999}{99999}" would
// exhaust memory at compile time; no real pattern needs counts in the thousands.
bool has_huge_repeat(const std::string& source) {
    constexpr unsigned long kMaxRepeat = 1000;
    for (std::size_t i = 0; i < source.size(); ++i) {
        if (source[i] != '{' || (i > 0 && source[i - 1] == '\\')) continue;
        unsigned long value = 0;
        for (std::size_t j = i + 1;
             j < source.size() &&
             (std::isdigit(static_cast<unsigned char>(source[j])) || source[j] == ',');
             ++j) {
            value = source[j] == ','
                        ? 0
                        : std::min(value * 10 + static_cast<unsigned long>(source[j] - '0'),
                                   kMaxRepeat + 1);
            if (value > kMaxRepeat) return true;
        }
    }
    return false;
}

}  // namespace

std::optional<NodeId> Compiler::subschema(const Json& schema, const Node& node,
                                          std::string_view keyword, std::size_t depth,
                                          bool bool_ok) {
    if (!schema.contains(keyword)) return std::nullopt;
    return compile(schema[std::string(keyword)], child_pointer(node.pointer, keyword), depth + 1,
                   bool_ok);
}

std::optional<std::vector<NodeId>> Compiler::schema_array(const Json& schema, const Node& node,
                                                          std::string_view keyword,
                                                          std::size_t depth) {
    if (!schema.contains(keyword)) return std::nullopt;
    const Json& list = schema[std::string(keyword)];
    std::string pointer = child_pointer(node.pointer, keyword);
    if (!list.is_array() || list.empty()) {
        error(pointer, std::string(keyword) + " must be a non-empty array of schemas");
        return std::nullopt;
    }
    std::vector<NodeId> ids;
    for (std::size_t i = 0; i < list.size(); ++i)
        ids.push_back(compile(list[i], pointer + "/" + std::to_string(i), depth + 1));
    return ids;
}

std::optional<std::size_t> Compiler::count(const Json& schema, const Node& node,
                                           std::string_view keyword) {
    if (!schema.contains(keyword)) return std::nullopt;
    const Json& v = schema[std::string(keyword)];
    if (!is_whole(v) || v.get<double>() < 0) {
        error(child_pointer(node.pointer, keyword),
              std::string(keyword) + " must be a non-negative integer");
        return std::nullopt;
    }
    return v.is_number_unsigned() ? v.get<std::size_t>()
                                  : static_cast<std::size_t>(v.get<double>());
}

std::optional<Pattern> Compiler::pattern(const std::string& source, const std::string& pointer) {
    if (has_huge_repeat(source)) {
        error(pointer, "pattern /" + source + "/ repeats more than 1000 times");
        return std::nullopt;
    }
    try {
        return Pattern{source, std::regex(source, std::regex::ECMAScript)};
    } catch (const std::regex_error& e) {
        error(pointer,
              "pattern /" + source + "/ is not a valid ECMA-262 regular expression: " + e.what());
        return std::nullopt;
    }
}

void Compiler::compile_generic(const Json& schema, Node& node) {
    if (schema.contains("type")) {
        const Json& type = schema["type"];
        std::string pointer = child_pointer(node.pointer, "type");
        const Json names = type.is_array() ? type : Json::array({type});
        for (const auto& name : names) {
            auto bit = type_bit(name);
            if (!bit) {
                error(pointer, "unknown type " + name.dump());
            } else {
                node.types |= *bit;
            }
        }
        if (names.empty()) error(pointer, "type must name at least one type");
    }
    if (schema.contains("enum")) {
        if (schema["enum"].is_array()) {
            node.enum_values = schema["enum"];
        } else {
            error(child_pointer(node.pointer, "enum"), "enum must be an array");
        }
    }
    if (has(schema, "const", 6)) node.const_value = schema["const"];
}

void Compiler::compile_numeric(const Json& schema, Node& node) {
    // A boolean exclusiveMinimum/Maximum is the draft-04 form, checked by `side` below.
    auto number = [&](std::string_view keyword, bool bool_form = false) -> std::optional<Json> {
        if (!schema.contains(keyword)) return std::nullopt;
        const Json& v = schema[std::string(keyword)];
        if (v.is_number()) return v;
        if (!(bool_form && v.is_boolean()))
            error(child_pointer(node.pointer, keyword), std::string(keyword) + " must be a number");
        return std::nullopt;
    };
    // One side at a time: "maximum" + draft-4 boolean "exclusiveMaximum" and/or draft-6 numeric.
    auto side = [&](const char* inclusive, const char* exclusive, bool upper) {
        auto limit = number(inclusive);
        bool legacy_exclusive = false;
        if (schema.contains(exclusive) && schema[exclusive].is_boolean()) {
            if (level() == 6 || level() == 7) {
                error(child_pointer(node.pointer, exclusive),
                      std::string(exclusive) +
                          " must be a number from draft-06 on (booleans are draft-04)");
            } else if (!limit && schema[exclusive].get<bool>()) {
                error(child_pointer(node.pointer, exclusive),
                      std::string(exclusive) + " needs " + inclusive);
            }
            legacy_exclusive = schema[exclusive].get<bool>();
        }
        if (limit) node.bounds.push_back({*limit, upper, legacy_exclusive, inclusive});
        if (auto strict = number(exclusive, true)) {
            if (level() == 4) {
                error(child_pointer(node.pointer, exclusive),
                      std::string(exclusive) + " must be a boolean in draft-04");
            } else {
                node.bounds.push_back({*strict, upper, true, exclusive});
            }
        }
    };
    side("minimum", "exclusiveMinimum", false);
    side("maximum", "exclusiveMaximum", true);
    if (auto m = number("multipleOf")) {
        if (m->get<double>() > 0) {
            node.multiple_of = *m;
        } else {
            error(child_pointer(node.pointer, "multipleOf"), "multipleOf must be greater than 0");
        }
    }
}

void Compiler::compile_string(const Json& schema, Node& node) {
    node.min_length = count(schema, node, "minLength");
    node.max_length = count(schema, node, "maxLength");
    if (schema.contains("pattern")) {
        std::string pointer = child_pointer(node.pointer, "pattern");
        if (schema["pattern"].is_string()) {
            node.pattern = pattern(schema["pattern"].get<std::string>(), pointer);
        } else {
            error(pointer, "pattern must be a string");
        }
    }
    if (schema.contains("format")) {
        const Json& format = schema["format"];
        if (!format.is_string()) {
            error(child_pointer(node.pointer, "format"), "format must be a string");
        } else if (auto check = find_format(format.get<std::string>())) {
            node.format = Format{format.get<std::string>(), check};
        }
    }
}

void Compiler::compile_array(const Json& schema, Node& node, std::size_t depth) {
    if (schema.contains("items")) {
        if (schema["items"].is_array()) {
            node.tuple_items = std::vector<NodeId>{};
            std::string pointer = child_pointer(node.pointer, "items");
            for (std::size_t i = 0; i < schema["items"].size(); ++i)
                node.tuple_items->push_back(
                    compile(schema["items"][i], pointer + "/" + std::to_string(i), depth + 1));
        } else {
            node.items = subschema(schema, node, "items", depth);
        }
    }
    node.additional_items = subschema(schema, node, "additionalItems", depth, true);
    if (has(schema, "contains", 6)) node.contains = subschema(schema, node, "contains", depth);
    node.min_items = count(schema, node, "minItems");
    node.max_items = count(schema, node, "maxItems");
    if (schema.contains("uniqueItems")) {
        if (schema["uniqueItems"].is_boolean()) {
            node.unique_items = schema["uniqueItems"].get<bool>();
        } else {
            error(child_pointer(node.pointer, "uniqueItems"), "uniqueItems must be a boolean");
        }
    }
}

void Compiler::compile_object(const Json& schema, Node& node, std::size_t depth) {
    auto object_of = [&](const char* keyword) -> const Json* {
        if (!schema.contains(keyword)) return nullptr;
        if (schema[keyword].is_object()) return &schema[keyword];
        error(child_pointer(node.pointer, keyword), std::string(keyword) + " must be an object");
        return nullptr;
    };
    if (const Json* props = object_of("properties")) {
        std::string pointer = child_pointer(node.pointer, "properties");
        for (const auto& [name, sub] : props->items())
            node.properties.emplace_back(name,
                                         compile(sub, child_pointer(pointer, name), depth + 1));
    }
    if (const Json* props = object_of("patternProperties")) {
        std::string pointer = child_pointer(node.pointer, "patternProperties");
        for (const auto& [source, sub] : props->items()) {
            std::string at = child_pointer(pointer, source);
            NodeId id = compile(sub, at, depth + 1);
            if (auto compiled = pattern(source, at))
                node.pattern_properties.emplace_back(std::move(*compiled), id);
        }
    }
    node.additional_properties = subschema(schema, node, "additionalProperties", depth, true);
    if (has(schema, "propertyNames", 6))
        node.property_names = subschema(schema, node, "propertyNames", depth);
    if (schema.contains("required")) {
        const Json& required = schema["required"];
        bool ok = required.is_array();
        for (const auto& name : ok ? required : Json::array()) {
            ok = ok && name.is_string();
            if (name.is_string()) node.required.push_back(name.get<std::string>());
        }
        if (!ok)
            error(child_pointer(node.pointer, "required"), "required must be an array of strings");
    }
    node.min_properties = count(schema, node, "minProperties");
    node.max_properties = count(schema, node, "maxProperties");
    if (const Json* deps = object_of("dependencies")) compile_dependencies(*deps, node, depth);
}

void Compiler::compile_dependencies(const Json& value, Node& node, std::size_t depth) {
    std::string pointer = child_pointer(node.pointer, "dependencies");
    for (const auto& [property, dep] : value.items()) {
        Dependency dependency{property, {}, std::nullopt};
        if (dep.is_array()) {
            for (const auto& name : dep) {
                if (name.is_string()) {
                    dependency.required.push_back(name.get<std::string>());
                } else {
                    error(child_pointer(pointer, property),
                          "a property dependency must list property names");
                }
            }
        } else {
            dependency.schema = compile(dep, child_pointer(pointer, property), depth + 1);
        }
        node.dependencies.push_back(std::move(dependency));
    }
}

void Compiler::compile_combinators(const Json& schema, Node& node, std::size_t depth) {
    if (auto ids = schema_array(schema, node, "allOf", depth)) node.all_of = std::move(*ids);
    if (auto ids = schema_array(schema, node, "anyOf", depth)) node.any_of = std::move(*ids);
    if (auto ids = schema_array(schema, node, "oneOf", depth)) node.one_of = std::move(*ids);
    node.not_schema = subschema(schema, node, "not", depth);
    if (has(schema, "if", 7)) {
        node.if_schema = subschema(schema, node, "if", depth);
        node.then_schema = subschema(schema, node, "then", depth);
        node.else_schema = subschema(schema, node, "else", depth);
    }
}

void Compiler::compile_definitions(const Json& schema, const Node& node, std::size_t depth) {
    if (!schema.contains("definitions")) return;
    std::string pointer = child_pointer(node.pointer, "definitions");
    if (!schema["definitions"].is_object()) {
        error(pointer, "definitions must be an object");
        return;
    }
    // Compiled even when unused, so a broken definition is reported when the schema is saved
    // rather than when some later $ref first reaches it.
    for (const auto& [name, sub] : schema["definitions"].items())
        compile(sub, child_pointer(pointer, name), depth + 1);
}

}  // namespace drover::jsonschema
