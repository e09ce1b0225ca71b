// The machine agent's runner (spec 5.7 steps 2-5): runs one job's actions in a fresh task dir,
// file actions written and script actions executed in their own process groups, and folds the
// exit codes into the job's result (spec 2.5). No HTTP here: the agent's state machine fetches
// the actions and reports the outcome. Nothing of a run survives it: task dir removed, children
// reaped.
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "agent/runner/log_sink.hpp"
#include "common/model/job.hpp"
#include "common/rules/exit_codes.hpp"

namespace drover::agent {

struct RunnerEnvironment {
    std::string runner_dir;  // parent of the task dirs (created if missing); TMPDIR = its parent
    // RS_UUID, RS_ENDPOINT, RS_TOKEN (the job's Token when it has one, else the agent's).
    std::string machine_uuid, endpoint, token;
    std::string drover_path;             // the helper's get_param/set_param run it drpcli-style
    std::vector<std::string> extra_env;  // NAME=value, set last
};

struct TaskRun {
    std::string task;  // the task's name: task dir prefix and script names
    // As GET /jobs/<id>/actions returned them; filtered for "linux" again here (spec 5.7 step 3).
    std::vector<model::JobAction> actions;
    std::string feature_flags;  // the Task's Meta feature-flags (sane vs legacy exit codes)
    // The Task's Meta.timeout as written ("300", "5m"; "" or <= 0 for none), for the whole task
    // from its start. Beyond DRP, which has no per-task timeout in the agent.
    std::string timeout;
    std::chrono::milliseconds kill_grace{10000};  // SIGTERM -> SIGKILL of an action's group
};

struct TaskOutcome {
    rules::JobResult result;
    bool timed_out = false;    // the timeout killed an action: result is failed/failed
    bool interrupted = false;  // cancel: result is rules::interrupted_result()
    // The runner's own first failure (bad timeout, task dir, a write, a command that would not
    // start); a script's exit code is not one.
    std::string error;
};

// Runs the task to its end, a timeout, or `cancel` becoming true (looked at every ~50 ms).
// Writes everything to `log`; never throws. `heartbeat`, when set, is called about once a second
// while an action's process runs (StopPolicy::heartbeat).
TaskOutcome run_task(const TaskRun& run, const RunnerEnvironment& env, LogSink& log,
                     const std::atomic<bool>& cancel, std::function<void()> heartbeat = {});

}  // namespace drover::agent
