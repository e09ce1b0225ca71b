// Issue 10's fault tests over a simulated fleet: 200 machines (the agent's own state machine, see
// tests/bench/fleet) run a 3-stage workflow with two reboots while droverd is killed with SIGKILL
// again and again, or frozen with SIGSTOP. What must hold afterwards: every job an agent saw
// settled is still there, finished; each task ran exactly once per machine (no job lost or
// duplicated, no failed attempt left behind); every job log is byte for byte what the agent
// printed; every machine finished its workflow and is Runnable.
#include <signal.h>
#include <catch2/catch.hpp>

#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "droverd_process.hpp"
#include "fleet_scheduler.hpp"
#include "fleet_setup.hpp"
#include "sim_actions.hpp"

using namespace drover::testing;
using namespace drover::fleet;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kMachines = 200;
constexpr std::size_t kLogBytes = 1500;
const std::set<std::string> kRealTasks{"fleet-inventory", "fleet-firmware-reboot", "fleet-image",
                                       "fleet-done"};

struct Settled {
    std::string machine, job, task;
};

// A fleet on the boot-storm workflow, recording every job its agents settled.
class FaultFleet {
  public:
    explicit FaultFleet(DroverdProcess& d) : d_(d) {
        ScenarioContent content;
        const std::string admin = d.admin_token();
        REQUIRE(write_content(d.endpoint(), admin, Scenario::BootStorm, 0, content).empty());
        REQUIRE(create_machines(d.endpoint(), admin, content.workflow, 0, kMachines, 8, specs_)
                    .empty());
        SchedulerOptions o;
        o.port = d.port();
        o.admin_token = admin;
        o.state_root = d.data_dir() + "-agents";
        o.workers = 16;
        o.reboot_time = std::chrono::milliseconds(200);
        o.jobs_per_round = content.jobs_per_round;
        o.on_settled = [this](const MachineSpec& m, const std::string& job,
                              const std::string& task) {
            std::lock_guard lock(mutex_);
            settled_.push_back({m.uuid, job, task});
        };
        // Actions take a while, so the kills land while jobs are in every phase.
        actions_ = std::make_unique<SimulatedActions>(ActionProfile{
            std::chrono::milliseconds(1000), std::chrono::milliseconds(6000), kLogBytes, 7});
        scheduler_ = std::make_unique<FleetScheduler>(o, stats_, *actions_);
        for (const auto& m : specs_)
            scheduler_->add(m);
        scheduler_->start();
    }
    ~FaultFleet() {
        scheduler_.reset();
        std::error_code ec;
        std::filesystem::remove_all(d_.data_dir() + "-agents", ec);
    }

