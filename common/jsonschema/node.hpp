// Internal: the compiled form of a schema. Every subschema becomes one Node in a flat vector
// and refers to others by index, so $ref cycles are just edges (no ownership loops). Nodes are
// keyed by their JSON pointer in the schema document: a $ref and the place it points at share
// one Node. Immutable once Schema::compile returns.
#pragma once
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "common/jsonschema/formats.hpp"
#include "common/jsonschema/schema.hpp"

namespace drover::jsonschema {

using Json = nlohmann::json;
using NodeId = std::size_t;

// Bits of the "type" keyword; 0 means "type" is absent (any type).
enum TypeBit : unsigned {
    kNull = 1u << 0,
    kBoolean = 1u << 1,
    kObject = 1u << 2,
    kArray = 1u << 3,
    kNumber = 1u << 4,
    kString = 1u << 5,
    kInteger = 1u << 6,
};

struct Pattern {
    std::string source;
    std::regex regex;
};

// minimum/maximum/exclusiveMinimum/exclusiveMaximum in one form: draft-4's boolean
// exclusiveMaximum is folded into the "maximum" bound it modifies.
struct Bound {
    Json limit;
    bool upper = false;
    bool exclusive = false;
    std::string keyword;
};

struct Dependency {
    std::string property;
    std::vector<std::string> required;  // array form
    std::optional<NodeId> schema;       // schema form
};

struct Format {
    std::string name;
    FormatChecker check = nullptr;
};

struct Node {
    std::string pointer;         // where this subschema sits in the schema document
    std::optional<bool> always;  // boolean schema (true/false), draft-06+
    std::optional<NodeId> ref;   // $ref: drafts 4-7 ignore every sibling keyword
    unsigned types = 0;
    std::optional<Json> enum_values;  // array
    std::optional<Json> const_value;

    std::vector<Bound> bounds;
    std::optional<Json> multiple_of;

    std::optional<std::size_t> min_length, max_length;
    std::optional<Pattern> pattern;
    std::optional<Format> format;

    std::optional<NodeId> items;                     // one schema for every item
    std::optional<std::vector<NodeId>> tuple_items;  // items as an array: one schema per position
    std::optional<NodeId> additional_items;
    std::optional<NodeId> contains;
    std::optional<std::size_t> min_items, max_items;
    bool unique_items = false;

    std::vector<std::pair<std::string, NodeId>> properties;
    std::vector<std::pair<Pattern, NodeId>> pattern_properties;
    std::optional<NodeId> additional_properties;
    std::optional<NodeId> property_names;
    std::vector<std::string> required;
    std::optional<std::size_t> min_properties, max_properties;
    std::vector<Dependency> dependencies;

    std::vector<NodeId> all_of, any_of, one_of;
    std::optional<NodeId> not_schema, if_schema, then_schema, else_schema;
};

struct Schema::Impl {
    Draft draft = Draft::draft7;
    CompileOptions options;
    std::vector<Node> nodes;
    NodeId root = 0;
};

// Every node evaluated against the same instance value as `node` (as opposed to a child of
// it): a cycle through these edges would never terminate, so compile() rejects one.
std::vector<NodeId> same_instance_edges(const Node& node);

// Validation entry point shared by Schema::validate and Schema::is_valid: with `errors` null it
// stops at the first failure.
bool evaluate(const Schema::Impl& impl, const Json& instance, std::vector<ValidationError>* errors);

}  // namespace drover::jsonschema
