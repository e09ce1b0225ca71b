// Schema::compile: draft detection, the per-pointer node table, $ref resolution and the check
// that no $ref/allOf/... loop can run without descending into the instance.
#include <algorithm>
#include <memory>

#include "common/api/json_pointer.hpp"
#include "common/jsonschema/compiler.hpp"
#include "common/jsonschema/pointer.hpp"

namespace drover::jsonschema {

namespace {

// nullopt: not a draft this validator knows.
std::optional<Draft> draft_from_uri(std::string_view uri, Draft fallback) {
    auto names = [&](std::string_view draft) { return uri.find(draft) != std::string_view::npos; };
    if (names("json-schema.org/draft-04/schema")) return Draft::draft4;
    if (names("json-schema.org/draft-06/schema")) return Draft::draft6;
    if (names("json-schema.org/draft-07/schema")) return Draft::draft7;
    // The draft-less meta-schema URI means "latest", which is what the caller chose as default.
    if (uri == "http://json-schema.org/schema#" || uri == "https://json-schema.org/schema#")
        return fallback;
    return std::nullopt;
}

std::string without_fragment(std::string_view uri) {
    return std::string(uri.substr(0, uri.find('#')));
}

}  // namespace

std::string child_pointer(const std::string& parent, std::string_view token) {
    return parent + "/" + api::escape_pointer_token(token);
}

std::vector<NodeId> same_instance_edges(const Node& node) {
    std::vector<NodeId> out;
    auto add = [&](const std::optional<NodeId>& id) {
        if (id) out.push_back(*id);
    };
    add(node.ref);
    out.insert(out.end(), node.all_of.begin(), node.all_of.end());
    out.insert(out.end(), node.any_of.begin(), node.any_of.end());
    out.insert(out.end(), node.one_of.begin(), node.one_of.end());
    add(node.not_schema);
    add(node.if_schema);
    add(node.then_schema);
    add(node.else_schema);
    for (const auto& dependency : node.dependencies)
        add(dependency.schema);
    return out;
}

int Compiler::level() const {
    switch (draft_) {
        case Draft::draft4:
            return 4;
        case Draft::draft6:
            return 6;
        case Draft::draft7:
            return 7;
        case Draft::hybrid:
            break;
    }
    return 99;
}

bool Compiler::has(const Json& schema, std::string_view keyword, int since_draft) const {
    return level() >= since_draft && schema.contains(keyword);
}

void Compiler::error(const std::string& pointer, std::string message) {
    errors_.push_back({pointer, std::move(message)});
}

CompileResult Compiler::run() {
    draft_ = options_.default_draft;
    if (root_.is_object() && root_.contains("$schema")) {
        const Json& uri = root_["$schema"];
        auto draft =
            uri.is_string() ? draft_from_uri(uri.get<std::string>(), draft_) : std::nullopt;
        if (draft) {
            draft_ = *draft;
        } else {
            error("/$schema",
                  "unsupported $schema " + uri.dump() + " (drafts 04, 06 and 07 are supported)");
        }
    }
    if (root_.is_object()) {
        const char* id_keyword = level() >= 6 ? "$id" : "id";
        if (root_.contains(id_keyword) && root_[id_keyword].is_string())
            root_id_ = without_fragment(root_[id_keyword].get<std::string>());
    }
    NodeId root = compile(root_, "", 0);
    check_ref_loops();
    if (!errors_.empty()) return CompileResult(std::move(errors_));
    auto impl = std::make_shared<Schema::Impl>();
    impl->draft = draft_;
    impl->options = options_;
    impl->nodes = std::move(nodes_);
    impl->root = root;
    return CompileResult(Schema(std::move(impl)));
}

NodeId Compiler::compile(const Json& schema, const std::string& pointer, std::size_t depth,
                         bool bool_ok) {
    if (auto known = by_pointer_.find(pointer); known != by_pointer_.end()) return known->second;
    NodeId id = nodes_.size();
    nodes_.emplace_back();
    by_pointer_.emplace(pointer, id);
    // Children are compiled into a local Node: nodes_ may reallocate while they are added.
    Node node;
    node.pointer = pointer;
    if (depth > options_.max_depth) {
        error(pointer,
              "schema nested deeper than " + std::to_string(options_.max_depth) + " levels");
    } else if (schema.is_boolean() && (bool_ok || booleans_are_schemas())) {
        node.always = schema.get<bool>();
    } else if (!schema.is_object()) {
        error(pointer, booleans_are_schemas()
                           ? "a schema must be an object or a boolean"
                           : "a schema must be an object (boolean schemas need draft-06)");
    } else if (schema.contains("$ref")) {
        // Drafts 4-7: "All other properties in a $ref object MUST be ignored", but definitions
        // next to it are still reachable by pointer, so they are compiled for their errors.
        node.ref = resolve_ref(schema["$ref"], child_pointer(pointer, "$ref"), depth);
        compile_definitions(schema, node, depth);
    } else {
        compile_keywords(schema, node, depth);
    }
    nodes_[id] = std::move(node);
    return id;
}

void Compiler::compile_keywords(const Json& schema, Node& node, std::size_t depth) {
    compile_generic(schema, node);
    compile_numeric(schema, node);
    compile_string(schema, node);
    compile_array(schema, node, depth);
    compile_object(schema, node, depth);
    compile_combinators(schema, node, depth);
    compile_definitions(schema, node, depth);
}

std::optional<NodeId> Compiler::resolve_ref(const Json& ref, const std::string& pointer,
                                            std::size_t depth) {
    if (!ref.is_string()) {
        error(pointer, "$ref must be a string");
        return std::nullopt;
    }
    const auto text = ref.get<std::string>();
    std::size_t hash = text.find('#');
    std::string base = text.substr(0, hash);
    if (!base.empty() && base != root_id_) {
        error(pointer, "$ref \"" + text +
                           "\" points outside this schema; only local references are supported");
        return std::nullopt;
    }
    auto target_pointer = fragment_to_pointer(hash == std::string::npos ? "" : text.substr(hash));
    if (!target_pointer) {
        error(pointer,
              "$ref \"" + text + "\" is not a JSON pointer fragment (like \"#/definitions/name\")");
        return std::nullopt;
    }
    const Json* target = resolve_pointer(root_, *target_pointer);
    if (target == nullptr) {
        error(pointer, "$ref \"" + text + "\" points at nothing in this schema");
        return std::nullopt;
    }
    return compile(*target, *target_pointer, depth + 1);
}

void Compiler::check_ref_loops() {
    // Iterative depth-first search (the graph may be as deep as the schema is large).
    enum class Mark { unseen, open, done };
    std::vector<Mark> marks(nodes_.size(), Mark::unseen);
    for (NodeId start = 0; start < nodes_.size(); ++start) {
        if (marks[start] != Mark::unseen) continue;
        std::vector<std::pair<NodeId, std::vector<NodeId>>> stack;
        stack.emplace_back(start, same_instance_edges(nodes_[start]));
        marks[start] = Mark::open;
        while (!stack.empty()) {
            auto& [id, pending] = stack.back();
            if (pending.empty()) {
                marks[id] = Mark::done;
                stack.pop_back();
                continue;
            }
            NodeId next = pending.back();
            pending.pop_back();
            if (marks[next] == Mark::open) {
                error(
                    nodes_[next].pointer,
                    "schema refers back to itself (via $ref/allOf/anyOf/oneOf/not/if/dependencies) "
                    "without descending into the instance, so it could never finish");
                return;
            }
            if (marks[next] == Mark::unseen) {
                marks[next] = Mark::open;
                stack.emplace_back(next, same_instance_edges(nodes_[next]));
            }
        }
    }
}

CompileResult Schema::compile(const nlohmann::json& schema, const CompileOptions& options) {
    try {
        return Compiler(schema, options).run();
    } catch (const std::exception& e) {
        // Only allocation failure or a library bug gets here; keep it off the caller's stack.
        return CompileResult(
            std::vector<SchemaError>{{"", std::string("internal error: ") + e.what()}});
    }
}

}  // namespace drover::jsonschema
