// The real `drover agent` against the real droverd (issue 6's scenarios): a three-stage workflow
// across a bootenv change and a simulated reboot, a task that exits 192 and resumes after one, a
// task timeout, a server restart in the middle of a long action with output (the log arrives
// whole and once), and an agent killed mid-job (the next start fails that job and re-runs it).
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "agent_fixtures.hpp"
#include "agent_process.hpp"
#include "common/security/token.hpp"
#include "droverd_process.hpp"
#include "server/security/token_signer.hpp"

using namespace drover::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kUuid = "5c1d0c42-8f7e-4a43-9a64-0b7a3e2f9c11";
const std::string kMachine = "/api/v3/machines/" + kUuid;

json op(const std::string& kind, const std::string& path, const json& value) {
    return {{"op", kind}, {"path", path}, {"value", value}};
}

// What the agent runs with: the machine's own token (issue 7), and $JT for the test scripts.
std::vector<std::string> agent_env(const DroverdProcess& d, const WorkDir& w) {
    return {"JT=" + w.path, "RS_TOKEN=" + d.machine_token(kUuid)};
}

// Runs the agent to its end; REQUIREs a clean exit and returns its output.
std::string run_agent(const DroverdProcess& d, const WorkDir& w,
                      std::vector<std::string> flags = {"--oneshot", "--skip-power"}) {
    AgentProcess a(d.port(), kUuid, w.path + "/state", flags, agent_env(d, w));
    int rc = a.wait(std::chrono::seconds(120));
    INFO(a.output());
    REQUIRE(rc == 0);
    return a.output();
}

// The machine's token as droverd would have signed it an hour ago, with `left` seconds to live.
std::string old_machine_token(const DroverdProcess& d, std::int64_t left) {
    const std::string token = d.machine_token(kUuid);  // parts are views into it
    auto parts = drover::security::split_token(token);
    REQUIRE(parts.has_value());
    auto payload = drover::security::decode_payload(parts->signed_part);
    REQUIRE(payload.has_value());
    const std::int64_t now = payload->issued_at;  // just issued
    payload->issued_at = now - (3600 - left);
    payload->expires_at = now + left;
    auto signer = drover::security::TokenSigner::open(d.data_dir() + "/security");
    REQUIRE(signer.has_value());
    return signer->sign(*payload);
}

json jobs_of(httplib::Client& c) {
    return get(c, "/api/v3/jobs?Machine=" + kUuid + "&sort=StartTime").body;
}

std::string log_of(httplib::Client& c, const std::string& job) {
    auto r = c.Get(("/api/v3/jobs/" + job + "/log").c_str());
    return r ? r->body : "";
}

// Dead, or a zombie nobody reaps (in a container, pid 1 may not reap orphans).
bool gone(pid_t pid) {
    if (::kill(pid, 0) != 0) return true;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string pid_field, comm, state;
    stat >> pid_field >> comm >> state;
    return state == "Z";
}

template <class F>
bool eventually(F done, std::chrono::seconds limit = std::chrono::seconds(30)) {
    for (auto end = std::chrono::steady_clock::now() + limit;
         std::chrono::steady_clock::now() < end;
         std::this_thread::sleep_for(std::chrono::milliseconds(50)))
        if (done()) return true;
    return false;
}

}  // namespace

