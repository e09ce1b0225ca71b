// spec 5.8's acceptance tables, TestJobs and TestChangeStage, run against the real droverd twice:
// by the scripted fake agent (the job engine's own acceptance) and by the real `drover agent`
// (--oneshot --exit-on-failure --skip-power, as the Go tests run theirs): every row's job, state
// and exit state, the machine's task-list edits in between, and the job counts at the end.
#include <catch2/catch.hpp>
#include <filesystem>

#include <functional>

#include "agent_fixtures.hpp"
#include "agent_process.hpp"
#include "droverd_process.hpp"
#include "fake_agent.hpp"

using namespace drover::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kUuid = "3e7031fe-3062-45f1-835c-92541bc9cbd3";
const std::string kMachine = "/api/v3/machines/" + kUuid;

json replace_op(const std::string& path, const json& value) {
    return json::array({{{"op", "replace"}, {"path", path}, {"value", value}}});
}

// A script that exits `code` the first time it runs and 0 after (marker file in $JT).
json once(const std::string& name, int code) {
    return {{"Name", name},
            {"Contents", "#!/bin/bash\nif [ ! -e \"$JT/" + name + "\" ]; then touch \"$JT/" + name +
                             "\"; echo " + name + " exits " + std::to_string(code) + "; exit " +
                             std::to_string(code) + "; fi\necho " + name + " ok\n"}};
}

// Runs one agent until it ends; "" when it ended cleanly, else what went wrong.
using AgentDriver = std::function<std::string(httplib::Client& c, const std::string& work)>;

std::string fake_agent(httplib::Client& c, const std::string& work) {
    auto run = run_fake_agent(c, {kUuid, "", work, true});
    return run.error.empty() ? "" : run.error + " after " + json(run.states).dump();
}

AgentDriver real_agent(const DroverdProcess& d) {
    return [&d](httplib::Client&, const std::string& work) -> std::string {
        AgentProcess a(d.port(), kUuid, work + "/state",
                       {"--oneshot", "--exit-on-failure", "--skip-power"},
                       {"JT=" + work, "RS_TOKEN=" + d.machine_token(kUuid)});
        int rc = a.wait();
        // --exit-on-failure ends with 1 after a failed job; the rows check the job itself.
        bool failed_job = rc == 1 && a.output().find("exiting: job ") != std::string::npos;
        return rc == 0 || failed_job
                   ? ""
                   : "drover agent exited " + std::to_string(rc) + ":\n" + a.output();
    };
}

// Go's runAgent: make the machine Runnable if needed, run the agent until it ends, then check the
// machine's current job.
void run_agent(httplib::Client& c, const AgentDriver& agent, const std::string& work,
               const std::string& task, const std::string& state, const std::string& exit_state) {
    auto m = get(c, kMachine);
    REQUIRE(m.status == 200);
    if (!m.body["Runnable"].get<bool>())
        REQUIRE(patch(c, kMachine, replace_op("/Runnable", true)).status == 200);
    REQUIRE(agent(c, work) == "");
    m = get(c, kMachine);
    auto job = get(c, "/api/v3/jobs/" + m.body["CurrentJob"].get<std::string>());
    REQUIRE(job.status == 200);
    CHECK(job.body["Task"] == task);
    CHECK(job.body["State"] == state);
    CHECK(job.body["ExitState"] == exit_state);
}

void expect_messages(const Reply& r, int status, const json& messages) {
    CHECK(r.status == status);
    CHECK(r.body["Messages"] == messages);
}

