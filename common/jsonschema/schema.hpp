// JSON Schema (draft-04, draft-06, draft-07) validation: compile a schema once, validate many
// instances. A compiled Schema is immutable and cheap to copy (copies share the compiled form);
// neither compile() nor validate() throws, every problem comes back as a value.
#pragma once
#include <cstddef>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace drover::jsonschema {

// Which keyword set and forms apply. `hybrid` accepts every keyword of drafts 4-7 and both
// forms of exclusiveMinimum/Maximum: that is what gojsonschema (DRP's validator for Param
// schemas, spec 1.10) does for schemas without "$schema", so DRP content keeps its meaning.
enum class Draft { draft4, draft6, draft7, hybrid };

struct CompileOptions {
    // Used when the root schema has no "$schema" (or the draft-less ".../schema#").
    Draft default_draft = Draft::draft7;
    // Deepest nesting of subschemas accepted at compile time, and of schema/instance evaluation
    // at validation time; guards against stack exhaustion by hostile schemas or documents.
    std::size_t max_depth = 200;
    // Longest string (in bytes) matched against "pattern"/"patternProperties". libstdc++'s
    // std::regex matcher recurses once per input character, so a long enough string overflows
    // the stack (^(a|b)*$ does at ~15k characters on an 8 MiB stack). A longer value fails
    // "pattern" with a message saying so; a longer property name matches no patternProperties.
    std::size_t max_pattern_subject = 4096;
    // Most subschema evaluations one validate() may make. Nested allOf/anyOf over shared $refs
    // can take time exponential in the schema's size without any loop ("billion laughs"); past
    // this budget validation stops with an error (about 0.3 s of work at the default).
    std::size_t max_evaluations = 10'000'000;
};

// A problem with the schema itself; `schema_pointer` is a JSON pointer into the schema document.
struct SchemaError {
    std::string schema_pointer;
    std::string message;
};

// One way an instance fails a schema. `instance_pointer` is a JSON pointer into the instance
// ("" = the whole document), `schema_pointer` points at the failing keyword in the schema
// document (after following $ref), `keyword` is that keyword ("maximum", "required", ...).
struct ValidationError {
    std::string instance_pointer;
    std::string schema_pointer;
    std::string keyword;
    std::string message;
};

// "/Port: 70000 is greater than the maximum 65535"; the whole document shows as "(root)".
std::string to_string(const ValidationError& error);
std::string to_string(const SchemaError& error);

class CompileResult;
class Compiler;

class Schema {
  public:
    // Collects every error found in the schema (bad keyword values, uncompilable patterns,
    // unresolvable or non-local $ref, $ref loops that never reach the instance, too deep).
    static CompileResult compile(const nlohmann::json& schema, const CompileOptions& options = {});

    // Every error, not just the first; empty means valid.
    std::vector<ValidationError> validate(const nlohmann::json& instance) const;
    // Stops at the first failure.
    bool is_valid(const nlohmann::json& instance) const;

    Draft draft() const;

    struct Impl;  // compiled form, see node.hpp

  private:
    friend class Compiler;
    explicit Schema(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<const Impl> impl_;
};

// expected<Schema, vector<SchemaError>> in C++20 clothing (std::expected is C++23).
class CompileResult {
  public:
    explicit CompileResult(Schema schema);
    explicit CompileResult(std::vector<SchemaError> errors);

    bool has_value() const { return std::holds_alternative<Schema>(state_); }
    explicit operator bool() const { return has_value(); }
    // Preconditions: has_value() for value()/operator*, !has_value() for error().
    const Schema& value() const& { return std::get<Schema>(state_); }
    const Schema& operator*() const& { return value(); }
    const Schema* operator->() const { return &value(); }
    const std::vector<SchemaError>& error() const {
        return std::get<std::vector<SchemaError>>(state_);
    }

  private:
    std::variant<Schema, std::vector<SchemaError>> state_;
};

inline CompileResult::CompileResult(Schema schema) : state_(std::move(schema)) {}
inline CompileResult::CompileResult(std::vector<SchemaError> errors) : state_(std::move(errors)) {}

}  // namespace drover::jsonschema
