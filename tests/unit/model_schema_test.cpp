// The model and proto-schemas agree: what common/model emits validates against the schema of its
// type, and the schema's properties are exactly the fields the model knows, so neither can drift.
#include <catch2/catch.hpp>

#include <set>

#include "common/jsonschema/embedded.hpp"
#include "common/model/bootenv.hpp"
#include "common/model/error.hpp"
#include "common/model/event.hpp"
#include "common/model/info.hpp"
#include "common/model/job.hpp"
#include "common/model/machine.hpp"
#include "common/model/param.hpp"
#include "common/model/profile.hpp"
#include "common/model/stage.hpp"
#include "common/model/task.hpp"
#include "common/model/user.hpp"
#include "common/model/workflow.hpp"
#include "embedded_schemas.hpp"

using namespace drover;
using namespace drover::model;
using nlohmann::json;

namespace {

std::string errors_of(std::string_view schema, const json& doc) {
    std::string out;
    for (const auto& e : jsonschema::validate_against_embedded(schema, doc))
        out += jsonschema::to_string(e) + "\n";
    return out;
}

json schema_doc(std::string_view name) {
    for (const auto& s : schemas::all())
        if (s.name == name) return json::parse(s.text);
    FAIL("no schema " << name);
    return {};
}

std::set<std::string> keys_of(const json& obj) {
    std::set<std::string> out;
    for (const auto& [k, _] : obj.items())
        out.insert(k);
    return out;
}

template <class T>
void check_type(std::string_view schema, const T& sample) {
    INFO("schema " << schema);
    CHECK(errors_of(schema, encode(T{})) == "");
    CHECK(errors_of(schema, encode(sample)) == "");
    json props = schema_doc(schema).at("properties");
    CHECK(keys_of(props) == keys_of(encode(T{})));
}

}  // namespace

TEST_CASE("every model type emits JSON its proto-schema accepts, with the same fields",
          "[model][schemas]") {
    Machine m;
    m.uuid = "3e7031fe-3062-45f1-835c-92541bc9cbd3";
    m.name = "john";
    m.address = "10.0.0.5";
    m.params = {{"a", {1, 2}}};
    m.tasks = {"stage:x", "t1"};
    m.current_task = -1;
    m.task_error_stacks = {TaskErrorStack{}};
    check_type("machine", m);

    Task t;
    t.name = "t1";
    t.templates = {TemplateInfo{}};
    t.templates[0].name = "a";
    t.templates[0].contents = "echo";
    t.extra_claims = {Claim{}};
    check_type("task", t);
    check_type("template_info", t.templates[0]);
    check_type("claim", t.extra_claims[0]);

    Template tm;
    tm.id = "x.tmpl";
    check_type("template", tm);

    Job j;
    j.uuid = "3e7031fe-3062-45f1-835c-92541bc9cbd4";
    j.machine = m.uuid;
    j.previous = kZeroUuid;
    j.state = "finished";
    j.exit_state = "reboot";
    j.start_time = "2017-12-21T23:26:43.412554192Z";
    check_type("job", j);

    JobAction a;
    a.meta = {{"OS", "linux"}};
    check_type("job_action", a);

    Stage s;
    s.name = "s1";
    s.reboot = true;
    check_type("stage", s);

    BootEnv b;
    b.name = "local";
    b.os.supported_architectures["amd64"] = ArchInfo{};
    check_type("bootenv", b);

    Workflow w;
    w.stages = {"a", "b"};
    check_type("workflow", w);

    Profile p;
    p.params = {{"x", nullptr}};
    check_type("profile", p);

    Param pa;
    pa.schema = {{"type", "string"}};
    check_type("param", pa);

    Event ev;
    ev.type = "machines";
    ev.object = encode(m);
    check_type("event", ev);

    Info info;
    info.features = {"secure-params"};
    check_type("info", info);

    User u;
    u.name = "admin";
    u.roles = {"admin"};
    check_type("user", u);

    UserToken tok;
    tok.token = "abc";
    check_type("user_token", tok);

    check_type("error", not_found_error("machines", "foo"));
}

TEST_CASE("schemas reject what the model would refuse to decode", "[model][schemas]") {
    json bad = encode(Machine{});
    bad["CurrentTask"] = "zero";
    Machine m;
    CHECK_FALSE(decode(bad, m).empty());
    CHECK(errors_of("machine", bad) != "");
    json job = encode(Job{});
    job["State"] = "done";
    CHECK(errors_of("job", job) != "");
}
