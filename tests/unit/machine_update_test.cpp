// spec 3.3-3.5 and the TestJobs rows of spec 5.8 that are pure machine edits (1-8, 13-16,
// 21-22, 24), driven through the same rule functions the server uses. Job runs are simulated by
// moving CurrentTask the way the job engine does.
#include <catch2/catch.hpp>

#include "common/rules/machine_update.hpp"
#include "map_catalog.hpp"

using namespace drover;
using namespace drover::rules;
using model::Machine;
using TL = std::vector<std::string>;

namespace {

struct TestJobsWorld {
    testing::MapCatalog cat;
    Machine m;

    TestJobsWorld() {
        cat.add_boot_env("local");
        cat.add_boot_env("ignore", /*only_unknown=*/true);
        cat.add_boot_env("sledgehammer");
        cat.add_stage("none", {});
        cat.add_stage("stage1", {"task1", "task2"});
        cat.add_stage("stage2", {"task2", "task1"});
        cat.add_task("task1");
        cat.add_task("task2");
        cat.add_profile("global");
        Machine proposed;
        proposed.uuid = "3e7031fe-3062-45f1-835c-92541bc9cbd3";
        proposed.name = "john";
        proposed.boot_env = "local";
        proposed.meta["feature-flags"] = "change-stage-v2";
        auto created = prepare_machine_create(proposed, cat, {});
        REQUIRE(created.errors.empty());
        m = created.machine;
    }

    // Applies a user edit; on success the machine changes, on failure it stays.
    model::Errors edit(const std::function<void(Machine&)>& change, bool force = false) {
        Machine next = m;
        change(next);
        MachineChangeOptions opts;
        opts.force = force;
        auto r = prepare_machine_update(m, next, cat, opts);
        if (r.ok()) m = r.machine;
        return r.errors;
    }
};

}  // namespace

TEST_CASE("TestJobs machine edits (spec 5.8 rows 1-8, 13-16, 21-22, 24)",
          "[machine_update][spec5.8][spec3.3]") {
    TestJobsWorld w;
    // 1: create
    CHECK(w.m.runnable);
    CHECK(w.m.stage == "none");
    CHECK(w.m.current_task == 0);
    CHECK(w.m.workflow_complete);
    CHECK(w.m.pool == "default");
    CHECK(w.m.pool_status == "Free");
    CHECK(w.m.secret.empty());
    CHECK(w.m.meta["feature-flags"] == "change-stage-v2");
    // 2
    CHECK(w.edit([](Machine& m) { m.stage = "stage1"; }).empty());
    CHECK(w.m.tasks == TL{"task1", "task2"});
    CHECK(w.m.current_task == -1);
    CHECK_FALSE(w.m.workflow_complete);
    // 3
    CHECK(w.edit([](Machine& m) { m.current_task = 0; }) ==
          model::Errors{"Cannot advance CurrentTask from -1 to 0 without running jobs"});
    // 4
    CHECK(w.edit([](Machine& m) { m.stage = "stage2"; }) ==
          model::Errors{"Can not change stages with pending tasks unless forced"});
    // 5
    CHECK(w.edit([](Machine& m) { m.tasks = {}; }).empty());
    CHECK(w.m.current_task == 0);
    CHECK(w.m.workflow_complete);
    // 6
    CHECK(w.edit([](Machine& m) { m.tasks = {"task2", "task1"}; }).empty());
    CHECK(w.m.current_task == -1);
    CHECK_FALSE(w.m.workflow_complete);
    // 7
    CHECK(w.edit([](Machine& m) { m.tasks = {"task1", "task2", "task1"}; }).empty());
    // 8
    CHECK(w.edit([](Machine& m) { m.stage = "stage2"; }, /*force=*/true).empty());
    CHECK(w.m.tasks == TL{"task2", "task1"});
    CHECK(w.m.current_task == -1);
    // 9-12: the job engine runs task2 at index 0.
    w.m.current_task = 0;
    // 13, 14
    CHECK(w.edit([](Machine& m) { m.tasks = {}; }) ==
          model::Errors{"Cannot remove tasks that have already executed or are already executing"});
    CHECK(w.edit([](Machine& m) {
        m.tasks = {"task1", "task2"};
    }) == model::Errors{"Cannot change tasks that have already executed or are executing"});
    // 15, 16
    CHECK(w.edit([](Machine& m) { m.tasks = {"task2"}; }).empty());
    CHECK(w.edit([](Machine& m) { m.tasks = {"task2", "task1", "task2"}; }).empty());
    CHECK(w.m.current_task == 0);
    // 17-20: jobs run; task1 at index 1 is current.
    w.m.current_task = 1;
    // 21, 22
    CHECK(w.edit([](Machine& m) { m.tasks = {"task2", "task1"}; }).empty());
    CHECK(w.edit([](Machine& m) { m.tasks = {}; }) ==
          model::Errors{"Cannot remove tasks that have already executed or are already executing"});
    CHECK(w.edit([](Machine& m) {
        m.tasks = {"task1", "task2"};
    }) == model::Errors{"Cannot change tasks that have already executed or are executing"});
    // 23: all done.
    w.m.current_task = 2;
    w.m.workflow_complete = true;
    // 24
    CHECK(w.edit([](Machine& m) { m.current_task = -1; }).empty());
    CHECK(w.m.current_task == -1);
    CHECK_FALSE(w.m.workflow_complete);
}

