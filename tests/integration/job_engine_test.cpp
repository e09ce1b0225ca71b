// The job engine over HTTP (spec 2): each status code of POST /jobs (spec 2.3), the roll-forward
// over stage:/bootenv:/chroot:/action: entries, the CurrentTask = -1 snap-back (spec 3.3), job
// edits and their effect on the machine (spec 2.1), deletion and purge (spec 1.4, 6.4),
// idempotent job creation, and server-side task timeouts.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "droverd_process.hpp"

using namespace drover::testing;
using nlohmann::json;

namespace {

const std::string kUuid = "0b5fd59d-5b0c-4b0a-a6a5-6c1a2f4a9d01";
const std::string kMachine = "/api/v3/machines/" + kUuid;

json op(const std::string& kind, const std::string& path, const json& value) {
    return {{"op", kind}, {"path", path}, {"value", value}};
}

void make_task(httplib::Client& c, const std::string& name, const json& meta = json::object()) {
    REQUIRE(post(c, "/api/v3/tasks", {{"Name", name}, {"Meta", meta}}).status == 201);
}

void make_machine(httplib::Client& c, const json& tasks) {
    REQUIRE(post(c, "/api/v3/machines", {{"Uuid", kUuid}, {"Name", "m1"}}).status == 201);
    REQUIRE(patch(c, kMachine, json::array({op("replace", "/Tasks", tasks)})).status == 200);
}

Reply next_job(httplib::Client& c, const std::string& context = "") {
    return post(c, "/api/v3/jobs", {{"Machine", kUuid}, {"Context", context}});
}

Reply set_state(httplib::Client& c, const json& job, const std::string& from, const std::string& to,
                const std::string& exit_state = "") {
    json ops = json::array({op("test", "/State", from), op("replace", "/State", to)});
    if (!exit_state.empty()) ops.push_back(op("replace", "/ExitState", exit_state));
    return patch(c, "/api/v3/jobs/" + job["Uuid"].get<std::string>(), ops);
}

// What an agent does with a job: running, then finished/complete.
void complete(httplib::Client& c, const json& job) {
    REQUIRE(set_state(c, job, job["State"], "running").status == 200);
    REQUIRE(set_state(c, job, "running", "finished", "complete").status == 200);
}

json machine(httplib::Client& c) {
    return get(c, kMachine).body;
}

std::string log_of(httplib::Client& c, const std::string& job) {
    auto r = c.Get(("/api/v3/jobs/" + job + "/log").c_str());
    return r ? r->body : "";
}

}  // namespace

