// spec 1.5/7: a Task rendered into JobActions: required params, the template namespace (inline,
// by ID, includes), Path rendering, the OS filter, render data, spec 8 params and error texts.
#include <catch2/catch.hpp>

#include "common/rules/task_render.hpp"
#include "map_catalog.hpp"

using namespace drover;
using namespace drover::rules;
using nlohmann::json;

namespace {

class FakeTokens : public tmpl::TokenSource {
  public:
    std::string token() const override { return "tok-machine"; }
    std::string infinite_token() const override { return "tok-infinite"; }
    std::string profile_token(const std::string& profile, int64_t seconds) const override {
        return "tok-" + profile + "-" + std::to_string(seconds);
    }
};

model::TemplateInfo inline_tmpl(std::string name, std::string contents, std::string path = "") {
    model::TemplateInfo ti;
    ti.name = std::move(name);
    ti.contents = std::move(contents);
    ti.path = std::move(path);
    return ti;
}

model::TemplateInfo by_id(std::string name, std::string id) {
    model::TemplateInfo ti;
    ti.name = std::move(name);
    ti.id = std::move(id);
    return ti;
}

struct Fixture {
    testing::MapCatalog cat;
    model::Machine m;
    model::Task task;
    std::map<std::string, model::Template> globals;
    FakeTokens tokens;
    json machine_json, stage_json, env_json, info_json;
    std::string target_os;

    Fixture() {
        m.uuid = "3e7031fe-3062-45f1-835c-92541bc9cbd3";
        m.name = "node1.example.com";
        m.stage = "st";
        m.boot_env = "local";
        m.profiles = {"p1"};
        cat.add_profile("p1");
        cat.add_stage("st", {});
        cat.add_profile("global");
        task.name = "t";
        stage_json = {{"Name", "st"}};
        env_json = {{"Name", "local"}};
        info_json = {{"version", "v4.8.0"}};
    }
    void add_global(const std::string& id, const std::string& contents) {
        globals[id].id = id;
        globals[id].contents = contents;
    }
    void add_param_def(const std::string& name, json schema) {
        cat.params[name].name = name;
        cat.params[name].schema = std::move(schema);
    }
    api::Expected<std::vector<model::JobAction>, model::Errors> render() {
        machine_json = model::encode(m);
        TaskRenderInput in;
        in.task = &task;
        in.machine = &m;
        in.machine_json = &machine_json;
        in.stage_json = &stage_json;
        in.boot_env_json = &env_json;
        in.info_json = &info_json;
        for (const auto& [id, t] : globals)
            in.templates.push_back(&t);
        in.catalog = &cat;
        in.tokens = &tokens;
        in.api_url = "https://10.0.0.1:8092";
        in.provisioner_url = "http://10.0.0.1:8091";
        in.target_os = target_os;
        return render_task_actions(in);
    }
    // The one action's Content, or the error list joined: every check sees what went wrong.
    std::string content_of(const std::string& contents) {
        task.templates = {inline_tmpl("one", contents)};
        auto r = render();
        if (!r) return "ERR: " + join(r.error());
        REQUIRE(r->size() == 1);
        return r->front().content;
    }
    std::string path_of(const std::string& path) {
        task.templates = {inline_tmpl("one", "x", path)};
        auto r = render();
        if (!r) return "ERR: " + join(r.error());
        REQUIRE(r->size() == 1);
        return r->front().path;
    }
    static std::string join(const model::Errors& errs) {
        std::string out;
        for (const auto& e : errs)
            out += (out.empty() ? "" : " | ") + e;
        return out;
    }
};

std::vector<std::string> names(const std::vector<model::JobAction>& actions) {
    std::vector<std::string> out;
    for (const auto& a : actions)
        out.push_back(a.name);
    return out;
}

}  // namespace

TEST_CASE("required params: one message per missing param, nothing rendered",
          "[task_render][spec7.4]") {
    Fixture f;
    f.task.required_params = {"a", "b", "c"};
    f.task.templates = {inline_tmpl("one", "{{.Param \"nope\"}}")};
    f.m.params = {{"b", 1}};
    auto r = f.render();
    REQUIRE_FALSE(r);
    CHECK(r.error() == model::Errors{"Missing required parameter a for tasks t",
                                     "Missing required parameter c for tasks t"});
}

TEST_CASE("required params: satisfied by the machine, a profile or a schema default",
          "[task_render][spec7.4][spec8]") {
    Fixture f;
    f.task.required_params = {"need"};
    f.task.templates = {inline_tmpl("one", "{{.Param \"need\"}}")};
    SECTION("machine") {
        f.m.params = {{"need", "m"}};
        CHECK(f.render()->front().content == "m");
    }
    SECTION("profile") {
        f.cat.profiles["p1"].params = {{"need", "p"}};
        CHECK(f.render()->front().content == "p");
    }
    SECTION("schema default") {
        f.add_param_def("need", {{"type", "string"}, {"default", "d"}});
        CHECK(f.render()->front().content == "d");
    }
    SECTION("a Param without a default does not count") {
        f.add_param_def("need", {{"type", "string"}});
        REQUIRE_FALSE(f.render());
    }
}

