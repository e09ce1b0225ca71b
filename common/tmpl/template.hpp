// Public API of drover's Go text/template compatible engine: a set of named templates
// (parsed once, cached by content hash) rendered against the task render data of spec 7.2.
// Params come through ParamSource so the engine knows nothing about storage or HTTP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace drover::tmpl {

// A value or an error message (Go's error text), never both.
template <class T>
class Result {
  public:
    static Result success(T v) { return Result(std::move(v), {}); }
    static Result failure(std::string e) { return Result(std::nullopt, std::move(e)); }
    bool ok() const { return value_.has_value(); }
    const T& value() const { return *value_; }
    const std::string& error() const { return error_; }

  private:
    Result(std::optional<T> v, std::string e) : value_(std::move(v)), error_(std::move(e)) {}
    std::optional<T> value_;
    std::string error_;
};

// Resolved params (spec 8 precedence is the implementer's business).
class ParamSource {
  public:
    // The value, nullopt when the param does not exist, or a failure (a secure value that cannot
    // be decrypted) whose message aborts the render.
    using Lookup = Result<std::optional<nlohmann::json>>;
    virtual ~ParamSource();
    virtual Lookup lookup(std::string_view name) const = 0;
    // The value merged across all levels (.ComposeParam); defaults to lookup.
    virtual Lookup compose(std::string_view name) const;
};

// Token minting for .GenerateToken and friends.
class TokenSource {
  public:
    virtual ~TokenSource() = default;
    virtual std::string token() const = 0;
    virtual std::string infinite_token() const = 0;
    virtual std::string profile_token(const std::string& profile, int64_t seconds) const = 0;
};

// Bounds of one render, nested renders (CallTemplate, StringExpand, ParamExpand) included. Go's
// text/template has none; droverd renders task content in its workers, where a runaway or
// hostile template must end with an error instead of holding a worker or exhausting memory.
struct RenderLimits {
    // Work units: every node evaluated, function called or value node walked (printing, JSON,
    // YAML, comparisons) costs one, and every 128 bytes of string it moves one more, so copying
    // a large value in a loop is counted too. Deterministic, unlike a deadline.
    std::uint64_t max_steps = 20'000'000;
    std::size_t max_bytes = 64u << 20;  // the output, and any one string a function returns
    std::size_t max_items = 1u << 20;   // any one list or map a function returns
};

struct RenderContext {
    const nlohmann::json* machine = nullptr;  // null: .Machine is a nil map
    const nlohmann::json* task = nullptr;
    const nlohmann::json* stage = nullptr;
    const nlohmann::json* env = nullptr;
    const nlohmann::json* info = nullptr;
    const ParamSource* params = nullptr;
    const TokenSource* tokens = nullptr;
    std::string api_url;
    std::string provisioner_url;
    // drover additions beyond the Go oracle (.ComposeParam, .ParamCompose, .Info,
    // .Machine.Url); off for `drover template render`, which must match the oracle exactly.
    bool extensions = true;
    // Go's Option("missingkey=error"): a missing map key is an error instead of <no value>
    // (spec 7.1: BootEnv path fields are rendered this way).
    bool missing_key_error = false;
    RenderLimits limits;
};

class TemplateSet {
  public:
    TemplateSet();
    ~TemplateSet();
    TemplateSet(const TemplateSet&);
    TemplateSet& operator=(const TemplateSet&);

    // Parses `text` as template `name` (with its {{define}}s). A later definition of a
    // name replaces an earlier one unless the new body is empty, as in Go. Returns the
    // Go parse error on failure (the set is unchanged then).
    std::optional<std::string> add(const std::string& name, std::string_view text);
    bool contains(const std::string& name) const;
    Result<std::string> render(const std::string& name, const RenderContext& ctx) const;

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace drover::tmpl