void test_jobs_table(DroverdProcess& d, const AgentDriver& agent) {
    auto c = d.client();
    WorkDir work;
    REQUIRE(
        post(*c, "/api/v3/tasks",
             {{"Name", "task1"},
              {"Meta", {{"feature-flags", "original-exit-codes"}}},
              {"Templates", {once("t1-reboot", 1), once("t1-fail", 4), once("t1-incomplete", 2)}}})
            .status == 201);
    REQUIRE(post(*c, "/api/v3/tasks",
                 {{"Name", "task2"},
                  {"Templates",
                   {once("t2-reboot", 64), once("t2-poweroff", 32), once("t2-stop", 16),
                    once("t2-fail", 1), once("t2-incomplete", 128)}}})
                .status == 201);
    REQUIRE(
        post(*c, "/api/v3/stages", {{"Name", "stage1"}, {"Tasks", {"task1", "task2"}}}).status ==
        201);
    REQUIRE(
        post(*c, "/api/v3/stages", {{"Name", "stage2"}, {"Tasks", {"task2", "task1"}}}).status ==
        201);
    auto r = post(*c, "/api/v3/machines",
                  {{"Uuid", kUuid},
                   {"Name", "john"},
                   {"BootEnv", "local"},
                   {"Meta", {{"feature-flags", "change-stage-v2"}}}});  // row 1
    REQUIRE(r.status == 201);
    CHECK(r.body["Runnable"] == true);
    CHECK(r.body["CurrentTask"] == 0);

    REQUIRE(patch(*c, kMachine, replace_op("/Stage", "stage1")).status == 200);  // row 2
    expect_messages(patch(*c, kMachine, replace_op("/CurrentTask", 0)), 422,
                    {"Cannot advance CurrentTask from -1 to 0 without running jobs"});  // row 3
    expect_messages(patch(*c, kMachine, replace_op("/Stage", "stage2")), 422,
                    {"Can not change stages with pending tasks unless forced"});           // row 4
    REQUIRE(patch(*c, kMachine, replace_op("/Tasks", json::array())).status == 200);       // 5
    REQUIRE(patch(*c, kMachine, replace_op("/Tasks", {"task2", "task1"})).status == 200);  // 6
    REQUIRE(patch(*c, kMachine, replace_op("/Tasks", {"task1", "task2", "task1"})).status ==
            200);                                                             // row 7
    r = patch(*c, kMachine + "?force=true", replace_op("/Stage", "stage2"));  // row 8
    REQUIRE(r.status == 200);
    CHECK(r.body["Tasks"] == json{"task2", "task1"});
    CHECK(r.body["CurrentTask"] == -1);

    run_agent(*c, agent, work.path, "task2", "incomplete", "reboot");  // row 9
    std::string job_a = get(*c, kMachine).body["CurrentJob"];
    run_agent(*c, agent, work.path, "task2", "incomplete", "poweroff");  // row 10
    run_agent(*c, agent, work.path, "task2", "incomplete", "stop");      // row 11
    run_agent(*c, agent, work.path, "task2", "failed", "failed");        // row 12
    CHECK(get(*c, kMachine).body["CurrentJob"] == job_a);                // rows 9-12 are one job

    expect_messages(patch(*c, kMachine, replace_op("/Tasks", json::array())), 422,
                    {"Cannot remove tasks that have already executed or are already executing"});
    expect_messages(patch(*c, kMachine, replace_op("/Tasks", {"task1", "task2"})), 422,
                    {"Cannot change tasks that have already executed or are executing"});  // 14
    REQUIRE(patch(*c, kMachine, replace_op("/Tasks", {"task2"})).status == 200);           // 15
    REQUIRE(patch(*c, kMachine, replace_op("/Tasks", {"task2", "task1", "task2"})).status ==
            200);  // row 16

    run_agent(*c, agent, work.path, "task2", "incomplete", "complete");  // row 17: job B
    CHECK(get(*c, kMachine).body["CurrentJob"] != job_a);
    run_agent(*c, agent, work.path, "task1", "incomplete", "reboot");    // row 18: B done, job C
    run_agent(*c, agent, work.path, "task1", "failed", "failed");        // row 19
    run_agent(*c, agent, work.path, "task1", "incomplete", "complete");  // row 20: job D
    REQUIRE(patch(*c, kMachine, replace_op("/Tasks", {"task2", "task1"})).status == 200);  // 21
    CHECK(patch(*c, kMachine, replace_op("/Tasks", json::array())).status == 422);         // 22
    CHECK(patch(*c, kMachine, replace_op("/Tasks", {"task1", "task2"})).status == 422);
    run_agent(*c, agent, work.path, "task1", "finished", "complete");  // row 23
    r = get(*c, kMachine);
    CHECK(r.body["CurrentTask"] == 2);
    CHECK(r.body["Tasks"].size() == 2);

    r = patch(*c, kMachine, replace_op("/CurrentTask", -1));  // row 24
    REQUIRE(r.status == 200);
    CHECK(r.body["WorkflowComplete"] == false);
    auto current = get(*c, "/api/v3/jobs?Current=true");  // row 25
    REQUIRE(current.body.size() == 1);
    CHECK(current.body[0]["Uuid"] == r.body["CurrentJob"]);

    REQUIRE(del(*c, kMachine).status == 200);  // row 26
    for (const char* s : {"stage1", "stage2"})
        REQUIRE(del(*c, std::string("/api/v3/stages/") + s).status == 200);
    for (const char* t : {"task1", "task2"})
        REQUIRE(del(*c, std::string("/api/v3/tasks/") + t).status == 200);
    CHECK(get(*c, "/api/v3/jobs").body.size() == 4);
    CHECK(get(*c, "/api/v3/jobs?Current=true").body.size() == 0);  // cleared with the machine
}

