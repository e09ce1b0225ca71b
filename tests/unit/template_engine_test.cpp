// API-level tests of the template engine beyond the Go-oracle corpus: the ParamSource and
// TokenSource seams the server implements, drover's extensions (.ComposeParam, .Info,
// .Machine.Url) and set semantics (redefinition, parse errors, missing templates).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "common/tmpl/template.hpp"

namespace {

using drover::tmpl::RenderContext;
using drover::tmpl::TemplateSet;
using nlohmann::json;

class Params : public drover::tmpl::ParamSource {
  public:
    Lookup lookup(std::string_view name) const override {
        if (name == "a") return Lookup::success(json("first"));
        if (name == "list") return Lookup::success(json::array({1, 2}));
        if (name == "broken") return Lookup::failure("Param broken cannot be decrypted");
        return Lookup::success(std::nullopt);
    }
    Lookup compose(std::string_view name) const override {
        if (name == "list") return Lookup::success(json::array({1, 2, 3}));
        return lookup(name);
    }
};

class Tokens : public drover::tmpl::TokenSource {
  public:
    std::string token() const override { return "jwt"; }
    std::string infinite_token() const override { return "forever"; }
    std::string profile_token(const std::string& p, int64_t s) const override {
        return p + ":" + std::to_string(s);
    }
};

std::string render(const std::string& text, const RenderContext& ctx) {
    TemplateSet set;
    REQUIRE_FALSE(set.add("t", text));
    auto r = set.render("t", ctx);
    INFO((r.ok() ? std::string() : r.error()));
    REQUIRE(r.ok());
    return r.value();
}

}  // namespace

TEST_CASE("params and tokens come from the server's sources", "[tmpl]") {
    Params params;
    Tokens tokens;
    json machine = {{"Name", "n1.lab"}, {"Uuid", "u1"}};
    json info = {{"version", "v1"}};
    RenderContext ctx;
    ctx.machine = &machine;
    ctx.params = &params;
    ctx.tokens = &tokens;
    ctx.info = &info;
    ctx.provisioner_url = "http://10.0.0.1:8091";
    CHECK(render("{{.Param \"a\"}} {{.ParamExists \"b\"}}", ctx) == "first false");
    CHECK(render("{{.ComposeParam \"list\"}} {{.ParamCompose \"a\"}}", ctx) == "[1 2 3] first");
    CHECK(render("{{.GenerateToken}} {{.GenerateInfiniteToken}} {{.GenerateProfileToken \"p\" 5}}",
                 ctx) == "jwt forever p:5");
    CHECK(render("{{.Info.version}} {{.Machine.Url}}", ctx) ==
          "v1 http://10.0.0.1:8091/machines/u1");
    // A source's failure (a secure value that does not decrypt) aborts the render with its text.
    for (const char* call : {"Param", "ParamExists", "ComposeParam"}) {
        TemplateSet failing;
        REQUIRE_FALSE(failing.add("t", std::string("{{.") + call + " \"broken\"}}"));
        auto failed = failing.render("t", ctx);
        REQUIRE_FALSE(failed.ok());
        CHECK_THAT(failed.error(), Catch::Contains("Param broken cannot be decrypted"));
    }
    ctx.extensions = false;
    TemplateSet set;
    REQUIRE_FALSE(set.add("t", "{{.ComposeParam \"a\"}}"));
    auto r = set.render("t", ctx);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error() ==
          "template: t:1:2: executing \"t\" at <.ComposeParam>: can't evaluate field ComposeParam "
          "in type *main.renderData");
}

TEST_CASE("template set semantics follow Go", "[tmpl]") {
    RenderContext ctx;
    TemplateSet set;
    auto err = set.add("bad", "{{if}}");
    REQUIRE(err);
    CHECK(*err == "template: bad:1: missing value for if");
    CHECK_FALSE(set.contains("bad"));
    REQUIRE_FALSE(set.add("a", "{{define \"x\"}}one{{end}}[{{template \"x\"}}]"));
    REQUIRE_FALSE(set.add("b", "{{define \"x\"}}two{{end}}"));
    auto r = set.render("a", ctx);
    REQUIRE(r.ok());
    CHECK(r.value() == "[two]");  // a later definition replaces an earlier one
    REQUIRE_FALSE(set.add("c", "{{define \"x\"}}  {{end}}"));
    CHECK(set.render("a", ctx).value() == "[two]");  // an empty body never replaces
    auto missing = set.render("nope", ctx);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error() == "template: no template \"nope\" associated with template \"\"");
}

TEST_CASE("the parse cache returns identical results for repeated content", "[tmpl]") {
    RenderContext ctx;
    for (int i = 0; i < 3; ++i) {
        TemplateSet set;
        REQUIRE_FALSE(set.add("t", "{{range $i, $v := list 1 2}}{{$i}}{{$v}}{{end}}"));
        CHECK(set.render("t", ctx).value() == "0112");
    }
}

TEST_CASE("runaway recursion and nesting fail cleanly instead of overflowing the stack", "[tmpl]") {
    RenderContext ctx;
    TemplateSet set;
    REQUIRE_FALSE(
        set.add("t",
                "{{define \"r\"}}{{if true}}{{with .}}{{range list 1}}{{template \"r\" $}}"
                "{{end}}{{end}}{{end}}{{end}}{{template \"r\" .}}"));
    auto r = set.render("t", ctx);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error() ==
          "template: t:1:62: executing \"r\" at <{{template \"r\" $}}>: exceeded maximum "
          "template depth (100000)");
    REQUIRE_FALSE(set.add("c", "{{define \"c\"}}{{.CallTemplate \"c\" .}}{{end}}"));
    CHECK_FALSE(set.render("c", ctx).ok());
    std::string deep = "{{" + std::string(200000, '(') + "1" + std::string(200000, ')') + "}}";
    auto err = TemplateSet().add("deep", deep);
    REQUIRE(err);
    CHECK(*err == "template: deep:1: nesting too deep");
}

TEST_CASE("missingkey=error turns missing map keys into errors", "[tmpl]") {
    json machine = {{"Name", "n1"}};
    RenderContext ctx;
    ctx.machine = &machine;
    ctx.missing_key_error = true;
    TemplateSet set;
    REQUIRE_FALSE(set.add("p", "{{.Machine.Name}}/{{.Machine.Nope}}"));
    auto r = set.render("p", ctx);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error() ==
          "template: p:1:28: executing \"p\" at <.Machine.Nope>: map has no entry for key "
          "\"Nope\"");
    REQUIRE_FALSE(set.add("q", "{{.Machine.Nope.Deeper}}"));
    CHECK_FALSE(set.render("q", ctx).ok());
    ctx.missing_key_error = false;
    CHECK(set.render("p", ctx).value() == "n1/<no value>");
}
