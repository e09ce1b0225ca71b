// drover-fleet: N simulated machines against a real droverd (issue 9). It starts droverd on a
// free loopback port with a fresh data dir, measures the two ceilings, writes the scenario's
// content, creates the machines, connects one event stream per machine, runs the agents' own
// state machine for them on a few threads, and reports. Exit status 1 on any error. SIGTERM or
// SIGINT ends a run early, as cleanly as its normal end (the browser tests stop it so).
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "agent/client/api_client.hpp"
#include "ceilings.hpp"
#include "fleet_report.hpp"
#include "fleet_scheduler.hpp"
#include "fleet_setup.hpp"
#include "process_stats.hpp"
#include "sim_actions.hpp"
#include "stop_signals.hpp"
#include "tests/integration/droverd_process.hpp"

using namespace drover::fleet;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::string scenario = "steady";
    int machines = 100, tasks = 8, workers = 16, seed = 1;
    double duration = 20, ceiling_seconds = 3;
    int hold_min_ms = 0, hold_max_ms = 0, reboot_ms = 100, heartbeat_seconds = 30;
    std::size_t log_bytes = 0;  // 0: the scenario's default
    double churn_per_second = 20;
    std::string json_path, state_root = "/dev/shm";
    std::vector<std::string> droverd_args;
    bool announce = false, keep_serving = false;
};

