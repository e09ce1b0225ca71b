// spec 2.5: how a task's script exit codes become a job result. classify_exit_code is the
// table (sane and legacy); JobResultFolder applies the per-action folding rules in order, so
// the agent can ask after each action whether to run the next one.
#pragma once
#include <string_view>
#include <vector>

#include "common/model/job.hpp"

namespace drover::rules {

enum class ExitCodeMode { Sane, Legacy };

struct ExitFlags {
    bool failed = false;
    bool stop = false;
    bool poweroff = false;
    bool reboot = false;
    bool incomplete = false;
    bool operator==(const ExitFlags&) const = default;
};

// spec 2.5: sane when the task's feature flags include `sane-exit-codes` or the helper's
// `$RS_TASK_DIR/.sane-exit-codes` marker exists; legacy otherwise.
ExitCodeMode exit_code_mode(std::string_view task_feature_flags, bool marker_file_exists);

// Exact-value table of spec 2.5. A process killed by a signal is `failed`: pass kKilledBySignal.
inline constexpr int kKilledBySignal = -1;
ExitFlags classify_exit_code(int code, ExitCodeMode mode);

// A file action (Path != "") either was written (success) or was not (job failed).
ExitFlags file_action_flags(bool written);

struct JobResult {
    model::JobState state = model::JobState::Finished;
    model::ExitState exit_state = model::ExitState::Complete;
    bool make_not_runnable = false;  // spec 2.5 step 7
    bool reboot = false;
    bool poweroff = false;
    bool stop = false;
    bool operator==(const JobResult&) const = default;
};

class JobResultFolder {
  public:
    // Records the outcome of the next action; `final_action` is true for the task's last action
    // (after OS filtering). Returns true when the agent should go on to the next action.
    bool record(const ExitFlags& flags, bool final_action);
    // The job's result once record() returned false or the last action was recorded.
    JobResult result() const;

  private:
    ExitFlags flags_;
    bool any_recorded_ = false;
};

// Folds a whole list of action outcomes (stopping where the agent would stop).
JobResult fold_actions(const std::vector<ExitFlags>& actions);

// spec 2.5 step 8: the agent was killed during a command (context cancelled).
JobResult interrupted_result();

}  // namespace drover::rules