TEST_CASE("drover agent: a three-stage workflow across a bootenv change and a reboot",
          "[integration][agent][spec5.4]") {
    DroverdProcess d;
    auto c = d.client();
    WorkDir w;
    for (const char* t : {"t1", "t2", "t3"})
        make_task(*c, t, std::string("echo ran ") + t + "\n");
    REQUIRE(
        post(*c, "/api/v3/bootenvs", {{"Name", "sledgehammer"}, {"Kernel", "vmlinuz"}}).status ==
        201);
    REQUIRE(post(*c, "/api/v3/stages",
                 {{"Name", "discover"}, {"BootEnv", "sledgehammer"}, {"Tasks", {"t1"}}})
                .status == 201);
    REQUIRE(
        post(*c, "/api/v3/stages", {{"Name", "install"}, {"BootEnv", "local"}, {"Tasks", {"t2"}}})
            .status == 201);
    REQUIRE(post(*c, "/api/v3/stages", {{"Name", "finish"}, {"Tasks", {"t3"}}}).status == 201);
    REQUIRE(post(*c, "/api/v3/workflows",
                 {{"Name", "wf"}, {"Stages", {"discover", "install", "finish"}}})
                .status == 201);
    REQUIRE(post(*c, "/api/v3/machines", {{"Uuid", kUuid}, {"Name", "m1"}, {"Workflow", "wf"}})
                .status == 201);
    REQUIRE(patch(*c, kMachine, json::array({op("replace", "/Runnable", true)})).status == 200);

    // Boot 1 (sledgehammer): t1 runs, the workflow moves to install, whose bootenv needs a reboot.
    auto out = run_agent(d, w);
    CHECK(out.find("would reboot") != std::string::npos);
    auto m = get(*c, kMachine).body;
    CHECK(m["BootEnv"] == "local");
    CHECK(m["Runnable"] == false);
    CHECK(m["Stage"] == "install");

    // Boot 2 (local): reset-workflow.tmpl's Runnable=true + CurrentTask=-1 snaps back to the
    // install segment (spec 3.3); t2 and t3 run and the workflow completes.
    REQUIRE(
        patch(*c, kMachine,
              json::array({op("replace", "/Runnable", true), op("replace", "/CurrentTask", -1)}))
            .status == 200);
    run_agent(d, w);
    m = get(*c, kMachine).body;
    CHECK(m["WorkflowComplete"] == true);
    CHECK(m["Stage"] == "finish");
    json ran = json::array();
    for (const auto& j : jobs_of(*c))
        if (j["Task"].get<std::string>().find(':') == std::string::npos) {
            ran.push_back(j["Task"]);
            CHECK(j["State"] == "finished");
            CHECK(log_of(*c, j["Uuid"]).find("ran " + j["Task"].get<std::string>()) !=
                  std::string::npos);
        }
    CHECK(ran == json{"t1", "t2", "t3"});
}

TEST_CASE("drover agent: a task that exits 192 runs again after the reboot and finishes",
          "[integration][agent][spec2.5]") {
    DroverdProcess d;
    auto c = d.client();
    WorkDir w;
    make_task(*c, "twice",
              "if [ -e \"$JT/rebooted\" ]; then echo resumed; exit 0; fi\n"
              "touch \"$JT/rebooted\"; echo rebooting; exit 192\n");
    REQUIRE(post(*c, "/api/v3/stages", {{"Name", "only-stage"}, {"Tasks", {"twice"}}}).status ==
            201);
    REQUIRE(post(*c, "/api/v3/machines",
                 {{"Uuid", kUuid},
                  {"Name", "m1"},
                  {"Stage", "only-stage"},
                  {"Meta", {{"feature-flags", "change-stage-v2"}}}})
                .status == 201);
    run_agent(d, w);
    auto jobs = jobs_of(*c);
    REQUIRE(jobs.size() == 1);
    CHECK(jobs[0]["State"] == "incomplete");
    CHECK(jobs[0]["ExitState"] == "reboot");
    CHECK(get(*c, kMachine).body["Runnable"] == false);

    REQUIRE(patch(*c, kMachine, json::array({op("replace", "/Runnable", true)})).status == 200);
    run_agent(d, w);
    jobs = jobs_of(*c);
    REQUIRE(jobs.size() == 1);  // the incomplete job was handed back (202) and re-run
    CHECK(jobs[0]["State"] == "finished");
    CHECK(jobs[0]["ExitState"] == "complete");
    std::string log = log_of(*c, jobs[0]["Uuid"]);
    CHECK(log.find("rebooting") < log.find("resumed"));
}

TEST_CASE("drover agent: a task past its Meta.timeout is killed with its children and fails",
          "[integration][agent][timeout]") {
    DroverdProcess d;
    auto c = d.client();
    WorkDir w;
    make_task(*c, "hang", "sleep 300 &\necho $! > \"$JT/child\"\nwait\n", {{"timeout", "2s"}});
    REQUIRE(post(*c, "/api/v3/stages", {{"Name", "only-stage"}, {"Tasks", {"hang"}}}).status ==
            201);
    REQUIRE(post(*c, "/api/v3/machines", {{"Uuid", kUuid}, {"Name", "m1"}, {"Stage", "only-stage"}})
                .status == 201);
    run_agent(d, w);
    auto jobs = jobs_of(*c);
    REQUIRE(jobs.size() == 1);
    CHECK(jobs[0]["State"] == "failed");
    CHECK(jobs[0]["ExitState"] == "failed");
    CHECK(log_of(*c, jobs[0]["Uuid"]).find("timed out") != std::string::npos);
    std::ifstream pid_file(w.path + "/child");
    pid_t child = 0;
    REQUIRE(pid_file >> child);
    CHECK(eventually([&] { return gone(child); }, std::chrono::seconds(15)));
    CHECK(get(*c, kMachine).body["Runnable"] == false);
}