TEST_CASE("POST /jobs answers 400, 422, 409, 204, 201 and 202 as spec 2.3 says",
          "[integration][jobs][spec2.3]") {
    DroverdProcess d;
    auto c = d.client();
    make_task(*c, "t1");
    make_task(*c, "t2");

    CHECK(post(*c, "/api/v3/jobs", json::object()).status == 400);
    CHECK(post(*c, "/api/v3/jobs", {{"Machine", 7}}).status == 400);
    auto r = next_job(*c);
    CHECK(r.status == 422);
    CHECK(r.body["Messages"] == json{"Machine " + kUuid + " does not exist"});

    make_machine(*c, {"t1", "t2"});
    CHECK(next_job(*c, "other-context").status == 204);  // not this agent's machine
    CHECK(get(*c, "/api/v3/jobs").body.empty());

    auto a = next_job(*c);
    REQUIRE(a.status == 201);
    CHECK(a.body["Task"] == "t1");
    CHECK(a.body["State"] == "created");
    CHECK(a.body["CurrentIndex"] == 0);
    CHECK(a.body["NextIndex"] == 1);
    CHECK(a.body["Previous"] == "00000000-0000-0000-0000-000000000000");
    CHECK(a.body["Current"] == true);
    CHECK_FALSE(a.body["StartTime"].get<std::string>().empty());
    auto m = machine(*c);
    CHECK(m["CurrentJob"] == a.body["Uuid"]);  // saved with the job, in one transaction
    CHECK(m["CurrentTask"] == 0);
    CHECK(log_of(*c, a.body["Uuid"]) == "Log for Job: " + a.body["Uuid"].get<std::string>() + "\n");

    r = next_job(*c);
    CHECK(r.status == 409);
    CHECK(r.body["Messages"] == json{"Machine " + kUuid + " already has running or created job"});

    // An incomplete job is handed back unchanged (202) and runs again.
    REQUIRE(set_state(*c, a.body, "created", "running").status == 200);
    REQUIRE(set_state(*c, a.body, "running", "incomplete", "complete").status == 200);
    r = next_job(*c);
    CHECK(r.status == 202);
    CHECK(r.body["Uuid"] == a.body["Uuid"]);
    CHECK(r.body["State"] == "incomplete");
    REQUIRE(set_state(*c, a.body, "incomplete", "running").status == 200);
    REQUIRE(set_state(*c, a.body, "running", "finished", "complete").status == 200);

    auto b = next_job(*c);
    REQUIRE(b.status == 201);
    CHECK(b.body["Task"] == "t2");
    CHECK(b.body["Previous"] == a.body["Uuid"]);
    CHECK(get(*c, "/api/v3/jobs/" + a.body["Uuid"].get<std::string>()).body["Current"] == false);
    complete(*c, b.body);
    r = next_job(*c);
    CHECK(r.status == 204);
    CHECK(machine(*c)["CurrentTask"] == 2);
    CHECK(next_job(*c).status == 204);
    CHECK(get(*c, "/api/v3/jobs?Current=true").body.size() == 1);

    REQUIRE(patch(*c, kMachine, json::array({op("replace", "/Runnable", false)})).status == 200);
    r = next_job(*c);
    CHECK(r.status == 409);
    CHECK(r.body["Messages"] == json{"Machine " + kUuid + " is not runnable"});
}

TEST_CASE(
    "a workflow rolls forward over stage: and bootenv: entries, and snaps back after a "
    "reboot",
    "[integration][jobs][spec2.3][spec3.3]") {
    DroverdProcess d;
    auto c = d.client();
    for (const char* t : {"t1", "t2", "t3"})
        make_task(*c, t);
    REQUIRE(
        post(*c, "/api/v3/bootenvs", {{"Name", "sledgehammer"}, {"Kernel", "vmlinuz"}}).status ==
        201);
    REQUIRE(post(*c, "/api/v3/stages",
                 {{"Name", "discover"}, {"BootEnv", "sledgehammer"}, {"Tasks", {"t1"}}})
                .status == 201);
    REQUIRE(post(*c, "/api/v3/stages",
                 {{"Name", "install"}, {"BootEnv", "local"}, {"Tasks", {"t2", "t3"}}})
                .status == 201);
    REQUIRE(post(*c, "/api/v3/workflows", {{"Name", "wf"}, {"Stages", {"discover", "install"}}})
                .status == 201);
    REQUIRE(post(*c, "/api/v3/machines", {{"Uuid", kUuid}, {"Name", "m1"}, {"Workflow", "wf"}})
                .status == 201);
    REQUIRE(patch(*c, kMachine, json::array({op("replace", "/Runnable", true)})).status == 200);
    CHECK(machine(*c)["Tasks"] == json{"stage:discover", "bootenv:sledgehammer", "t1",
                                       "stage:install", "bootenv:local", "t2", "t3"});

    auto t1 = next_job(*c);  // stage:discover and bootenv:sledgehammer are already in place
    REQUIRE(t1.status == 201);
    CHECK(t1.body["Task"] == "t1");
    CHECK(t1.body["CurrentIndex"] == 2);
    complete(*c, t1.body);

    auto r = next_job(*c);  // stage:install: a bookkeeping job, and the agent asks again
    CHECK(r.status == 204);
    auto m = machine(*c);
    CHECK(m["Stage"] == "install");
    CHECK(m["CurrentTask"] == 3);
    auto stage_job = get(*c, "/api/v3/jobs/" + m["CurrentJob"].get<std::string>()).body;
    CHECK(stage_job["Task"] == "stage:install");
    CHECK(stage_job["State"] == "finished");
    CHECK(stage_job["ExitState"] == "complete");
    CHECK(stage_job["Previous"] == t1.body["Uuid"]);
    CHECK(log_of(*c, stage_job["Uuid"])
              .find("Machine " + kUuid + " changing from stage discover to install") !=
          std::string::npos);

    r = next_job(*c);  // bootenv:local: the machine must reboot first
    CHECK(r.status == 204);
    m = machine(*c);
    CHECK(m["BootEnv"] == "local");
    CHECK(m["Runnable"] == false);
    CHECK(m["CurrentTask"] == 4);
    CHECK(next_job(*c).status == 409);

    // After the reboot reset-workflow.tmpl sends Runnable=true with CurrentTask=-1: the machine
    // snaps back to the first stage: entry of its bootenv's segment (spec 3.3), not to 0.
    r = patch(*c, kMachine,
              json::array({op("replace", "/Runnable", true), op("replace", "/CurrentTask", -1)}));
    REQUIRE(r.status == 200);
    CHECK(r.body["CurrentTask"] == 3);
    auto t2 = next_job(*c);
    REQUIRE(t2.status == 201);
    CHECK(t2.body["Task"] == "t2");
    CHECK(t2.body["CurrentIndex"] == 5);
    complete(*c, t2.body);
    auto t3 = next_job(*c);
    REQUIRE(t3.status == 201);
    complete(*c, t3.body);
    CHECK(next_job(*c).status == 204);
    m = machine(*c);
    CHECK(m["CurrentTask"] == 7);
    CHECK(m["WorkflowComplete"] == true);
}