TEST_CASE("task list and CurrentTask together are refused", "[machine_update][spec3.3]") {
    TestJobsWorld w;
    REQUIRE(w.edit([](Machine& m) { m.stage = "stage1"; }).empty());
    CHECK(w.edit([](Machine& m) {
        m.tasks = {"task1"};
        m.current_task = 0;
    }) == model::Errors{"Cannot change task list and current task at the same time"});
}

TEST_CASE("the future past the next stage transition is immutable", "[machine_update][spec3.3]") {
    TestJobsWorld w;
    w.cat.add_stage("s-a", {"task1"});
    w.cat.add_stage("s-b", {"task2"});
    w.m.tasks = {"stage:s-a", "task1", "stage:s-b", "task2"};
    w.m.current_task = 0;
    CHECK(w.edit([](Machine& m) {
               m.tasks = {"stage:s-a", "task1", "task2", "stage:s-b", "task2"};
           }).empty());
    CHECK(w.edit([](Machine& m) {
        m.tasks = {"stage:s-a", "task1", "stage:s-b"};
    }) == model::Errors{"Cannot change tasks that are past the next stage transition"});
}

TEST_CASE("moving CurrentTask backwards stays inside the bootenv segment",
          "[machine_update][spec3.3]") {
    TestJobsWorld w;
    w.cat.add_stage("disc", {}, "sledgehammer");
    w.cat.add_stage("inst", {}, "local");
    w.m.tasks = {"stage:disc", "bootenv:sledgehammer", "task1",
                 "stage:inst", "bootenv:local",        "task2",
                 "task1"};
    w.m.current_task = 6;
    CHECK(w.edit([](Machine& m) { m.current_task = 2; }) ==
          model::Errors{"Cannot change CurrentTask from 6 to 2 past 3"});
    CHECK(w.edit([](Machine& m) { m.current_task = 5; }).empty());
    MachineChangeOptions no_claim;
    no_claim.can_reposition = false;
    Machine next = w.m;
    next.current_task = 4;
    CHECK(prepare_machine_update(w.m, next, w.cat, no_claim).errors ==
          model::Errors{"Cannot change CurrentTask from 5 to 4 (reposition not allowed)"});
    // -1 on a Runnable machine snaps back to the first stage of the current bootenv segment.
    CHECK(w.edit([](Machine& m) { m.current_task = -1; }).empty());
    CHECK(w.m.current_task == 3);
}