TEST_CASE("drover agent: the log of a long action survives a server restart, whole and once",
          "[integration][agent][logs]") {
    DroverdProcess d;
    auto c = d.client();
    WorkDir w;
    make_task(*c, "chatty", "for i in $(seq 1 40); do echo \"line $i\"; sleep 0.1; done\n");
    REQUIRE(post(*c, "/api/v3/stages", {{"Name", "only-stage"}, {"Tasks", {"chatty"}}}).status ==
            201);
    REQUIRE(post(*c, "/api/v3/machines", {{"Uuid", kUuid}, {"Name", "m1"}, {"Stage", "only-stage"}})
                .status == 201);
    AgentProcess a(d.port(), kUuid, w.path + "/state", {"--oneshot", "--skip-power"},
                   agent_env(d, w));
    REQUIRE(eventually([&] {
        auto jobs = jobs_of(*c);
        return !jobs.empty() && jobs[0]["State"] == "running";
    }));
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // some output shipped already
    d.kill9();
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the action keeps printing
    d.start(true);
    c = d.client();
    int rc = a.wait(std::chrono::seconds(120));
    INFO(a.output());
    REQUIRE(rc == 0);
    auto jobs = jobs_of(*c);
    REQUIRE(jobs.size() == 1);
    CHECK(jobs[0]["State"] == "finished");
    std::string log = log_of(*c, jobs[0]["Uuid"]);
    std::size_t at = 0;
    for (int i = 1; i <= 40; ++i) {
        std::string line = "line " + std::to_string(i) + "\n";
        auto found = log.find(line, at);
        INFO(line);
        REQUIRE(found != std::string::npos);
        CHECK(log.find(line, found + 1) == std::string::npos);  // exactly once
        at = found + line.size();
    }
}

TEST_CASE("drover agent: killed mid-job, the next start fails that job and re-runs the task",
          "[integration][agent][spec5.5]") {
    DroverdProcess d;
    auto c = d.client();
    WorkDir w;
    make_task(*c, "long",
              "if [ -e \"$JT/once\" ]; then echo second run; exit 0; fi\n"
              "touch \"$JT/once\"; echo $$ > \"$JT/pid\"; exec sleep 300\n");
    REQUIRE(post(*c, "/api/v3/stages", {{"Name", "only-stage"}, {"Tasks", {"long"}}}).status ==
            201);
    REQUIRE(post(*c, "/api/v3/machines", {{"Uuid", kUuid}, {"Name", "m1"}, {"Stage", "only-stage"}})
                .status == 201);
    {
        AgentProcess a(d.port(), kUuid, w.path + "/state", {"--skip-power"}, agent_env(d, w));
        REQUIRE(eventually([&] { return fs::exists(w.path + "/pid"); }));
        a.kill9();
    }
    std::ifstream pid_file(w.path + "/pid");
    pid_t orphan = 0;
    if (pid_file >> orphan) ::kill(orphan, SIGKILL);  // the host would have rebooted it away
    auto jobs = jobs_of(*c);
    REQUIRE(jobs.size() == 1);
    CHECK(jobs[0]["State"] == "running");

    run_agent(d, w);
    jobs = jobs_of(*c);
    REQUIRE(jobs.size() == 2);
    CHECK(jobs[0]["State"] == "failed");
    CHECK(jobs[1]["Task"] == "long");
    CHECK(jobs[1]["State"] == "finished");
    CHECK(jobs[1]["Previous"] == jobs[0]["Uuid"]);
    CHECK(log_of(*c, jobs[1]["Uuid"]).find("second run") != std::string::npos);
}

