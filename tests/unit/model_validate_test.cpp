// Syntactic validation of every object (spec 1.0-1.10): all errors are collected, prefixed with
// the object's key, in DRP's words where the spec quotes them.
#include <catch2/catch.hpp>

#include "common/model/bootenv.hpp"
#include "common/model/job.hpp"
#include "common/model/machine.hpp"
#include "common/model/param.hpp"
#include "common/model/profile.hpp"
#include "common/model/stage.hpp"
#include "common/model/task.hpp"
#include "common/model/workflow.hpp"

using namespace drover::model;
using Catch::Matchers::VectorContains;

namespace {

Machine valid_machine() {
    Machine m;
    m.uuid = "3e7031fe-3062-45f1-835c-92541bc9cbd3";
    m.name = "john";
    fill_create_defaults(m, "local");
    return m;
}

}  // namespace

TEST_CASE("a machine with create defaults is valid and looks like DRP's create result",
          "[validate][spec5.8]") {
    Machine m = valid_machine();
    CHECK(validate(m).empty());
    CHECK(m.runnable);
    CHECK(m.stage == "none");
    CHECK(m.current_task == 0);
    CHECK(m.workflow_complete);
    CHECK(m.pool == "default");
    CHECK(m.pool_status == "Free");
    CHECK(m.arch == "amd64");
    CHECK(m.boot_env == "local");
}

TEST_CASE("machine name errors quote the name (spec 5.8 api tests)", "[validate][spec5.8]") {
    for (const char* bad : {"", "foo\\", "foo/"}) {
        Machine m = valid_machine();
        m.name = bad;
        CHECK(validate(m) == Errors{m.uuid + ": Invalid Name `" + bad + "`"});
    }
}

TEST_CASE("machine validation collects every error", "[validate][spec1.1]") {
    Machine m = valid_machine();
    m.arch = "x86_64";
    m.address = "10.0.0.256";
    m.hardware_addrs = {"52:54:00:12:34:56", "nope"};
    m.profiles = {"jill", "jill"};
    m.tasks = {"task1", "stage:x", "bogus:thing", "action:plug:cmd", "a"};
    m.params = {{"ok-name", 1}, {"x", 2}};
    m.fingerprint = nlohmann::json::array({1, 2});  // raw JSON, so its type is checked here
    auto errs = validate(m);
    const std::string k = m.uuid + ": ";
    CHECK_THAT(errs, VectorContains(k + "Please use amd64 for Arch instead of x86_64"));
    CHECK_THAT(errs, VectorContains(k + "Invalid Address `10.0.0.256`"));
    CHECK_THAT(errs, VectorContains(k + "Invalid Hardware Address `nope`"));
    CHECK_THAT(errs, VectorContains(k + "Duplicate profile jill: at 0 and 1"));
    CHECK_THAT(errs, VectorContains(k + "Invalid Stage `x`"));
    CHECK_THAT(errs, VectorContains(k + "bogus:thing (at 2) is malformed"));
    CHECK_THAT(errs, VectorContains(k + "Invalid Task `a`"));
    CHECK_THAT(errs, VectorContains(k + "Invalid Param Name `x`"));
    CHECK_THAT(errs, VectorContains(k + "Fingerprint must be an object"));
    INFO(nlohmann::json(errs).dump(1));
    CHECK(errs.size() == 9);
}

TEST_CASE("MAC and IPv4 syntax follows Go's parsers", "[validate][spec1.1]") {
    Machine m = valid_machine();
    m.hardware_addrs = {"52:54:00:12:34:56", "52-54-00-12-34-56", "5254.0012.3456",
                        "00:00:00:00:fe:80:00:00"};
    m.address = "192.168.1.10";
    CHECK(validate(m).empty());
    for (const char* bad :
         {"52:54:00:12:34", "52:54:00:12:34:5g", "5254.0012.345", "52:54-00:12:34:56"}) {
        m.hardware_addrs = {bad};
        CHECK(validate(m).size() == 1);
    }
    m.hardware_addrs.clear();
    for (const char* bad : {"1.2.3", "1.2.3.4.5", "01.2.3.4", "1..2.3", "a.b.c.d", "1.2.3.4 "}) {
        m.address = bad;
        CHECK(validate(m).size() == 1);
    }
}