TEST_CASE("inline and ID templates become actions in task order", "[task_render][spec7.1]") {
    Fixture f;
    f.add_global("hello.tmpl", "hello {{.Machine.Name}}");
    auto second = by_id("second", "hello.tmpl");
    second.meta = {{"Interpreter", "/bin/bash"}};
    f.task.templates = {inline_tmpl("first", "inline"), second};
    auto r = f.render();
    REQUIRE(r);
    CHECK(names(*r) == std::vector<std::string>{"first", "second"});
    CHECK((*r)[0].content == "inline");
    CHECK((*r)[1].content == "hello node1.example.com");
    CHECK((*r)[1].meta == model::Meta{{"Interpreter", "/bin/bash"}});
    CHECK((*r)[0].meta.empty());
}

TEST_CASE("an ID naming no global template is an error", "[task_render][spec7.1]") {
    Fixture f;
    f.task.templates = {by_id("two", "nope.tmpl")};
    auto r = f.render();
    REQUIRE_FALSE(r);
    CHECK(r.error() == model::Errors{"task t template two: Missing template: nope.tmpl"});
}

TEST_CASE("inline templates include globals, an inline name wins over a global",
          "[task_render][spec7.1]") {
    Fixture f;
    f.add_global("setup.tmpl", "RS_UUID={{.Machine.UUID}}\n");
    f.add_global("one", "the global");
    CHECK(f.content_of("{{template \"setup.tmpl\" .}}body") ==
          "RS_UUID=3e7031fe-3062-45f1-835c-92541bc9cbd3\nbody");
    CHECK(f.content_of("{{.CallTemplate \"setup.tmpl\" .}}") ==
          "RS_UUID=3e7031fe-3062-45f1-835c-92541bc9cbd3\n");
    CHECK(f.content_of("the inline") == "the inline");
}

TEST_CASE("a global's {{define}} is visible to every task template", "[task_render][spec7.1]") {
    Fixture f;
    f.add_global("lib.tmpl", "{{define \"greet\"}}hi {{.}}{{end}}");
    CHECK(f.content_of("{{template \"greet\" \"there\"}}") == "hi there");
}

TEST_CASE("paths: empty stays a script, others render and are cleaned", "[task_render][spec7.1]") {
    Fixture f;
    f.m.params = {{"dir", "/etc/app"}};
    CHECK(f.path_of("") == "");
    CHECK(f.path_of("conf/{{.Machine.ShortName}}/./x.cfg") == "conf/node1/x.cfg");
    CHECK(f.path_of("{{.Param \"dir\"}}//sub/../app.conf") == "/etc/app/app.conf");
    CHECK(f.path_of("{{if false}}x{{end}}") == ".");  // Go's path.Clean("")
}

TEST_CASE("paths: a missing key is an error there, <no value> in contents",
          "[task_render][spec7.1]") {
    Fixture f;
    CHECK(f.path_of("{{.Machine.Nope}}/x") ==
          "ERR: task t template one path: template: one:1:10: executing \"one\" at "
          "<.Machine.Nope>: map has no entry for key \"Nope\"");
    CHECK(f.content_of("{{.Machine.Nope}}") == "<no value>");
}

TEST_CASE("paths: a path that does not parse is an error naming the template",
          "[task_render][spec7.1]") {
    Fixture f;
    CHECK(f.path_of("{{.Machine.Name") ==
          "ERR: task t template one path: template: one:1: unclosed action");
}

TEST_CASE("the OS filter applies after rendering", "[task_render][spec1.5]") {
    Fixture f;
    auto linux_ti = inline_tmpl("lin", "l");
    linux_ti.meta = {{"OS", "linux"}};
    auto win_ti = inline_tmpl("win", "w");
    win_ti.meta = {{"OS", "windows"}};
    auto any_ti = inline_tmpl("any", "a");
    any_ti.meta = {{"OS", "any"}};
    f.task.templates = {linux_ti, win_ti, any_ti};
    CHECK(names(*f.render()) == std::vector<std::string>{"lin", "win", "any"});
    f.target_os = "linux";
    CHECK(names(*f.render()) == std::vector<std::string>{"lin", "any"});
    f.target_os = "windows";
    CHECK(names(*f.render()) == std::vector<std::string>{"win", "any"});
    SECTION("a first action without an OS key leaves the list unfiltered") {
        f.task.templates.insert(f.task.templates.begin(), inline_tmpl("plain", "p"));
        CHECK(names(*f.render()) == std::vector<std::string>{"plain", "lin", "win", "any"});
    }
}

