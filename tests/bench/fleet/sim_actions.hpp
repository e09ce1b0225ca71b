// The fleet simulator's action runner: a job's rendered actions are acted out in process instead
// of executed. A script action "exits" with the code of its last `exit N` line (0 without one),
// file actions count as written, and the job prints `log_bytes` of output and holds the machine
// for a time drawn from [hold_min, hold_max]. The exit codes fold into the job's result by the
// agent's own rules (spec 2.5), so a task's `exit 64` reboots a simulated machine as it would a
// real one.
#pragma once
#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>

#include "agent/fsm/agent_core.hpp"

namespace drover::fleet {

struct ActionProfile {
    std::chrono::milliseconds hold_min{0}, hold_max{0};
    std::size_t log_bytes = 200;
    std::uint64_t seed = 1;
};

class SimulatedActions : public agent::ActionRunner {
  public:
    explicit SimulatedActions(ActionProfile profile);
    // Instant: the simulated time is the result's hold, stepped by the driver, so no heartbeat.
    Result run(const agent::TaskRun& run, const agent::RunnerEnvironment& env, agent::LogSink& log,
               const std::atomic<bool>& stop, const std::function<void()>& heartbeat) override;

  private:
    std::chrono::milliseconds draw_hold();

    ActionProfile profile_;
    std::mutex mutex_;
    std::mt19937_64 random_;
};

// The log a simulated job prints: a line naming the task and machine, then filler up to
// `log_bytes` (lines of 80). Deterministic, so a test can compare the server's copy byte for byte.
std::string simulated_log(const std::string& task, const std::string& machine,
                          std::size_t log_bytes);

// The code of the script's last `exit N` line; 0 when it has none.
int simulated_exit_code(const std::string& script);

}  // namespace drover::fleet