TEST_CASE("workflow set and clear (spec 3.5)", "[machine_update][spec3.5]") {
    TestJobsWorld w;
    w.cat.add_stage("disc", {"task1"}, "sledgehammer");
    w.cat.add_stage("fin", {"task2"}, "local");
    auto& wf = w.cat.workflows["wf"];
    wf.name = "wf";
    wf.stages = {"disc", "fin"};
    wf.available = true;
    CHECK(w.edit([](Machine& m) { m.workflow = "wf"; }).empty());
    CHECK(w.m.tasks ==
          TL{"stage:disc", "bootenv:sledgehammer", "task1", "stage:fin", "bootenv:local", "task2"});
    CHECK(w.m.stage == "disc");
    CHECK(w.m.boot_env == "sledgehammer");
    CHECK_FALSE(w.m.runnable);  // bootenv changed: the machine must reboot first
    CHECK(w.m.current_task == -1);
    CHECK(w.edit([](Machine& m) { m.stage = "fin"; }) ==
          model::Errors{"Changing machine stage not allowed"});
    CHECK(w.edit([](Machine& m) { m.boot_env = "local"; }) ==
          model::Errors{"Changing machine bootenv not allowed"});
    w.m.params["change-stage/map"] = {{"a", "b"}};
    CHECK(w.edit([](Machine& m) { m.workflow = ""; }).empty());
    CHECK(w.m.stage == "none");
    CHECK(w.m.tasks.empty());
    CHECK_FALSE(w.m.params.count("change-stage/map"));
    CHECK(w.edit([](Machine& m) { m.workflow = "nope"; }) ==
          model::Errors{"Workflow nope does not exist"});
}

TEST_CASE("stage set: bootenv and context follow the stage (spec 3.4)",
          "[machine_update][spec3.4]") {
    TestJobsWorld w;
    w.cat.add_stage("disc", {"task1"}, "sledgehammer");
    w.m.meta["BaseContext"] = "drpcli-runner";
    CHECK(w.edit([](Machine& m) { m.stage = "disc"; }).empty());
    CHECK(w.m.boot_env == "sledgehammer");
    CHECK_FALSE(w.m.runnable);
    CHECK(w.m.context == "drpcli-runner");
    CHECK(w.edit([](Machine& m) { m.stage = ""; }, true).empty());
    CHECK(w.m.stage == "none");
}

TEST_CASE("direct bootenv changes", "[machine_update][spec3.3]") {
    TestJobsWorld w;
    CHECK(w.edit([](Machine& m) { m.boot_env = "sledgehammer"; }).empty());  // stage none: allowed
    CHECK_FALSE(w.m.runnable);
    w.m.runnable = true;
    REQUIRE(w.edit([](Machine& m) { m.stage = "stage1"; }).empty());
    CHECK(
        w.edit([](Machine& m) { m.boot_env = "local"; }) ==
        model::Errors{
            "Can not change bootenv while in a stage unless forced. old: sledgehammer new: local"});
    CHECK(w.edit([](Machine& m) { m.boot_env = "local"; }, true).empty());
}

TEST_CASE("create-time reference errors in DRP's words (spec 5.8 api tests)",
          "[machine_update][spec5.8]") {
    TestJobsWorld w;
    Machine p;
    p.uuid = "u1";
    p.name = "m2";
    p.stage = "baz";
    p.boot_env = "bar";
    auto r = prepare_machine_create(p, w.cat, {});
    CHECK(r.errors == model::Errors{"Stage baz does not exist"});
    p.stage = "";
    r = prepare_machine_create(p, w.cat, {});
    CHECK(r.errors == model::Errors{"Bootenv bar does not exist"});
    p.boot_env = "ignore";
    p.profiles = {"foo"};
    p.tasks = {"foo"};
    r = prepare_machine_create(p, w.cat, {});
    CHECK(r.errors ==
          model::Errors{
              "BootEnv ignore does not allow Machine assignments, it has the OnlyUnknown flag.",
              "u1: Profile foo (at 0) does not exist", "u1: Task foo (at 0) does not exist"});
    w.cat.boot_envs["sledgehammer"].available = false;
    p.boot_env = "sledgehammer";
    p.profiles = {"global", "global"};
    p.tasks = {};
    r = prepare_machine_create(p, w.cat, {});
    CHECK(r.errors == model::Errors{"u1: Duplicate profile global: at 0 and 1"});
    p.profiles = {};
    r = prepare_machine_create(p, w.cat, {});
    CHECK(r.errors == model::Errors{"BootEnv sledgehammer is not available"});
}

TEST_CASE("a locked machine refuses changes except unlocking", "[machine_update][spec1.1]") {
    TestJobsWorld w;
    w.m.locked = true;
    CHECK_FALSE(w.edit([](Machine& m) { m.description = "x"; }).empty());
    CHECK(w.edit([](Machine& m) { m.locked = false; }).empty());
    CHECK_FALSE(w.m.locked);
}
