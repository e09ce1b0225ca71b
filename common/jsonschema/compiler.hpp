// Internal: turns a schema document into the Node graph of node.hpp. One Compiler per
// compile() call; it records every schema error it finds and keeps going, so the caller sees
// all of them at once. Keyword families live in compile_keywords.cpp, the driver in compile.cpp.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/jsonschema/node.hpp"

namespace drover::jsonschema {

class Compiler {
  public:
    Compiler(const Json& root, const CompileOptions& options) : root_(root), options_(options) {}
    CompileResult run();

  private:
    // Compiles the subschema `schema` found at `pointer`, once per pointer. Booleans are
    // schemas from draft-06 on; `bool_ok` admits them earlier (additionalProperties: false).
    NodeId compile(const Json& schema, const std::string& pointer, std::size_t depth,
                   bool bool_ok = false);
    void compile_keywords(const Json& schema, Node& node, std::size_t depth);

    // Keyword families (compile_keywords.cpp); each reads only its own keywords.
    void compile_generic(const Json& schema, Node& node);
    void compile_numeric(const Json& schema, Node& node);
    void compile_string(const Json& schema, Node& node);
    void compile_array(const Json& schema, Node& node, std::size_t depth);
    void compile_object(const Json& schema, Node& node, std::size_t depth);
    void compile_dependencies(const Json& value, Node& node, std::size_t depth);
    void compile_combinators(const Json& schema, Node& node, std::size_t depth);
    void compile_definitions(const Json& schema, const Node& node, std::size_t depth);

    // Helpers shared by the families.
    bool has(const Json& schema, std::string_view keyword, int since_draft = 4) const;
    std::optional<NodeId> subschema(const Json& schema, const Node& node, std::string_view keyword,
                                    std::size_t depth, bool bool_ok = false);
    std::optional<std::vector<NodeId>> schema_array(const Json& schema, const Node& node,
                                                    std::string_view keyword, std::size_t depth);
    std::optional<std::size_t> count(const Json& schema, const Node& node,
                                     std::string_view keyword);
    std::optional<Pattern> pattern(const std::string& source, const std::string& pointer);
    std::optional<NodeId> resolve_ref(const Json& ref, const std::string& pointer,
                                      std::size_t depth);
    bool booleans_are_schemas() const { return level() >= 6; }
    int level() const;
    void error(const std::string& pointer, std::string message);
    void check_ref_loops();

    const Json& root_;
    CompileOptions options_;
    Draft draft_ = Draft::draft7;
    std::string root_id_;  // root "$id"/"id" without fragment: "<id>#/x" is a local $ref
    std::vector<Node> nodes_;
    std::map<std::string, NodeId> by_pointer_;
    std::vector<SchemaError> errors_;
};

std::string child_pointer(const std::string& parent, std::string_view token);

}  // namespace drover::jsonschema