TEST_CASE("drover agent: SIGTERM while droverd is unreachable stops it, the next start settles",
          "[integration][agent][spec5.6]") {
    DroverdProcess d;
    auto c = d.client();
    WorkDir w;
    make_task(*c, "brief",
              "if [ -e \"$JT/once\" ]; then echo second run; exit 0; fi\n"
              "touch \"$JT/once\"; echo first run; sleep 1; echo first run done\n");
    REQUIRE(post(*c, "/api/v3/stages", {{"Name", "only-stage"}, {"Tasks", {"brief"}}}).status ==
            201);
    REQUIRE(post(*c, "/api/v3/machines", {{"Uuid", kUuid}, {"Name", "m1"}, {"Stage", "only-stage"}})
                .status == 201);
    {
        AgentProcess a(d.port(), kUuid, w.path + "/state", {"--skip-power"}, agent_env(d, w));
        REQUIRE(eventually([&] { return fs::exists(w.path + "/once"); }));
        d.kill9();
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the action has ended
        a.terminate();
        int rc = a.wait(std::chrono::seconds(30));  // it used to wait an hour for the log
        INFO(a.output());
        CHECK(rc != -1);
    }
    d.start(true);
    c = d.client();
    run_agent(d, w);
    auto jobs = jobs_of(*c);
    REQUIRE(jobs.size() == 2);
    CHECK(jobs[0]["State"] == "failed");
    CHECK(jobs[1]["State"] == "finished");
    // The first run's spool outlived the agent and was shipped by the next start.
    CHECK(log_of(*c, jobs[0]["Uuid"]).find("first run done") != std::string::npos);
}

TEST_CASE("drover agent: a renewed token is kept in the state dir for the next start",
          "[integration][agent][tokens]") {
    DroverdProcess d;
    auto c = d.client();
    WorkDir w;
    make_task(*c, "noop", "echo ran with $RS_UUID\n");
    REQUIRE(post(*c, "/api/v3/stages", {{"Name", "only-stage"}, {"Tasks", {"noop"}}}).status ==
            201);
    REQUIRE(post(*c, "/api/v3/machines", {{"Uuid", kUuid}, {"Name", "m1"}, {"Stage", "only-stage"}})
                .status == 201);
    // A one-hour token with 20 s left is due for renewal at once.
    std::string short_token = old_machine_token(d, 20);
    std::string state = w.path + "/state";
    {
        AgentProcess a(d.port(), kUuid, state, {"--oneshot", "--skip-power"},
                       {"JT=" + w.path, "RS_TOKEN=" + short_token});
        REQUIRE(a.wait(std::chrono::seconds(60)) == 0);
        CHECK(a.output().find("renewed the agent's token") != std::string::npos);
    }
    REQUIRE(fs::exists(state + "/token"));
    CHECK((fs::status(state + "/token").permissions() & fs::perms::group_all) == fs::perms::none);
    CHECK((fs::status(state + "/token").permissions() & fs::perms::others_all) == fs::perms::none);

    // The next start is given a token that no longer works (as an expired install token would
    // be): it logs in with the saved one and runs the stage again.
    REQUIRE(patch(*c, kMachine, json::array({op("replace", "/CurrentTask", -1)})).status == 200);
    AgentProcess a(d.port(), kUuid, state, {"--oneshot", "--skip-power"},
                   {"JT=" + w.path, "RS_TOKEN=not-a-token"});
    INFO(a.output());
    REQUIRE(a.wait(std::chrono::seconds(60)) == 0);
    CHECK(jobs_of(*c).size() == 2);
}

TEST_CASE("drover agent: tasks use the helper's get_param/set_param through drover itself",
          "[integration][agent][spec5.7]") {
    DroverdProcess d;
    auto c = d.client();
    WorkDir w;
    REQUIRE(
        post(*c, "/api/v3/profiles", {{"Name", "site"}, {"Params", {{"rack", "r12"}}}}).status ==
        201);
    make_task(*c, "params",
              ". ./helper\n"
              "echo \"rack is $(get_param rack)\"\n"
              "set_param seen-rack \"$(get_param rack)\"\n"
              "exit_stop\n");
    REQUIRE(post(*c, "/api/v3/stages", {{"Name", "only-stage"}, {"Tasks", {"params"}}}).status ==
            201);
    REQUIRE(post(*c, "/api/v3/machines",
                 {{"Uuid", kUuid}, {"Name", "m1"}, {"Stage", "only-stage"}, {"Profiles", {"site"}}})
                .status == 201);
    run_agent(d, w);
    auto jobs = jobs_of(*c);
    REQUIRE(jobs.size() == 1);
    INFO(log_of(*c, jobs[0]["Uuid"]));
    CHECK(jobs[0]["State"] == "finished");
    CHECK(jobs[0]["ExitState"] == "stop");  // exit_stop: sane code 16 via the helper's marker
    CHECK(log_of(*c, jobs[0]["Uuid"]).find("rack is \"r12\"") != std::string::npos);
    CHECK(get(*c, kMachine + "/params/seen-rack").body == "r12");
}