    std::vector<Settled> settled() const {
        std::lock_guard lock(mutex_);
        return settled_;
    }
    // Machines whose last task finished, as the server tells it: an agent may never see the
    // answer to a write the server committed just before it was killed.
    std::size_t machines_done() const {
        auto c = d_.client();
        auto done = get(*c, "/api/v3/jobs?Task=fleet-done&State=finished");
        return done.status == 200 ? done.body.size() : 0;
    }
    bool all_done(std::chrono::seconds within) const {
        auto end = Clock::now() + within;
        while (Clock::now() < end) {
            if (machines_done() >= kMachines) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
        for (const auto& line : scheduler_->unfinished())
            std::fprintf(stderr, "agent of %s\n", line.c_str());
        return false;
    }
    FleetCounters counters() const { return scheduler_->counters(); }
    std::vector<std::string> unfinished() const { return scheduler_->unfinished(); }
    const std::vector<MachineSpec>& machines() const { return specs_; }

  private:
    DroverdProcess& d_;
    std::vector<MachineSpec> specs_;
    CallStats stats_;
    std::unique_ptr<SimulatedActions> actions_;
    std::unique_ptr<FleetScheduler> scheduler_;
    mutable std::mutex mutex_;
    std::vector<Settled> settled_;
};

std::map<std::string, json> jobs_by_id(DroverdProcess& d) {
    auto c = d.client();
    auto list = get(*c, "/api/v3/jobs");
    REQUIRE(list.status == 200);
    std::map<std::string, json> out;
    for (const auto& j : list.body)
        out[j["Uuid"].get<std::string>()] = j;
    return out;
}

// Every job an agent saw settled is on the server, finished.
void check_settled_present(DroverdProcess& d, const std::vector<Settled>& settled) {
    auto jobs = jobs_by_id(d);
    for (const auto& s : settled) {
        INFO("job " << s.job << " (" << s.task << ") of " << s.machine);
        REQUIRE(jobs.count(s.job) == 1);
        CHECK(jobs[s.job]["State"] == "finished");
    }
}

void check_final_state(DroverdProcess& d, const FaultFleet& fleet) {
    auto c = d.client();
    auto jobs = jobs_by_id(d);
    std::map<std::string, std::map<std::string, int>> finished;  // machine -> task -> count
    for (const auto& [id, j] : jobs) {
        std::string task = j["Task"];
        if (!kRealTasks.count(task)) continue;  // stage: and bootenv: entries
        INFO("job " << id << " (" << task << ") is " << j["State"]);
        CHECK(j["State"] == "finished");  // no attempt failed or was left running
        ++finished[j["Machine"].get<std::string>()][task];
        auto log = c->Get(("/api/v3/jobs/" + id + "/log").c_str());
        REQUIRE(log);
        CHECK(log->body == "Log for Job: " + id + "\n" +
                               simulated_log(task, j["Machine"].get<std::string>(), kLogBytes));
    }
    for (const auto& m : fleet.machines()) {
        INFO("machine " << m.name);
        for (const auto& task : kRealTasks)
            CHECK(finished[m.uuid][task] == 1);  // each task ran exactly once
        auto machine = get(*c, "/api/v3/machines/" + m.uuid);
        CHECK(machine.body["Stage"] == "fleet-finish");
        CHECK(machine.body["Runnable"] == true);
    }
}

// What the server says about each machine whose agent has not finished, and its jobs.
void describe_unfinished(DroverdProcess& d, const FaultFleet& fleet) {
    auto c = d.client();
    auto jobs = jobs_by_id(d);
    for (const auto& m : fleet.machines()) {
        auto machine = get(*c, "/api/v3/machines/" + m.uuid).body;
        if (machine["Stage"] == "fleet-finish" && machine["CurrentTask"] == 0) continue;
        std::string line = m.name + " on the server: Stage " + machine["Stage"].dump() +
                           " CurrentTask " + machine["CurrentTask"].dump() + " Runnable " +
                           machine["Runnable"].dump() + " BootEnv " + machine["BootEnv"].dump() +
                           " CurrentJob " + machine["CurrentJob"].dump() + "; jobs:";
        for (const auto& [id, j] : jobs)
            if (j["Machine"] == m.uuid)
                line += " " + j["Task"].get<std::string>() + "=" + j["State"].get<std::string>();
        UNSCOPED_INFO(line);
    }
}

}  // namespace

TEST_CASE("fleet faults: 200 machines through 20 SIGKILLs of droverd lose nothing acknowledged",
          "[integration][reliability]") {
    DroverdProcess d;
    d.forget_log();
    FaultFleet fleet(d);
    std::mt19937_64 random(20261127);
    int kills_mid_workflow = 0;
    for (int kills = 0; kills < 20; ++kills) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100 + random() % 600));
        if (fleet.machines_done() < kMachines) ++kills_mid_workflow;
        d.kill9();
        auto settled = fleet.settled();
        std::this_thread::sleep_for(std::chrono::milliseconds(random() % 300));
        d.start(/*same_port=*/true);
        d.forget_log();
        check_settled_present(d, settled);
    }
    INFO("jobs settled while droverd was being killed: " << fleet.settled().size());
    CHECK(kills_mid_workflow >= 15);  // the kills hit a fleet at work, not one that is done
    bool done = fleet.all_done(std::chrono::seconds(180));
    if (!done) describe_unfinished(d, fleet);
    REQUIRE(done);
    check_settled_present(d, fleet.settled());
    check_final_state(d, fleet);
    CHECK(fleet.counters().reboots >= 2u * kMachines);
}

TEST_CASE(
    "fleet faults: droverd frozen (SIGSTOP) for seconds at a time, agents resume, lose "
    "nothing",
    "[integration][reliability]") {
    DroverdProcess d;
    d.forget_log();
    FaultFleet fleet(d);
    for (int pause : {5, 60}) {  // a short partition and a long one
        std::this_thread::sleep_for(std::chrono::milliseconds(700));
        d.send_signal(SIGSTOP);
        std::this_thread::sleep_for(std::chrono::seconds(pause));
        d.send_signal(SIGCONT);
    }
    REQUIRE(fleet.all_done(std::chrono::seconds(180)));
    check_settled_present(d, fleet.settled());
    check_final_state(d, fleet);
}