double self_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Notifies one machine at a time (200 admin PATCHes spread over the fleet) while every stream is
// connected and nothing else runs: the PATCH's latency and its event's delivery.
void measure_idle(FleetScheduler& fleet, const std::vector<MachineSpec>& specs,
                  const std::string& endpoint, const std::string& admin, FleetReport& r) {
    drover::client::ClientOptions c;
    c.endpoint = endpoint;
    c.token = admin;
    drover::client::ApiClient api(c);
    std::vector<double> patch_ms;
    fleet.take_event_delivery_ms();
    std::size_t samples = std::min<std::size_t>(200, specs.size());
    for (std::size_t i = 0; i < samples; ++i) {
        const auto& m = specs[i * specs.size() / samples];
        nlohmann::json ops = nlohmann::json::array({{{"op", "replace"},
                                                     {"path", "/Description"},
                                                     {"value", "idle " + std::to_string(i)}}});
        auto t0 = Clock::now();
        if (!api.call("PATCH", "/api/v3/machines/" + m.uuid, &ops)) continue;
        patch_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    r.idle_patch = percentiles_of(patch_ms);
    r.idle_event_delivery = percentiles_of(fleet.take_event_delivery_ms());
}

// Both ceilings, unless seconds is 0 (a run that only needs the fleet: they stay unmeasured).
void measure_ceilings(const drover::testing::DroverdProcess& droverd, const Options& o,
                      Ceilings& out) {
    if (o.ceiling_seconds <= 0) return;
    out.measured = true;
    out.http_requests_per_second =
        measure_http_ceiling(droverd.endpoint(), o.workers, o.ceiling_seconds);
    out.store_writes_per_second =
        measure_store_ceiling(std::filesystem::path(droverd.data_dir()).parent_path(), o.workers,
                              o.ceiling_seconds, out.store_writes_per_commit);
}

// One JSON line on stdout once the scenario's content and machines exist: what a test driving
// the fleet needs to log in to droverd and add objects of its own.
void announce(const drover::testing::DroverdProcess& droverd, const ScenarioContent& content,
              const std::vector<MachineSpec>& specs) {
    nlohmann::json machines = nlohmann::json::array();
    for (const auto& m : specs)
        machines.push_back(m.name);
    nlohmann::json line{{"endpoint", droverd.endpoint()},
                        {"user", "admin"},
                        {"password", droverd.admin_password()},
                        {"data_dir", droverd.data_dir()},
                        {"droverd_pid", droverd.pid()},
                        {"workflow", content.workflow},
                        {"machines", machines}};
    std::printf("%s\n", line.dump().c_str());
    std::fflush(stdout);
}

int fail(const std::string& what) {
    std::fprintf(stderr, "drover-fleet: %s\n", what.c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    CLI::App app{"drover-fleet: simulated machines against a real droverd"};
    app.add_option("--scenario", o.scenario, "steady, boot-storm, log-heavy or churn");
    app.add_option("-n,--machines", o.machines, "simulated machines");
    app.add_option("-t,--tasks", o.tasks, "no-op tasks in the steady workflow");
    app.add_option("-d,--duration", o.duration, "seconds to run (boot-storm: the most to wait)");
    app.add_option("-w,--workers", o.workers, "threads that step the agents");
    app.add_option("--action-ms-min", o.hold_min_ms, "shortest simulated action time");
    app.add_option("--action-ms-max", o.hold_max_ms, "longest (uniform in between)");
    app.add_option("--log-bytes", o.log_bytes, "log per job (log-heavy: 1 MiB)");
    app.add_option("--reboot-ms", o.reboot_ms, "a simulated reboot's time");
    app.add_option("--churn-per-second", o.churn_per_second, "churn: drops per second");
    app.add_option("--heartbeat-seconds", o.heartbeat_seconds, "droverd's stream heartbeat");
    app.add_option("--ceiling-seconds", o.ceiling_seconds, "each ceiling's measuring time");
    app.add_option("--seed", o.seed, "random seed");
    app.add_option("--state-root", o.state_root, "where the agents' state dirs go");
    app.add_option("--json", o.json_path, "also write the report as JSON here");
    app.add_option("--droverd-arg", o.droverd_args, "pass this to droverd (repeatable)")
        ->allow_extra_args(false);
    app.add_flag("--announce", o.announce,
                 "print droverd's endpoint, admin login, data dir and pid as one JSON line once "
                 "the machines exist");
    app.add_flag("--keep-serving", o.keep_serving,
                 "after the run, keep droverd up until SIGTERM or SIGINT");
    CLI11_PARSE(app, argc, argv);
    const StopSignals stop;  // before any thread starts
    Scenario scenario;
    if (!parse_scenario(o.scenario, scenario)) return fail("unknown scenario " + o.scenario);
    if (o.log_bytes == 0) o.log_bytes = scenario == Scenario::LogHeavy ? (1u << 20) : 200;

    // droverd as shipped: log level info, a line per request (to a pipe read and dropped here).
    o.droverd_args.push_back("--heartbeat-seconds");
    o.droverd_args.push_back(std::to_string(o.heartbeat_seconds));
    drover::testing::DroverdProcess droverd(o.droverd_args);
    droverd.forget_log();
    const std::string endpoint = droverd.endpoint(), admin = droverd.admin_token();
    FleetReport r;
    r.scenario = o.scenario;
    r.machines = o.machines;
    r.tasks = o.tasks;
    r.workers = o.workers;
    measure_ceilings(droverd, o, r.ceilings);

    ScenarioContent content;
    if (auto err = write_content(endpoint, admin, scenario, o.tasks, content); !err.empty())
        return fail("content: " + err);
    std::vector<MachineSpec> specs;
    if (auto err = create_machines(endpoint, admin, content.workflow, 0, o.machines, 8, specs);
        !err.empty())
        return fail("machines: " + err);
    if (o.announce) announce(droverd, content, specs);

    std::string state_root = o.state_root + "/drover-fleet-" + std::to_string(getpid());
    std::filesystem::create_directories(state_root);
    CallStats stats;
    SimulatedActions actions({std::chrono::milliseconds(o.hold_min_ms),
                              std::chrono::milliseconds(o.hold_max_ms), o.log_bytes,
                              static_cast<std::uint64_t>(o.seed)});
    SchedulerOptions so;
    so.port = droverd.port();
    so.admin_token = admin;
    so.state_root = state_root;
    so.workers = o.workers;
    so.reboot_time = std::chrono::milliseconds(o.reboot_ms);
    so.jobs_per_round = content.jobs_per_round;
    so.repeat = content.repeat;
    r.server_rss_idle_mb = rss_mb(droverd.pid());
    double used_before = system_used_mb();
    auto connect_start = Clock::now();
    FleetScheduler fleet(so, stats, actions);
    for (const auto& m : specs)
        fleet.add(m);
    while (fleet.streams_connected() < specs.size() && !stop.received() &&
           Clock::now() - connect_start < std::chrono::seconds(120))
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    r.streams_connect_seconds = std::chrono::duration<double>(Clock::now() - connect_start).count();
    r.streams_connected = fleet.streams_connected();
    if (r.streams_connected < specs.size() && !stop.received())
        stats.error("streams not connected in 120 s");

    measure_idle(fleet, specs, endpoint, admin, r);
    r.idle_server_rss_mb = rss_mb(droverd.pid());
    r.idle_system_used_delta_mb = system_used_mb() - used_before;

    double store_before = dir_kb(droverd.data_dir());
    double server_cpu_before = cpu_seconds(droverd.pid()), self_before = self_cpu_seconds();
    auto run_start = Clock::now();
    fleet.start();
    std::mt19937_64 random(static_cast<std::uint64_t>(o.seed));
    auto deadline = run_start + std::chrono::duration<double>(o.duration);
    double peak_rss = 0, peak_used = 0;
    auto next_churn = run_start;
    while (Clock::now() < deadline && !stop.received()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        peak_rss = std::max(peak_rss, rss_mb(droverd.pid()));
        peak_used = std::max(peak_used, system_used_mb());
        if (scenario == Scenario::Churn)
            for (; next_churn < Clock::now();
                 next_churn += std::chrono::duration_cast<Clock::duration>(
                     std::chrono::duration<double>(1.0 / o.churn_per_second)))
                fleet.churn_one(random);
        if (!content.repeat && fleet.counters().machines_done >= specs.size()) break;
    }
    fleet.stop();
    r.seconds = std::chrono::duration<double>(Clock::now() - run_start).count();
    r.counters = fleet.counters();
    r.cycles_per_second = static_cast<double>(r.counters.cycles) / r.seconds;
    r.calls = stats.latencies();
    r.errors = stats.errors();
    auto hub = fleet.stream_counters();
    if (hub.errors > 0) r.errors["event stream"] = hub.errors;
    r.event_delivery = percentiles_of(fleet.event_delivery_ms());
    r.server_rss_mb = peak_rss;
    r.system_used_delta_mb = peak_used - used_before;
    r.server_cpu_percent = 100 * (cpu_seconds(droverd.pid()) - server_cpu_before) / r.seconds;
    r.fleet_cpu_percent = 100 * (self_cpu_seconds() - self_before) / r.seconds;
    double cycles = std::max<double>(1, static_cast<double>(r.counters.cycles));
    r.store_kb_per_1000_jobs = (dir_kb(droverd.data_dir()) - store_before) / cycles * 1000;
    r.requests_per_cycle = static_cast<double>(stats.requests()) / cycles;
    r.writes_per_cycle = static_cast<double>(stats.writes()) / cycles;
    if (r.ceilings.measured) {
        r.ceiling_cycles_per_second =
            std::min(r.ceilings.http_requests_per_second / std::max(1e-9, r.requests_per_cycle),
                     r.ceilings.store_writes_per_second / std::max(1e-9, r.writes_per_cycle));
        r.ceiling_ratio = r.cycles_per_second / std::max(1e-9, r.ceiling_cycles_per_second);
    }
    // A run stopped by a signal ends where it is: unfinished machines are no failure then.
    r.all_done = content.repeat || stop.received() || r.counters.machines_done >= specs.size();
    if (r.counters.cycles == 0 && !stop.received()) stats.error("no job cycle completed");
    r.errors = stats.errors();
    if (hub.errors > 0) r.errors["event stream"] = hub.errors;
    std::fputs(to_table(r).c_str(), stdout);
    if (!o.json_path.empty()) std::ofstream(o.json_path) << to_json(r);
    std::fflush(stdout);
    if (o.keep_serving) stop.wait();
    std::error_code ec;
    std::filesystem::remove_all(state_root, ec);
    return r.error_count() == 0 && r.all_done ? 0 : 1;
}