TEST_CASE("chroot: entries are handed out finished, action: entries fail without a plugin",
          "[integration][jobs][spec2.3]") {
    DroverdProcess d;
    auto c = d.client();
    make_task(*c, "t1");
    make_machine(*c, {"chroot:/target", "t1", "action:nextbootpxe"});
    auto r = next_job(*c);
    REQUIRE(r.status == 201);
    CHECK(r.body["Task"] == "chroot:/target");
    CHECK(r.body["State"] == "finished");
    auto t1 = next_job(*c);  // advances: no loop on the chroot job
    REQUIRE(t1.status == 201);
    CHECK(t1.body["Task"] == "t1");
    complete(*c, t1.body);
    r = next_job(*c);
    CHECK(r.status == 204);
    auto m = machine(*c);
    CHECK(m["Runnable"] == false);
    auto action = get(*c, "/api/v3/jobs/" + m["CurrentJob"].get<std::string>()).body;
    CHECK(action["Task"] == "action:nextbootpxe");
    CHECK(action["State"] == "failed");
    CHECK(log_of(*c, action["Uuid"]).find("No plugin provides action:nextbootpxe") !=
          std::string::npos);
}

TEST_CASE("a task list changed under a running job fails that job (spec 2.3 step 4)",
          "[integration][jobs][spec2.3]") {
    DroverdProcess d;
    auto c = d.client();
    make_task(*c, "t1");
    make_task(*c, "t2");
    make_machine(*c, {"t1", "t2"});
    auto a = next_job(*c);
    REQUIRE(set_state(*c, a.body, "created", "running").status == 200);
    REQUIRE(patch(*c, kMachine, json::array({op("replace", "/CurrentTask", -1)})).status == 200);
    auto b = next_job(*c);
    REQUIRE(b.status == 201);
    CHECK(b.body["Task"] == "t1");
    auto old = get(*c, "/api/v3/jobs/" + a.body["Uuid"].get<std::string>()).body;
    CHECK(old["State"] == "failed");
    CHECK(old["ExitState"] == "failed");
    CHECK_FALSE(old["EndTime"].get<std::string>().empty());
}

