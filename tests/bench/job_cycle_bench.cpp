// Load tool for the job engine (not a test): M simulated agents, each owning one machine with a
// task list of T one-template tasks, run job cycles as fast as droverd answers. A cycle is the
// agent's protocol for one task: POST /jobs (Idempotency-Key), PATCH running, GET actions, PUT log
// (X-Log-Offset), PATCH finished. When a machine's list is done it is reset with CurrentTask=-1.
// droverd runs in a forked child on a temp data dir, logging to this process's stderr (one line
// per request at info: redirect it). Usage: job_cycle_bench [seconds=10] [agents=16]
// [log-level=info]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "server/daemon.hpp"
#include "server/ops/log.hpp"
#include "tests/bench/percentile.hpp"

using drover::bench::percentile;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kTasks = 8;
constexpr const char* kBenchPassword = "job-cycle-bench";

// One login for the run: agents use a token, as real agents do (a password check is ~70 ms).
std::string admin_token(int port) {
    httplib::Client c("127.0.0.1", port);
    c.set_basic_auth("admin", kBenchPassword);
    auto r = c.Get("/api/v3/users/admin/token?ttl=3600");
    if (!r || r->status != 200) {
        std::fprintf(stderr, "cannot log in\n");
        std::exit(1);
    }
    return nlohmann::json::parse(r->body)["Token"].get<std::string>();
}

struct Latencies {
    std::mutex mutex;
    std::map<std::string, std::vector<double>> ms;
    void add(const std::string& call, std::vector<double>& v) {
        std::lock_guard lock(mutex);
        auto& all = ms[call];
        all.insert(all.end(), v.begin(), v.end());
    }
};

pid_t start_server(const std::string& dir, int port, drover::ops::Level log_level) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    drover::ops::set_log_level(log_level);
    drover::server::DaemonOptions o;
    o.data_dir = dir;
    o.host = "127.0.0.1";
    o.port = static_cast<std::uint16_t>(port);
    o.insecure_http = true;  // the protocol's cost, not TLS's (BENCHMARKS.md measures TLS apart)
    o.admin_password = kBenchPassword;
    drover::server::Daemon d(o);
    std::string err;
    if (!d.start(err)) {
        std::fprintf(stderr, "droverd: %s\n", err.c_str());
        _exit(1);
    }
    d.run();
    _exit(0);
}

json patch_state(const std::string& from, const std::string& to) {
    json ops = json::array({{{"op", "test"}, {"path", "/State"}, {"value", from}},
                            {{"op", "replace"}, {"path", "/State"}, {"value", to}}});
    if (to == "finished")
        ops.push_back({{"op", "replace"}, {"path", "/ExitState"}, {"value", "complete"}});
    return ops;
}

// One agent's loop; returns completed cycles.
long run_agent(int port, const std::string& token, const std::string& uuid, Clock::time_point end,
               Latencies& lat, std::atomic<long>& errors) {
    httplib::Client c("127.0.0.1", port);
    c.set_bearer_token_auth(token.c_str());
    c.set_keep_alive(true);
    c.set_tcp_nodelay(true);  // httplib writes head and body separately: Nagle would add 40 ms
    std::map<std::string, std::vector<double>> mine;
    auto timed = [&](const char* name, auto&& call) {
        auto t0 = Clock::now();
        auto res = call();
        mine[name].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (!res || res->status >= 400) ++errors;
        return res;
    };
    long cycles = 0, decision = 0;
    const json body{{"Machine", uuid}};
    while (Clock::now() < end) {
        httplib::Headers key{{"Idempotency-Key", uuid + "-" + std::to_string(++decision)}};
        auto job = timed("POST /jobs", [&] {
            return c.Post("/api/v3/jobs", key, body.dump(), "application/json");
        });
        if (!job) continue;
        if (job->status == 204) {
            json reset =
                json::array({{{"op", "replace"}, {"path", "/CurrentTask"}, {"value", -1}}});
            timed("PATCH machine", [&] {
                return c.Patch(("/api/v3/machines/" + uuid).c_str(), reset.dump(),
                               "application/json");
            });
            continue;
        }
        json j = json::parse(job->body, nullptr, false);
        if (!j.is_object()) continue;
        std::string path = "/api/v3/jobs/" + j["Uuid"].get<std::string>();
        timed("PATCH running", [&] {
            return c.Patch(path.c_str(), patch_state(j["State"], "running").dump(),
                           "application/json");
        });
        timed("GET actions", [&] { return c.Get((path + "/actions").c_str()); });
        std::string offset = std::to_string(14 + j["Uuid"].get<std::string>().size());
        timed("PUT log", [&] {
            return c.Put((path + "/log").c_str(), {{"X-Log-Offset", offset}},
                         std::string(200, 'x') + "\n", "application/octet-stream");
        });
        timed("PATCH finished", [&] {
            return c.Patch(path.c_str(), patch_state("running", "finished").dump(),
                           "application/json");
        });
        ++cycles;
    }
    for (auto& [name, v] : mine)
        lat.add(name, v);
    return cycles;
}