TEST_CASE("render data: machine, task, stage, env, info, URLs and tokens",
          "[task_render][spec7.2]") {
    Fixture f;
    CHECK(f.content_of("{{.Machine.Name}} {{.Machine.UUID}} {{.Machine.Uuid}}") ==
          "node1.example.com 3e7031fe-3062-45f1-835c-92541bc9cbd3 "
          "3e7031fe-3062-45f1-835c-92541bc9cbd3");
    CHECK(f.content_of("{{.Task.Name}} {{.Stage.Name}} {{.Env.Name}} {{.Info.version}}") ==
          "t st local v4.8.0");
    CHECK(f.content_of("{{.ApiURL}} {{.ProvisionerURL}} {{.ProvisionerAddress}}") ==
          "https://10.0.0.1:8092 http://10.0.0.1:8091 10.0.0.1");
    CHECK(f.content_of("{{.Machine.Url}}") ==
          "http://10.0.0.1:8091/machines/3e7031fe-3062-45f1-835c-92541bc9cbd3");
    CHECK(f.content_of("{{.GenerateToken}} {{.GenerateInfiniteToken}} "
                       "{{.GenerateProfileToken \"p1\" 60}}") ==
          "tok-machine tok-infinite tok-p1-60");
}

TEST_CASE(".Param follows spec 8: machine over profile over stage over global",
          "[task_render][spec8]") {
    Fixture f;
    f.m.params = {{"x", "machine"}};
    f.cat.profiles["p1"].params = {{"x", "profile"}};
    f.cat.stages["st"].params = {{"x", "stage"}};
    f.cat.profiles["global"].params = {{"x", "global"}};
    const std::string t = "{{.Param \"x\"}}";
    CHECK(f.content_of(t) == "machine");
    f.m.params.clear();
    CHECK(f.content_of(t) == "profile");
    f.cat.profiles["p1"].params.clear();
    CHECK(f.content_of(t) == "stage");
    f.cat.stages["st"].params.clear();
    CHECK(f.content_of(t) == "global");
    f.cat.profiles["global"].params.clear();
    CHECK(f.content_of("{{.ParamExists \"x\"}}") == "false");
}

TEST_CASE(".ComposeParam merges every level", "[task_render][spec7.2][spec8]") {
    Fixture f;
    f.m.params = {{"cfg", {{"a", 1}, {"list", {"m"}}}}};
    f.cat.profiles["p1"].params = {{"cfg", {{"a", 2}, {"b", 2}, {"list", {"p"}}}}};
    f.cat.profiles["global"].params = {{"cfg", {{"c", 3}}}};
    CHECK(f.content_of("{{.Param \"cfg\"}}") == "map[a:1 list:[m]]");
    CHECK(f.content_of("{{.ComposeParam \"cfg\"}}") == "map[a:1 b:2 c:3 list:[m p]]");
}

TEST_CASE("a missing .Param fails the render with DRP's message", "[task_render][spec7.2]") {
    Fixture f;
    CHECK(f.content_of("x{{.Param \"nope\"}}") ==
          "ERR: task t template one: template: one:1:3: executing \"one\" at <.Param>: error "
          "calling Param: No such machine parameter nope");
}

TEST_CASE("parse errors name the template", "[task_render][spec7.1]") {
    Fixture f;
    SECTION("inline") {
        CHECK(f.content_of("{{if}}") ==
              "ERR: task t template one: template: one:1: missing value for if");
    }
    SECTION("global") {
        f.add_global("bad.tmpl", "{{end}}");
        CHECK(f.content_of("fine") ==
              "ERR: template bad.tmpl: template: bad.tmpl:1: unexpected {{end}}");
    }
}

TEST_CASE("every failing template is reported", "[task_render][spec7.4]") {
    Fixture f;
    f.task.templates = {inline_tmpl("a", "{{.Param \"p\"}}"), inline_tmpl("ok", "fine"),
                        inline_tmpl("b", "{{fail \"boom\"}}")};
    auto r = f.render();
    REQUIRE_FALSE(r);
    REQUIRE(r.error().size() == 2);
    CHECK(r.error()[0].starts_with("task t template a: "));
    CHECK(r.error()[1] ==
          "task t template b: template: b:1:2: executing \"b\" at <fail \"boom\">: error calling "
          "fail: boom");
}

TEST_CASE("a task without templates renders no actions", "[task_render][spec1.5]") {
    Fixture f;
    auto r = f.render();
    REQUIRE(r);
    CHECK(r->empty());
}

TEST_CASE("a missing task, machine or catalog is an error", "[task_render]") {
    TaskRenderInput in;
    CHECK(render_task_actions(in).error() == model::Errors{"No task to render"});
    model::Task task;
    in.task = &task;
    CHECK(render_task_actions(in).error() == model::Errors{"No machine to render against"});
    model::Machine m;
    in.machine = &m;
    CHECK(render_task_actions(in).error() == model::Errors{"No catalog to resolve params against"});
}
