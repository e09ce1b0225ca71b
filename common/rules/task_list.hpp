// spec 3: operations on a machine's task list. The past (up to and including CurrentTask) and
// the future (from the next `stage:` entry on) are immutable; edits touch only the present.
// Lookups of other objects are passed in as functions, so these rules never touch a store.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace drover::rules {

using TaskList = std::vector<std::string>;

struct TaskListSplit {
    TaskList past, present, future;
};

// spec 3.2 (Machine.SplitTasks).
TaskListSplit split_tasks(const TaskList& tasks, int current_task);

// spec 3.2 AddTasks: insert into the present at `offset` (negative counts from the end, -1 =
// append; beyond either end appends). No change if that exact sequence is already there.
TaskList add_tasks(const TaskList& tasks, int current_task, int offset, const TaskList& added);

// spec 3.2 DelTasks: remove, in order, at most one occurrence per argument from the present.
TaskList del_tasks(const TaskList& tasks, int current_task, const TaskList& removed);

struct StageFacts {
    std::string boot_env;
    TaskList tasks;
};
using StageLookup = std::function<std::optional<StageFacts>(const std::string& stage)>;
// A task's Prerequisites, or nullopt when the task does not exist.
using PrerequisiteLookup = std::function<std::optional<TaskList>(const std::string& task)>;

struct Expansion {
    TaskList tasks;
    std::vector<std::string> errors;
};

// spec 3.5: `stage:S`, `bootenv:<S.BootEnv>` when set and different from the last one emitted,
// then S.Tasks, for each stage of the workflow. Prerequisites are expanded separately.
Expansion expand_workflow(const std::vector<std::string>& stages, const StageLookup& stage_lookup);

// spec 3.6: before each plain task after `current_task`, insert its transitive prerequisites
// (depth first) not yet seen in the current bootenv segment. `boot_env` is the machine's
// bootenv where the list starts. Missing tasks and cycles are reported as errors.
Expansion expand_prerequisites(const TaskList& tasks, int current_task, const std::string& boot_env,
                               const PrerequisiteLookup& prerequisites);

// spec 3.3 (findLastBootenvChange): the index CurrentTask = -1 snaps back to on a Runnable
// machine: the first `stage:` of the current bootenv segment at or before `old_index`, or -1.
// `stage_boot_env` gives a stage's BootEnv ("" when none or unknown).
int snap_back_index(const TaskList& tasks, int old_index, const std::string& machine_boot_env,
                    const std::function<std::string(const std::string& stage)>& stage_boot_env);

}  // namespace drover::rules