TEST_CASE("job edits follow spec 2.1 and a failed job stops its machine",
          "[integration][jobs][spec2.1]") {
    DroverdProcess d;
    auto c = d.client();
    make_task(*c, "t1");
    make_machine(*c, {"t1"});
    auto j = next_job(*c).body;
    const std::string path = "/api/v3/jobs/" + j["Uuid"].get<std::string>();

    auto r = set_state(*c, j, "created", "finished");
    CHECK(r.status == 422);
    CHECK(r.body["Messages"] ==
          json{j["Uuid"].get<std::string>() + ": cannot change State from created to finished"});
    CHECK(patch(*c, path, json::array({op("replace", "/Task", "other")})).status == 422);
    CHECK(set_state(*c, j, "running", "finished").status == 409);  // the test op fails

    r = set_state(*c, j, "created", "running");
    REQUIRE(r.status == 200);
    CHECK(r.body["EndTime"] == "");
    r = set_state(*c, j, "running", "failed", "failed");
    REQUIRE(r.status == 200);
    CHECK_FALSE(r.body["EndTime"].get<std::string>().empty());
    CHECK(machine(*c)["Runnable"] == false);
    CHECK(set_state(*c, j, "failed", "running").status == 422);

    // The machine retries the task once someone makes it runnable again.
    REQUIRE(patch(*c, kMachine, json::array({op("replace", "/Runnable", true)})).status == 200);
    auto retry = next_job(*c);
    REQUIRE(retry.status == 201);
    CHECK(retry.body["Task"] == "t1");
    CHECK(retry.body["Previous"] == j["Uuid"]);
}

TEST_CASE("jobs are deleted only when spec 1.4 allows, with their logs",
          "[integration][jobs][spec1.4]") {
    DroverdProcess d;
    auto c = d.client();
    make_task(*c, "t1");
    make_machine(*c, {"t1"});
    auto j = next_job(*c).body;
    const std::string path = "/api/v3/jobs/" + j["Uuid"].get<std::string>();
    auto r = del(*c, path);
    CHECK(r.status == 422);
    CHECK(r.body["Messages"] ==
          json{"Jobs " + j["Uuid"].get<std::string>() + " is not in a deletable state"});
    complete(*c, j);
    CHECK(del(*c, path).status == 200);
    CHECK(get(*c, path).status == 404);
    CHECK(get(*c, path + "/log").status == 404);
}

TEST_CASE("DELETE /jobs purges by count and age, never a machine's current job",
          "[integration][jobs][spec6.4]") {
    DroverdProcess d;
    auto c = d.client();
    json tasks = json::array();
    for (int i = 0; i < 5; ++i) {
        make_task(*c, "t" + std::to_string(i));
        tasks.push_back("t" + std::to_string(i));
    }
    make_machine(*c, tasks);
    std::vector<std::string> uuids;
    for (int i = 0; i < 5; ++i) {
        auto j = next_job(*c).body;
        uuids.push_back(j["Uuid"]);
        complete(*c, j);
    }
    CHECK(del(*c, "/api/v3/jobs").status == 400);
    CHECK(del(*c, "/api/v3/jobs?jobsToKeep=x").status == 400);
    auto r = del(*c, "/api/v3/jobs?jobsToKeep=2&dryrun=true");
    REQUIRE(r.status == 200);
    CHECK(r.body.size() == 3);
    CHECK(get(*c, "/api/v3/jobs").body.size() == 5);
    r = del(*c, "/api/v3/jobs?jobsToKeep=2&machine=" + kUuid);
    REQUIRE(r.status == 200);
    REQUIRE(r.body.size() == 3);
    auto left = get(*c, "/api/v3/jobs").body;
    REQUIRE(left.size() == 2);
    for (const auto& j : left)
        CHECK((j["Uuid"] == uuids[3] || j["Uuid"] == uuids[4]));
    CHECK(get(*c, "/api/v3/jobs/" + uuids[0] + "/log").status == 404);
    // Keeping none still keeps the machine's current job; age 0 purges every finished job.
    r = del(*c, "/api/v3/jobs?jobsToKeep=0&completeJobsPurgedAfter=0s");
    CHECK(r.body.size() == 1);
    left = get(*c, "/api/v3/jobs").body;
    REQUIRE(left.size() == 1);
    CHECK(left[0]["Uuid"] == machine(*c)["CurrentJob"]);
    CHECK(del(*c, "/api/v3/jobs?jobsToKeep=0&machine=missing").body.empty());
}