TEST_CASE("task templates: name, ID xor Contents, OS metadata rules (spec 1.2, 1.3)",
          "[validate][spec1.2]") {
    Task t;
    t.name = "task1";
    t.templates = {{}, {}, {}};
    t.templates[0].name = "aa";
    t.templates[0].id = "x.tmpl";
    t.templates[0].contents = "y";
    t.templates[1].name = "aa";
    t.templates[1].contents = "z";
    t.templates[1].meta = {{"OS", "linux, plan9"}};
    t.templates[2].name = "cc";
    auto errs = validate(t);
    CHECK_THAT(errs, VectorContains(std::string("task1: Template[0] has both an ID and Contents")));
    CHECK_THAT(errs, VectorContains(std::string("task1: Duplicate template name aa")));
    CHECK_THAT(errs, VectorContains(
                         std::string("task1: Template[1] has an unknown OS `plan9` in Meta.OS")));
    CHECK_THAT(errs, VectorContains(std::string(
                         "task1: Template[2] must have either an ID, a Link, or Contents set")));
    CHECK_THAT(
        errs,
        VectorContains(std::string(
            "task1: Cannot mix templates with OS metadata and templates without OS metadata")));
    CHECK(errs.size() == 5);
}

TEST_CASE("task param lists use param-name rules", "[validate][spec1.2]") {
    Task t;
    t.name = "t1";
    t.required_params = {"change-stage/map", "x"};
    t.optional_params = {"/bad"};
    t.prerequisites = {"ok-task", "9"};
    CHECK(validate(t) == Errors{"t1: Invalid Required Param `x`",
                                "t1: Invalid Optional Param `/bad`",
                                "t1: Invalid Prerequisite `9`"});
}

TEST_CASE("stage: templates need a Path, action entries need a plugin", "[validate][spec1.6]") {
    Stage s;
    s.name = "s1";
    s.tasks = {"action:cmd", "action:plug:cmd", "chroot:/target", "context:", "task-x"};
    s.templates = {{}};
    s.templates[0].name = "pxe";
    s.templates[0].id = "pxe.tmpl";
    CHECK(validate(s) == Errors{"s1: action:cmd (at 0) must be action:plugin:command in a stage",
                                "s1: Template[0] is missing a Path"});
}

TEST_CASE("bootenv: loaders keys and arch names", "[validate][spec1.7]") {
    BootEnv b;
    b.name = "centos-8-install";
    b.loaders = {{"amd64-uefi", "shim"}, {"sparc-obp", "x"}};
    b.os.supported_architectures["x86_64"] = {};
    auto errs = validate(b);
    CHECK(errs.size() == 2);
    CHECK(is_install_bootenv(b.name));
    CHECK_FALSE(is_install_bootenv("local"));
    CHECK_FALSE(net_boot(b));
    b.kernel = "vmlinuz";
    CHECK(net_boot(b));
}

TEST_CASE("workflow, profile and param names", "[validate][spec1.8][spec1.9][spec1.10]") {
    Workflow w;
    w.name = "wf";
    w.stages = {"s1", "bad/"};
    CHECK(validate(w) == Errors{"wf: Invalid Stage `bad/`"});
    Profile p;
    p.name = "global";
    p.profiles = {"global"};
    p.params = {{"a/b", 1}};
    CHECK(validate(p) == Errors{"global: Profile global cannot include itself"});
    Param pa;
    pa.name = "a";
    pa.schema = "string";
    CHECK(validate(pa) == Errors{"a: Invalid Name `a`", "a: Schema must be a JSON Schema object"});
    pa.schema = {{"type", "integer"}, {"default", nullptr}};
    REQUIRE(default_value(pa).has_value());
    CHECK(default_value(pa)->is_null());
    pa.schema = {{"type", "integer"}};
    CHECK_FALSE(default_value(pa).has_value());
}

TEST_CASE("job states and special task entries", "[validate][spec1.4]") {
    Job j;
    j.uuid = "u";
    j.machine = "m";
    j.task = "stage:foo";
    CHECK(validate(j).empty());
    j.task = "x";
    j.state = "done";
    j.exit_state = "rebooted";
    CHECK(validate(j) == Errors{"u: Invalid Task `x`", "u: Invalid State `done`",
                                "u: Invalid ExitState `rebooted`"});
    CHECK(parse_job_state("incomplete") == JobState::Incomplete);
    CHECK(to_string(ExitState::Poweroff) == "poweroff");
    CHECK(is_final(JobState::Failed));
    CHECK_FALSE(is_final(JobState::Incomplete));
}

TEST_CASE("OS filtering of actions (spec 1.5)", "[validate][spec1.5]") {
    JobAction any, linux_only, win;
    any.meta = {{"OS", "any"}};
    linux_only.meta = {{"OS", "linux,esxi"}};
    win.meta = {{"OS", "windows"}};
    CHECK(action_valid_for_os(linux_only, "linux"));
    CHECK(action_valid_for_os(linux_only, "esxi"));
    CHECK_FALSE(action_valid_for_os(win, "linux"));
    CHECK(action_valid_for_os(win, ""));
    CHECK(filter_actions_for_os({any, linux_only, win}, "linux").size() == 2);
    JobAction no_os;
    // The first action has no OS key: the whole list is returned unfiltered.
    CHECK(filter_actions_for_os({no_os, win}, "linux").size() == 2);
}
