// Runs thousands of simulated machines on a few threads: each machine is the agent's own state
// machine (agent/fsm AgentCore) stepped by a small worker pool. A step that waits parks its
// machine: on its event stream (one per machine, held by the StreamHub's epoll thread), or on a
// timer (an action's simulated time, a retry pause, a simulated reboot). No thread per machine.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "agent/fsm/agent_core.hpp"
#include "call_stats.hpp"
#include "stream_hub.hpp"

namespace drover::fleet {

struct MachineSpec {
    std::string uuid, name, token;
};

struct SchedulerOptions {
    std::string host = "127.0.0.1";
    int port = 0;
    std::string admin_token;
    std::string state_root;  // one state dir per machine below it
    int workers = 8;
    std::chrono::milliseconds reboot_time{100};
    // Settled jobs per round of a machine's workflow: a machine that settled a multiple of it
    // starts over (repeat) or is done.
    int jobs_per_round = 1;
    bool repeat = false;
    // Sees every job an agent settled (its final PATCH acknowledged): the reliability tests'
    // record of what the server must still hold. Runs on a worker thread; optional.
    std::function<void(const MachineSpec& machine, const std::string& job, const std::string& task)>
        on_settled;
};

struct FleetCounters {
    std::uint64_t cycles = 0, failed_jobs = 0, reboots = 0, machines_done = 0, agent_errors = 0,
                  agent_restarts = 0;
};

class FleetScheduler {
  public:
    FleetScheduler(SchedulerOptions options, CallStats& stats, agent::ActionRunner& actions);
    ~FleetScheduler();
    FleetScheduler(const FleetScheduler&) = delete;
    FleetScheduler& operator=(const FleetScheduler&) = delete;

    std::size_t add(const MachineSpec& machine);  // its stream connects at once
    std::size_t streams_connected() const { return hub_->connected(); }
    StreamHub::Counters stream_counters() const { return hub_->counters(); }
    void start();  // every machine boots its agent
    void stop();   // ends every step loop; machines stay where they are
    // Churn: drops one random machine's stream for a while (it resumes with Last-Event-ID) and
    // restarts another's agent between two of its steps, as a killed agent would come back.
    void churn_one(std::mt19937_64& random);

    FleetCounters counters() const;
    // "name: AGENT_... parked on ..., N jobs settled", then its agent's last log lines, for each
    // machine not done (diagnostics).
    std::vector<std::string> unfinished() const;
    // Commit-to-arrival times of the event frames so far (ms); take_ clears them.
    std::vector<double> event_delivery_ms() const;
    std::vector<double> take_event_delivery_ms();
    std::size_t machines() const;

  private:
    struct Machine;
    enum class Park { Running, Ready, Wakeup, Timer, Done };

    void on_frame(std::size_t index, std::optional<std::chrono::system_clock::time_point> commit);
    void work();
    void tick_timers();
    void run_machine(std::size_t index, client::ApiClient& api);
    void park(std::size_t index, const agent::Step& step);
    void park_timer(Machine& m, std::size_t index, std::chrono::milliseconds d);
    void make_ready(Machine& m, std::size_t index);
    void job_settled(Machine& m, const std::string& job, const std::string& task,
                     const rules::JobResult& result);
    std::unique_ptr<agent::AgentCore> new_core(Machine& m, client::ApiClient& api);

    SchedulerOptions o_;
    CallStats& stats_;
    agent::ActionRunner& actions_;
    std::atomic<bool> stop_{false};
    std::unique_ptr<StreamHub> hub_;

    mutable std::mutex mutex_;  // the machines' park state, the ready queue, the timers
    std::condition_variable ready_changed_, timers_changed_;
    std::vector<std::unique_ptr<Machine>> machines_;
    std::deque<std::size_t> ready_;
    struct Timer {
        std::chrono::steady_clock::time_point at;
        std::size_t index;
        std::uint64_t generation;
        bool reconnect_stream;  // index is a stream to reconnect (churn), not a machine
        bool operator>(const Timer& o) const { return at > o.at; }
    };
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
    std::vector<double> event_ms_;
    FleetCounters counters_;
    std::vector<std::thread> threads_;
};

}  // namespace drover::fleet