TEST_CASE("a repeated Idempotency-Key gets the same answer, across a restart",
          "[integration][jobs][idempotency]") {
    DroverdProcess d;
    auto c = d.client();
    make_task(*c, "t1");
    REQUIRE(post(*c, "/api/v3/stages", {{"Name", "s2"}, {"Tasks", {"t1"}}}).status == 201);
    make_machine(*c, {"t1", "stage:s2", "t1"});
    auto keyed = [&](const std::string& key) {
        httplib::Headers h{{"Idempotency-Key", key}};
        json body{{"Machine", kUuid}};
        auto res = c->Post("/api/v3/jobs", h, body.dump(), "application/json");
        REQUIRE(res);
        return std::pair<int, std::string>(res->status, res->body);
    };
    auto first = keyed("decision-1");
    REQUIRE(first.first == 201);
    auto again = keyed("decision-1");  // the agent lost the response and retried
    CHECK(again == first);
    CHECK(get(*c, "/api/v3/jobs").body.size() == 1);
    CHECK(keyed("decision-2").first == 409);  // a new decision is a new request

    d.kill9();
    d.start();
    c = d.client();
    CHECK(keyed("decision-1") == first);  // the record was durable with the job
    complete(*c, json::parse(first.second));

    // A replayed 204 does not advance the machine a second time.
    auto stage = keyed("decision-3");
    CHECK(stage.first == 204);
    auto m = machine(*c);
    CHECK(m["CurrentTask"] == 1);
    CHECK(keyed("decision-3").first == 204);
    CHECK(machine(*c)["CurrentTask"] == 1);
    CHECK(get(*c, "/api/v3/jobs").body.size() == 2);
}

TEST_CASE("the server fails a job that outlives its task's Meta.timeout",
          "[integration][jobs][timeout]") {
    DroverdProcess d({"--job-timeout-grace-seconds", "1", "--job-sweep-interval-ms", "100"});
    auto c = d.client();
    CHECK(post(*c, "/api/v3/tasks", {{"Name", "bad"}, {"Meta", {{"timeout", "soon"}}}}).status ==
          422);
    make_task(*c, "slow", {{"timeout", "1s"}});
    make_machine(*c, {"slow"});
    auto j = next_job(*c).body;
    REQUIRE(set_state(*c, j, "created", "running").status == 200);
    const std::string path = "/api/v3/jobs/" + j["Uuid"].get<std::string>();
    json now;
    for (int i = 0; i < 150; ++i) {  // the deadline is 1 s + 1 s grace; allow a loaded machine 15 s
        now = get(*c, path).body;
        if (now["State"] != "running") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    CHECK(now["State"] == "failed");
    CHECK(now["ExitState"] == "failed");
    CHECK(machine(*c)["Runnable"] == false);
    CHECK(log_of(*c, j["Uuid"]).find("job timed out") != std::string::npos);
}

TEST_CASE("a client may choose the new job's Uuid (spec 1.4), once",
          "[integration][jobs][spec1.4]") {
    DroverdProcess d;
    auto c = d.client();
    make_task(*c, "t1");
    make_task(*c, "t2");
    make_machine(*c, {"t1", "t2"});
    const std::string chosen = "11111111-2222-4333-8444-555555555555";
    CHECK(post(*c, "/api/v3/jobs", {{"Machine", kUuid}, {"Uuid", "../etc"}}).status == 400);
    auto r = post(*c, "/api/v3/jobs", {{"Machine", kUuid}, {"Uuid", chosen}});
    REQUIRE(r.status == 201);
    CHECK(r.body["Uuid"] == chosen);
    complete(*c, r.body);
    r = post(*c, "/api/v3/jobs", {{"Machine", kUuid}, {"Uuid", chosen}});
    CHECK(r.status == 409);
    CHECK(r.body["Messages"] == json{"Job " + chosen + " already exists"});
}
