// The machine agent's state machine (spec 5.3) in step form: each step does one state's work
// with short API calls and then says what it waits for (a wake-up, a pause, nothing). Waiting is
// the driver's job: run_machine_agent blocks one thread per agent, the fleet simulator parks
// thousands of agents on a few threads. Both run exactly these steps.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/fsm/machine_agent.hpp"
#include "agent/fsm/state_file.hpp"
#include "agent/runner/task_runner.hpp"
#include "common/security/token.hpp"

namespace drover::agent {

class LogShipper;

enum class AgentState {
    Init,
    WaitForRunnable,
    RunTask,
    FinishJob,  // the second half of AGENT_RUN_TASK: the actions ended, the job is settled
    WaitForChangeStage,
    ChangeStage,
    Reboot,
    Poweroff,
    Kexec,
    Exit
};
const char* name_of(AgentState s);

// What the driver does before the next step.
struct StepWait {
    enum class Kind { None, Wakeup, Pause };
    Kind kind = Kind::None;
    std::uint64_t since = 0;  // Wakeup: step again once more than `since` wake-ups were seen...
    std::chrono::milliseconds duration{0};  // ...or after this long; Pause: this long
};

struct Step {
    AgentState next = AgentState::Exit;
    StepWait wait;
};

// Runs a job's actions. The agent's own runs processes (agent/runner); the fleet simulator's
// acts in process and asks for `hold` of simulated action time before the job is settled.
class ActionRunner {
  public:
    virtual ~ActionRunner() = default;
    struct Result {
        TaskOutcome outcome;
        std::chrono::milliseconds hold{0};
    };
    // `heartbeat` is the core's upkeep during a long action (its token's renewal): call it about
    // once a second while the actions run, if they run for long.
    virtual Result run(const TaskRun& run, const RunnerEnvironment& env, LogSink& log,
                       const std::atomic<bool>& stop, const std::function<void()>& heartbeat) = 0;
};
std::unique_ptr<ActionRunner> make_process_runner();

// How the core reaches out of itself; the driver provides each.
struct AgentHooks {
    std::function<std::uint64_t()> wakeups_seen;                  // the event stream's count
    std::function<void(const std::string& token)> token_renewed;  // restart the stream with it
    std::function<void(const std::string& line)> log;
    ActionRunner* actions = nullptr;
    // A job was settled with this result (its final PATCH answered); optional.
    std::function<void(const std::string& job, const std::string& task,
                       const rules::JobResult& result)>
        job_settled;
    // true: a shipper thread streams a long job's log while it runs (the agent); false: the log
    // is shipped when the actions end, on the stepping thread (the simulator's instant actions).
    bool ship_in_background = true;
};

class AgentCore {
  public:
    // `api` is borrowed: the driver owns the connection (one per agent, or one per worker thread
    // with the agent's token set before each step).
    AgentCore(const AgentOptions& options, const std::atomic<bool>& stop, AgentHooks hooks,
              client::ApiClient& api, std::string token);
    ~AgentCore();
    AgentCore(const AgentCore&) = delete;
    AgentCore& operator=(const AgentCore&) = delete;

    // The start of spec 5.3: read the machine, mark a legacy machine Runnable, reboot when the
    // bootenv moved while we were down. nullopt: the agent cannot start (exit 1, see error()).
    std::optional<AgentState> start();
    // One state's work. Also renews the token when due and keeps the state file (spec 5.6).
    Step step(AgentState s);
    const std::string& error() const { return error_; }
    const std::string& token() const { return token_; }
    // The connection for the next steps (a driver that moves agents between threads).
    void set_api(client::ApiClient& api) { api_ = &api; }
    // "reboot" or "poweroff" when the agent exited instead of one (--skip-power, a context).
    const std::string& skipped_power_action() const { return power_action_; }

  private:
    bool refresh();
    bool patch_machine(const nlohmann::json& ops);
    std::string move_job(const std::string& id, const nlohmann::json& ops, const std::string& state,
                         const std::string& exit_state);
    std::optional<std::chrono::milliseconds> until_renewal() const;
    bool renew_token_if_due();  // true: renewed
    void wake_for_renewal(StepWait& wait) const;
    Step dispatch(AgentState s);
    Step init();
    Step retry_after(std::chrono::milliseconds pause);
    Step wait_for_change(AgentState self);
    bool change_seen(AgentState self) const;
    Step run_task();
    Step run_job(const nlohmann::json& job);
    Step finish_job();
    Step change_stage();
    AgentState reboot_or_exit(bool auto_kexec);
    Step power(const char* action, const std::string& command);
    Step kexec();
    void mark_not_runnable();

    const AgentOptions& o_;
    const std::atomic<bool>& stop_;
    AgentHooks hooks_;
    client::ApiClient* api_;
    std::string token_;
    std::optional<security::TokenLifetime> token_life_;  // token_'s, decoded once
    std::string path_;
    nlohmann::json machine_;      // the agent's last copy
    nlohmann::json wait_before_;  // the machine when the current wait began
    std::string error_;
    HostBoot boot_;
    nlohmann::json saved_machine_;              // what the state file holds
    AgentState waiting_in_ = AgentState::Exit;  // the wait in progress, if any
    std::chrono::steady_clock::time_point wait_deadline_;
    std::chrono::steady_clock::time_point renew_retry_at_;  // no renewal before (after a failure)
    std::string power_action_;
    // The job between RUN_TASK and its settling (FinishJob).
    struct RunningJob;
    std::unique_ptr<RunningJob> job_;
};

}  // namespace drover::agent
