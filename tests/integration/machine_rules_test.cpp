// Machine create/update rules of spec 3.3-3.5 over HTTP, with the exact 422 messages of spec 5.8's
// TestJobs rows that need no job (1-8), stage/workflow rewrites, and re-validation of machines
// when the objects they use change.
#include <catch2/catch.hpp>

#include "droverd_process.hpp"

using namespace drover::testing;
using nlohmann::json;

namespace {

const std::string kMachine = "/api/v3/machines/3e7031fe-3062-45f1-835c-92541bc9cbd3";

json replace_op(const std::string& path, const json& value) {
    return json::array({{{"op", "replace"}, {"path", path}, {"value", value}}});
}

void setup_test_jobs_world(httplib::Client& c) {
    REQUIRE(post(c, "/api/v3/tasks",
                 {{"Name", "task1"}, {"Meta", {{"feature-flags", "original-exit-codes"}}}})
                .status == 201);
    REQUIRE(post(c, "/api/v3/tasks", {{"Name", "task2"}}).status == 201);
    REQUIRE(post(c, "/api/v3/stages", {{"Name", "stage1"}, {"Tasks", {"task1", "task2"}}}).status ==
            201);
    REQUIRE(post(c, "/api/v3/stages", {{"Name", "stage2"}, {"Tasks", {"task2", "task1"}}}).status ==
            201);
    REQUIRE(post(c, "/api/v3/machines",
                 {{"Uuid", "3e7031fe-3062-45f1-835c-92541bc9cbd3"},
                  {"Name", "john"},
                  {"BootEnv", "local"},
                  {"Meta", {{"feature-flags", "change-stage-v2"}}}})
                .status == 201);
}

}  // namespace

TEST_CASE("TestJobs rows 1-8 over HTTP (spec 5.8)", "[integration][spec5.8][spec3.3]") {
    DroverdProcess d;
    auto c = d.client();
    setup_test_jobs_world(*c);
    auto r = patch(*c, kMachine, replace_op("/Stage", "stage1"));  // row 2
    REQUIRE(r.status == 200);
    CHECK(r.body["Tasks"] == json{"task1", "task2"});
    CHECK(r.body["CurrentTask"] == -1);
    CHECK(r.body["WorkflowComplete"] == false);
    r = patch(*c, kMachine, replace_op("/CurrentTask", 0));  // row 3
    CHECK(r.status == 422);
    CHECK(r.body["Type"] == "ValidationError");
    CHECK(r.body["Messages"] ==
          json{"Cannot advance CurrentTask from -1 to 0 without running jobs"});
    r = patch(*c, kMachine, replace_op("/Stage", "stage2"));  // row 4
    CHECK(r.status == 422);
    CHECK(r.body["Messages"] == json{"Can not change stages with pending tasks unless forced"});
    r = patch(*c, kMachine, replace_op("/Tasks", json::array()));  // row 5
    CHECK(r.status == 200);
    CHECK(r.body["CurrentTask"] == 0);
    CHECK(r.body["WorkflowComplete"] == true);
    r = patch(*c, kMachine, replace_op("/Tasks", {"task2", "task1"}));  // row 6
    CHECK(r.body["CurrentTask"] == -1);
    CHECK(r.body["WorkflowComplete"] == false);
    CHECK(patch(*c, kMachine, replace_op("/Tasks", {"task1", "task2", "task1"})).status ==
          200);                                                               // row 7
    r = patch(*c, kMachine + "?force=true", replace_op("/Stage", "stage2"));  // row 8
    CHECK(r.status == 200);
    CHECK(r.body["Tasks"] == json{"task2", "task1"});
    CHECK(r.body["CurrentTask"] == -1);
    // Nothing was half-applied by the refused edits.
    CHECK(get(*c, kMachine).body["Stage"] == "stage2");
}

TEST_CASE("workflows rewrite the task list, stage and bootenv become read-only",
          "[integration][spec3.5]") {
    DroverdProcess d;
    auto c = d.client();
    setup_test_jobs_world(*c);
    REQUIRE(
        post(*c, "/api/v3/bootenvs", {{"Name", "sledgehammer"}, {"Kernel", "vmlinuz"}}).status ==
        201);
    REQUIRE(post(*c, "/api/v3/stages",
                 {{"Name", "discover"}, {"BootEnv", "sledgehammer"}, {"Tasks", {"task1"}}})
                .status == 201);
    REQUIRE(post(*c, "/api/v3/workflows", {{"Name", "wf"}, {"Stages", {"discover", "stage2"}}})
                .status == 201);
    auto r = patch(*c, kMachine, replace_op("/Workflow", "wf"));
    REQUIRE(r.status == 200);
    CHECK(r.body["Tasks"] == json{"stage:discover", "bootenv:sledgehammer", "task1", "stage:stage2",
                                  "task2", "task1"});
    CHECK(r.body["Stage"] == "discover");
    CHECK(r.body["BootEnv"] == "sledgehammer");
    CHECK(r.body["Runnable"] == false);
    CHECK(patch(*c, kMachine, replace_op("/Stage", "stage1")).body["Messages"] ==
          json{"Changing machine stage not allowed"});
    r = patch(*c, kMachine, replace_op("/Workflow", ""));
    CHECK(r.body["Stage"] == "none");
    CHECK(r.body["Tasks"] == json::array());
}

TEST_CASE("a broken stage cascades to its workflow and the machine using it",
          "[integration][spec1.0]") {
    DroverdProcess d;
    auto c = d.client();
    setup_test_jobs_world(*c);
    REQUIRE(post(*c, "/api/v3/workflows", {{"Name", "wf"}, {"Stages", {"stage1"}}}).status == 201);
    REQUIRE(patch(*c, kMachine, replace_op("/Workflow", "wf")).status == 200);
    REQUIRE(patch(*c, kMachine, replace_op("/Runnable", true)).status == 200);
    CHECK(del(*c, "/api/v3/stages/stage1").status == 409);  // in use by the workflow
    auto s = get(*c, "/api/v3/stages/stage1").body;
    s["Tasks"] = {"task1", "ghost"};
    REQUIRE(put(*c, "/api/v3/stages/stage1", s).body["Available"] == false);
    CHECK(get(*c, "/api/v3/workflows/wf").body["Available"] == false);
    auto m = get(*c, kMachine).body;
    CHECK(m["Available"] == false);
    CHECK(m["Runnable"] == false);
    CHECK(m["Errors"] == json{"Stage stage1 is not available", "Workflow wf is not available"});
    s["Tasks"] = {"task1"};
    REQUIRE(put(*c, "/api/v3/stages/stage1", s).body["Available"] == true);
    CHECK(get(*c, kMachine).body["Available"] == true);
}

TEST_CASE("the machine Secret is never shown and survives updates", "[integration][spec1.1]") {
    DroverdProcess d;
    auto c = d.client();
    setup_test_jobs_world(*c);
    auto m = get(*c, kMachine).body;
    CHECK(m["Secret"] == "");
    m["Description"] = "x";
    CHECK(put(*c, kMachine, m).body["Secret"] == "");
}