void setup(int port, const std::string& token, int agents, std::vector<std::string>& uuids) {
    httplib::Client c("127.0.0.1", port);
    c.set_bearer_token_auth(token.c_str());
    json tasks = json::array();
    for (int t = 0; t < kTasks; ++t) {
        std::string name = "task" + std::to_string(t);
        c.Post("/api/v3/tasks",
               json{{"Name", name},
                    {"Templates",
                     {{{"Name", "run"},
                       {"Contents", "#!/bin/bash\necho {{.Machine.Name}} " + name + "\n"}}}}}
                   .dump(),
               "application/json");
        tasks.push_back(name);
    }
    c.Post("/api/v3/stages", json{{"Name", "bench"}, {"Tasks", tasks}}.dump(), "application/json");
    for (int i = 0; i < agents; ++i) {
        auto r = c.Post("/api/v3/machines",
                        json{{"Name", "m" + std::to_string(i)}, {"Stage", "bench"}}.dump(),
                        "application/json");
        uuids.push_back(json::parse(r->body)["Uuid"]);
    }
}

}  // namespace

int main(int argc, char** argv) {
    int seconds = argc > 1 ? std::atoi(argv[1]) : 10;
    int agents = argc > 2 ? std::atoi(argv[2]) : 16;
    auto log_level = drover::ops::parse_level(argc > 3 ? argv[3] : "info");
    if (!log_level) {
        std::fprintf(stderr, "log-level: error, warn, info or debug\n");
        return 2;
    }
    std::string dir = "/tmp/drover-job-bench-" + std::to_string(getpid());
    int port = 20000 + getpid() % 20000;
    pid_t server = start_server(dir, port, *log_level);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    std::vector<std::string> uuids;
    const std::string token = admin_token(port);
    setup(port, token, agents, uuids);

    Latencies lat;
    std::atomic<long> cycles{0}, errors{0};
    auto start = Clock::now(), end = start + std::chrono::seconds(seconds);
    std::vector<std::thread> threads;
    for (const auto& u : uuids)
        threads.emplace_back([&, u] { cycles += run_agent(port, token, u, end, lat, errors); });
    for (auto& t : threads)
        t.join();
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("agents %d, %d tasks each, %.1f s: %ld job cycles, %.0f cycles/s, %ld errors\n",
                agents, kTasks, elapsed, cycles.load(), static_cast<double>(cycles) / elapsed,
                errors.load());
    std::printf("%-16s %8s %8s %8s %8s\n", "call", "p50 ms", "p95 ms", "p99 ms", "max ms");
    for (auto& [name, v] : lat.ms)
        std::printf("%-16s %8.2f %8.2f %8.2f %8.2f\n", name.c_str(), percentile(v, 0.5),
                    percentile(v, 0.95), percentile(v, 0.99), percentile(v, 1.0));
    kill(server, SIGTERM);
    waitpid(server, nullptr, 0);
    std::error_code ec;
    std::printf("data dir after the run: %.1f MiB\n",
                static_cast<double>(std::filesystem::exists(dir + "/data.mdb", ec)
                                        ? std::filesystem::file_size(dir + "/data.mdb")
                                        : 0) /
                    (1 << 20));
    std::filesystem::remove_all(dir, ec);
    return errors > 0 ? 1 : 0;
}
