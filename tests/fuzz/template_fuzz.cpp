// The template engine (common/tmpl: lexer, parser, executor, builtins, Sprig, render data): any
// text as task content, parsed as template "main" and rendered against a small fixed machine,
// task, stage, env and params (with drover's extensions and token minting), in both missing-key
// modes. Properties beyond not crashing: a parse error or a render error is a message, never an
// exception; a template that parsed once parses again from the cache; hostile templates stop at
// the engine's limits (RenderLimits, set small here) instead of hanging or exhausting memory.
#include <nlohmann/json.hpp>
#include <string>

#include "common/tmpl/template.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace drover::tmpl;
using nlohmann::json;

namespace {

struct FixedData {
    json machine = json::parse(R"({
        "Name": "node1.example.com", "Uuid": "3e1d7c3a-8e3a-4f7a-9a64-0c2b5d1e9f10",
        "Address": "192.168.1.20", "Arch": "amd64", "BootEnv": "sledgehammer",
        "Stage": "discover", "CurrentTask": 1, "Tasks": ["stage:discover", "a", "b"],
        "Profiles": ["p1", "rack-7"], "Runnable": true,
        "Meta": {"feature-flags": "change-stage-v2, sane-exit-codes"}})");
    json task = json::parse(R"({"Name": "a", "Templates": [{"Name": "t", "Path": "/tmp/t"}]})");
    json stage = json::parse(R"({"Name": "discover", "BootEnv": "sledgehammer"})");
    json env = json::parse(R"({"Name": "sledgehammer", "Kernel": "vmlinuz0",
                               "OS": {"Name": "sledgehammer", "Family": "redhat"}})");
    json info = json::parse(R"({"Version": "v0.1.0", "Arch": "amd64", "Os": "linux"})");
    json params = json::parse(R"({
        "s": "hello", "i": 3, "f": 1.5, "t": true, "nul": null, "l": ["a", "b", "c"],
        "m": {"a": 1, "b": [2, {"c": "d"}]}, "csv": "a, b,c", "big": 123456789,
        "tmpl": "{{.Machine.Name}}-{{.Param \"i\"}}",
        "tmplmap": {"a": "{{.Param \"s\"}}", "b": ["{{1}}", 2]},
        "self": "{{.ParamExpand \"self\"}}", "unicode": "h\u00e9llo \u2713"})");
};

class FixedParams : public ParamSource {
  public:
    explicit FixedParams(const json& params) : params_(params) {}
    Lookup lookup(std::string_view name) const override {
        auto it = params_.find(std::string(name));
        if (it == params_.end()) return Lookup::success(std::nullopt);
        return Lookup::success(*it);
    }

  private:
    const json& params_;
};

class FixedTokens : public TokenSource {
  public:
    std::string token() const override { return "token"; }
    std::string infinite_token() const override { return "infinite-token"; }
    std::string profile_token(const std::string& profile, int64_t seconds) const override {
        return "profile-token-" + profile + "-" + std::to_string(seconds);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const FixedData fixed;
    static const FixedParams params(fixed.params);
    static const FixedTokens tokens;
    std::string_view text = drover::fuzz::as_text(data, size);

    TemplateSet set;
    if (auto err = set.add("main", text)) {
        FUZZ_CHECK(!err->empty(), "a parse error says why");
        return 0;
    }
    TemplateSet again;
    FUZZ_CHECK(!again.add("main", text), "a template that parsed once parses again");

    RenderContext ctx;
    ctx.machine = &fixed.machine;
    ctx.task = &fixed.task;
    ctx.stage = &fixed.stage;
    ctx.env = &fixed.env;
    ctx.info = &fixed.info;
    ctx.params = &params;
    ctx.tokens = &tokens;
    ctx.api_url = "https://10.0.0.1:8092";
    ctx.provisioner_url = "http://10.0.0.1:8091";
    // Smaller than droverd's defaults so each input stays fast; the code paths are the same.
    ctx.limits = {200'000, 1u << 20, 1u << 16};
    for (bool missing_key_error : {false, true}) {
        ctx.missing_key_error = missing_key_error;
        auto out = set.render("main", ctx);
        if (!out.ok()) FUZZ_CHECK(!out.error().empty(), "a render error says why");
        if (out.ok()) FUZZ_CHECK(out.value().size() <= ctx.limits.max_bytes, "output is bounded");
    }
    return 0;
}
