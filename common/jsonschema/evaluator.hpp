// Internal: one validation run over one instance. Walks the Node graph alongside the instance,
// recording errors in `sink`; with a null sink it only answers pass/fail and stops early
// (used for anyOf/oneOf/not/if/contains probes and Schema::is_valid).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "common/jsonschema/node.hpp"
#include "common/jsonschema/pointer.hpp"

namespace drover::jsonschema {

class Evaluator {
  public:
    Evaluator(const Schema::Impl& impl, std::vector<ValidationError>* sink)
        : impl_(impl), sink_(sink) {}
    bool eval(NodeId id, const Json& instance, std::size_t depth);
    // True once the max_evaluations budget ran out: the result is then "invalid", and the
    // errors collected so far may include ones caused by the cut-off.
    bool exhausted() const { return evaluations_ > impl_.options.max_evaluations; }

  private:
    // Keyword families; each returns false if the instance fails any of its keywords.
    bool check_type(const Node& node, const Json& instance);
    bool check_values(const Node& node, const Json& instance);
    bool check_number(const Node& node, const Json& instance);
    bool check_string(const Node& node, const Json& instance);
    bool check_pattern(const Node& node, const Json& instance);
    bool check_array(const Node& node, const Json& instance, std::size_t depth);
    bool check_array_items(const Node& node, const Json& instance, std::size_t depth);
    bool check_object(const Node& node, const Json& instance, std::size_t depth);
    bool check_object_members(const Node& node, const Json& instance, std::size_t depth);
    bool check_object_counts(const Node& node, const Json& instance, std::size_t depth);
    bool check_combinators(const Node& node, const Json& instance, std::size_t depth);
    bool check_alternatives(const Node& node, const Json& instance, std::size_t depth,
                            bool exactly_one);
    bool check_conditional(const Node& node, const Json& instance, std::size_t depth);

    // Evaluates a child where a `false` schema means "this member may not exist at all".
    bool eval_member(NodeId id, const Json& value, std::size_t depth, const Node& parent,
                     std::string_view keyword, const std::string& forbidden_message);
    bool probe(NodeId id, const Json& instance, std::size_t depth);
    std::vector<ValidationError> collect(NodeId id, const Json& instance, std::size_t depth);
    bool fail(const Node& node, std::string_view keyword, std::string message);
    bool collecting() const { return sink_ != nullptr; }

    const Schema::Impl& impl_;
    std::vector<ValidationError>* sink_;
    PointerPath path_;
    std::size_t evaluations_ = 0;
};

// Short, single-line rendering of a value for messages ("\"abc\"", "42", "{...}" truncated).
std::string describe(const Json& value);

}  // namespace drover::jsonschema
