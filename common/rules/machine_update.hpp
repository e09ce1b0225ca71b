// spec 3.3-3.5 and 1.1: what the server does to a machine a user creates or changes. Setting a
// Workflow or a Stage rewrites the task list; edits to the task list and CurrentTask must leave
// the past alone; references must resolve. Errors are the exact 422 messages of spec 3.3/5.8.
#pragma once
#include "common/model/machine.hpp"
#include "common/rules/catalog.hpp"

namespace drover::rules {

struct MachineChangeOptions {
    bool force = false;          // ?force=true
    bool can_reposition = true;  // the caller holds the updateTaskList claim (spec 3.3)
    std::string default_boot_env = "local";
};

struct MachineChange {
    model::Machine machine;
    model::Errors errors;  // non-empty: reject with 422 ValidationError
    // The only errors are unresolved references: with ?force=true the machine may be stored,
    // not Available and not Runnable (spec 1.0).
    bool references_only = false;
    bool ok() const { return errors.empty(); }
};

// spec 1.1 create: defaults, then Workflow or Stage expansion, syntax and reference checks.
MachineChange prepare_machine_create(model::Machine proposed, const Catalog& catalog,
                                     const MachineChangeOptions& options);

// spec 3.3-3.5 update of `old` into `proposed` (the user's full new object, e.g. after a patch).
MachineChange prepare_machine_update(const model::Machine& old, model::Machine proposed,
                                     const Catalog& catalog, const MachineChangeOptions& options);

// spec 1.1/5.8 reference checks: stage, bootenv (exists, available, not OnlyUnknown), workflow,
// profiles and task-list entries must resolve.
model::Errors machine_reference_errors(const model::Machine& m, const Catalog& catalog);

// The shared reference checks (machines, stages, profiles): "Profile foo (at 0) does not exist",
// "Task foo (at 2) does not exist" (also Stage/BootEnv entries). Unprefixed.
model::Errors profile_reference_errors(const std::vector<std::string>& profiles,
                                       const Catalog& catalog);
model::Errors task_list_reference_errors(const std::vector<std::string>& tasks,
                                         const Catalog& catalog);

// spec 3.4: Stage := name (""→"none"), Tasks := the stage's prerequisite-expanded tasks,
// CurrentTask := -1, BootEnv := the stage's when set (Runnable := false when it changes),
// Context := Meta.BaseContext or "". Errors when the stage does not exist.
model::Errors apply_stage(model::Machine& m, const std::string& stage, const Catalog& catalog);

// spec 3.5: set (W != "") or clear (W == "") the machine's workflow.
model::Errors apply_workflow(model::Machine& m, const std::string& workflow,
                             const Catalog& catalog);

}  // namespace drover::rules