void test_change_stage_table(DroverdProcess& d, const AgentDriver& agent) {
    auto c = d.client();
    WorkDir work;
    auto task = [&](const std::string& name) {
        REQUIRE(post(*c, "/api/v3/tasks",
                     {{"Name", name},
                      {"Templates", {{{"Name", "run"}, {"Contents", "echo " + name + "\n"}}}}})
                    .status == 201);
    };
    task("task1");
    task("taskDone");
    task("taskInstall");
    auto stage = [&](const std::string& name, const std::string& t, bool reboot = false) {
        REQUIRE(post(*c, "/api/v3/stages", {{"Name", name}, {"Tasks", {t}}, {"Reboot", reboot}})
                    .status == 201);
    };
    for (const char* s : {"stageNoWait", "stageNoWait1", "stageWait", "stageWait1", "stageStop",
                          "stageReboot", "stageRealReboot", "stageRealReboot1"})
        stage(s, "task1");
    for (const char* s : {"stageDoneNoWait", "stageDoneWait"})
        stage(s, "taskDone");
    stage("stageDoneReboot", "taskDone", true);
    stage("fred-install", "taskInstall");
    stage("greg-install", "taskInstall");
    json map = {{"stageNoWait", "stageDoneNoWait:Success"},
                {"stageNoWait1", "stageDoneWait:Success"},
                {"stageWait", "stageDoneNoWait:Success"},
                {"stageWait1", "stageDoneWait:Success"},
                {"stageStop", "stageDoneWait:Stop"},
                {"stageReboot", "stageDoneWait:Reboot"},
                {"stageRealReboot", "stageDoneWait:Success"},
                {"stageRealReboot1", "stageDoneReboot:Success"},
                {"fred-install", "stageDoneWait:Success"}};
    REQUIRE(post(*c, "/api/v3/machines",
                 {{"Uuid", kUuid},
                  {"Name", "john"},
                  {"BootEnv", "local"},
                  {"Meta", {{"feature-flags", ""}}},
                  {"Params", {{"change-stage/map", map}}}})
                .status == 201);

    struct Row {
        const char* stage;
        const char* task;
        const char* last_task;
    };
    const Row rows[] = {
        {"stageNoWait", "task1", "taskDone"},        {"stageWait", "task1", "taskDone"},
        {"stageNoWait1", "task1", "taskDone"},       {"stageWait1", "task1", "taskDone"},
        {"stageReboot", "task1", "task1"},           {"stageRealReboot", "task1", "taskDone"},
        {"stageRealReboot1", "task1", "task1"},      {"stageStop", "task1", "task1"},
        {"fred-install", "taskInstall", "taskDone"}, {"greg-install", "taskInstall", "taskInstall"},
    };
    bool force = false;
    for (const auto& row : rows) {
        INFO("stage " << row.stage);
        force = force || std::string(row.stage) == "stageReboot";
        auto r =
            patch(*c, kMachine + (force ? "?force=true" : ""), replace_op("/Stage", row.stage));
        REQUIRE(r.status == 200);
        CHECK(r.body["Tasks"] == json{row.task});
        CHECK(r.body["CurrentTask"] == -1);
        REQUIRE(agent(*c, work.path) == "");
        auto m = get(*c, kMachine);
        auto job = get(*c, "/api/v3/jobs/" + m.body["CurrentJob"].get<std::string>());
        CHECK(job.body["Task"] == row.last_task);
        CHECK(job.body["State"] == "finished");
        CHECK(job.body["ExitState"] == "complete");
    }
    CHECK(get(*c, "/api/v3/jobs").body.size() == 16);
}

}  // namespace

TEST_CASE("TestJobs: the whole table with a scripted agent (spec 5.8)",
          "[integration][spec5.8][jobs]") {
    DroverdProcess d;
    test_jobs_table(d, fake_agent);
}

TEST_CASE("TestJobs: the whole table with the real drover agent (spec 5.8)",
          "[integration][spec5.8][agent]") {
    DroverdProcess d;
    test_jobs_table(d, real_agent(d));
}

TEST_CASE("TestChangeStage: the legacy change-stage/map table, scripted agent (spec 5.8, 4)",
          "[integration][spec5.8][spec4][jobs]") {
    DroverdProcess d;
    test_change_stage_table(d, fake_agent);
}

TEST_CASE("TestChangeStage: the legacy change-stage/map table, real drover agent (spec 5.8, 4)",
          "[integration][spec5.8][spec4][agent]") {
    DroverdProcess d;
    test_change_stage_table(d, real_agent(d));
}
