#include "common/rules/machine_update.hpp"

#include <algorithm>

#include "common/model/checks.hpp"
#include "common/rules/task_entry.hpp"
#include "common/rules/task_list.hpp"

namespace drover::rules {

using model::Errors;
using model::Machine;

namespace {

std::string base_context(const Machine& m) {
    auto it = m.meta.find("BaseContext");
    return it == m.meta.end() ? std::string() : it->second;
}

PrerequisiteLookup prerequisites_from(const Catalog& catalog) {
    return [&catalog](const std::string& name) -> std::optional<TaskList> {
        const model::Task* t = catalog.task(name);
        return t ? std::optional<TaskList>(t->prerequisites) : std::nullopt;
    };
}

void set_boot_env(Machine& m, const std::string& env) {
    if (env.empty() || env == m.boot_env) return;
    m.boot_env = env;
    m.runnable = false;  // spec 1.1: a BootEnv change makes the machine reboot first
}

std::string stage_boot_env(const Catalog& catalog, const std::string& stage) {
    const model::Stage* s = catalog.stage(stage);
    return s ? s->boot_env : std::string();
}

}  // namespace

Errors apply_stage(Machine& m, const std::string& stage_name, const Catalog& catalog) {
    std::string name = stage_name.empty() ? "none" : stage_name;
    const model::Stage* stage = catalog.stage(name);
    if (!stage) return {"Stage " + name + " does not exist"};
    m.stage = name;
    set_boot_env(m, stage->boot_env);
    Expansion e = expand_prerequisites(stage->tasks, -1, m.boot_env, prerequisites_from(catalog));
    m.tasks = std::move(e.tasks);
    m.current_task = m.tasks.empty() ? 0 : -1;
    m.context = base_context(m);
    return e.errors;
}

Errors apply_workflow(Machine& m, const std::string& workflow_name, const Catalog& catalog) {
    m.workflow = workflow_name;
    m.context = base_context(m);
    if (workflow_name.empty()) {  // clear
        m.stage = "none";
        m.tasks.clear();
        m.current_task = -1;
        m.params.erase("change-stage/map");
        return {};
    }
    const model::Workflow* wf = catalog.workflow(workflow_name);
    if (!wf) return {"Workflow " + workflow_name + " does not exist"};
    Expansion stages =
        expand_workflow(wf->stages, [&](const std::string& n) -> std::optional<StageFacts> {
            const model::Stage* s = catalog.stage(n);
            return s ? std::optional<StageFacts>(StageFacts{s->boot_env, s->tasks}) : std::nullopt;
        });
    if (!wf->stages.empty()) {
        m.stage = wf->stages.front();
        set_boot_env(m, stage_boot_env(catalog, m.stage));
    }
    Expansion full =
        expand_prerequisites(stages.tasks, -1, m.boot_env, prerequisites_from(catalog));
    m.tasks = std::move(full.tasks);
    m.current_task = -1;
    Errors errs = std::move(stages.errors);
    model::append(errs, full.errors);
    return errs;
}

Errors profile_reference_errors(const std::vector<std::string>& profiles, const Catalog& catalog) {
    Errors errs;
    for (std::size_t i = 0; i < profiles.size(); ++i)
        if (!catalog.profile(profiles[i]))
            errs.push_back("Profile " + profiles[i] + " (at " + std::to_string(i) +
                           ") does not exist");
    return errs;
}

Errors task_list_reference_errors(const std::vector<std::string>& tasks, const Catalog& catalog) {
    Errors errs;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        TaskEntry e = parse_task_entry(tasks[i]);
        const std::string at = " (at " + std::to_string(i) + ") does not exist";
        if (e.kind == EntryKind::Task && !catalog.task(e.name))
            errs.push_back("Task " + e.name + at);
        if (e.kind == EntryKind::Stage && !catalog.stage(e.name))
            errs.push_back("Stage " + e.name + at);
        if (e.kind == EntryKind::BootEnv && !catalog.boot_env(e.name))
            errs.push_back("BootEnv " + e.name + at);
    }
    return errs;
}

Errors machine_reference_errors(const Machine& m, const Catalog& catalog) {
    Errors errs;
    const model::Stage* stage = catalog.stage(m.stage);
    if (!stage)
        errs.push_back("Stage " + m.stage + " does not exist");
    else if (!stage->available)
        errs.push_back("Stage " + m.stage + " is not available");
    const model::BootEnv* env = catalog.boot_env(m.boot_env);
    if (!env)
        errs.push_back("Bootenv " + m.boot_env + " does not exist");
    else if (!env->available)
        errs.push_back("BootEnv " + m.boot_env + " is not available");
    else if (env->only_unknown)
        errs.push_back("BootEnv " + m.boot_env +
                       " does not allow Machine assignments, it has the OnlyUnknown flag.");
    if (!m.workflow.empty()) {
        const model::Workflow* wf = catalog.workflow(m.workflow);
        if (!wf)
            errs.push_back("Workflow " + m.workflow + " does not exist");
        else if (!wf->available)
            errs.push_back("Workflow " + m.workflow + " is not available");
    }
    Errors own = profile_reference_errors(m.profiles, catalog);  // prefixed, as DRP does
    model::append(own, task_list_reference_errors(m.tasks, catalog));
    model::append(errs, model::prefix_errors(m.uuid, std::move(own)));
    return errs;
}

MachineChange prepare_machine_create(Machine proposed, const Catalog& catalog,
                                     const MachineChangeOptions& options) {
    MachineChange out;
    model::fill_create_defaults(proposed, options.default_boot_env);
    if (!proposed.workflow.empty()) {
        out.errors = apply_workflow(proposed, proposed.workflow, catalog);
    } else if (proposed.stage != "none") {
        out.errors = apply_stage(proposed, proposed.stage, catalog);
    } else if (!proposed.tasks.empty()) {
        proposed.current_task = -1;
    }
    proposed.runnable = true;  // spec 2.4: set true at create, even when a stage set a bootenv
    proposed.workflow_complete = model::workflow_complete(proposed);
    model::append(out.errors, model::validate(proposed));
    if (out.errors.empty()) {
        out.errors = machine_reference_errors(proposed, catalog);
        out.references_only = !out.errors.empty();
    }
    out.machine = std::move(proposed);
    return out;
}

}  // namespace drover::rules

namespace drover::rules {

namespace {

// spec 3.3 rows 1-3: a new task list must keep the past (up to CurrentTask) and the future (from
// the next `stage:` on) exactly as they were.
std::optional<std::string> task_list_edit_error(const Machine& old, const TaskList& next) {
    TaskListSplit s = split_tasks(old.tasks, old.current_task);
    if (next.size() < s.past.size())
        return "Cannot remove tasks that have already executed or are already executing";
    if (!std::equal(s.past.begin(), s.past.end(), next.begin()))
        return "Cannot change tasks that have already executed or are executing";
    bool keeps_future = next.size() >= s.past.size() + s.future.size() &&
                        std::equal(s.future.rbegin(), s.future.rend(), next.rbegin());
    if (!keeps_future) return "Cannot change tasks that are past the next stage transition";
    return std::nullopt;
}

std::string format_index_error(const char* fmt_prefix, int from, int to, const char* suffix) {
    return std::string(fmt_prefix) + std::to_string(from) + " to " + std::to_string(to) + suffix;
}

// spec 3.3 rows 5-8: CurrentTask may go to -1, or back within the current bootenv segment.
std::optional<std::string> current_task_edit_error(const Machine& old, int next,
                                                   const Catalog& catalog, bool can_reposition) {
    if (next == -1) return std::nullopt;
    if (next > old.current_task)
        return format_index_error("Cannot advance CurrentTask from ", old.current_task, next,
                                  " without running jobs");
    int bound = std::max(
        0, snap_back_index(old.tasks, old.current_task, old.boot_env,
                           [&](const std::string& s) { return stage_boot_env(catalog, s); }));
    if (next < bound)
        return format_index_error("Cannot change CurrentTask from ", old.current_task, next,
                                  (" past " + std::to_string(bound)).c_str());
    if (!can_reposition)
        return format_index_error("Cannot change CurrentTask from ", old.current_task, next,
                                  " (reposition not allowed)");
    return std::nullopt;
}

// The stage/workflow/bootenv part of an update. Returns errors; sets `rewrote` when the task list
// was replaced (so task-list edits in the same request are moot).
Errors apply_placement_change(const Machine& old, Machine& next, const Catalog& catalog,
                              const MachineChangeOptions& options, bool& rewrote) {
    rewrote = false;
    if (next.workflow != old.workflow) {
        rewrote = true;
        return apply_workflow(next, next.workflow, catalog);
    }
    if (!old.workflow.empty()) {
        if (next.stage != old.stage) return {"Changing machine stage not allowed"};
        if (next.boot_env != old.boot_env) return {"Changing machine bootenv not allowed"};
        return {};
    }
    if (next.stage != old.stage) {
        bool pending = !old.tasks.empty() && old.current_task != static_cast<int>(old.tasks.size());
        if (pending && !options.force)
            return {"Can not change stages with pending tasks unless forced"};
        rewrote = true;
        std::string target = next.stage;
        next.boot_env = old.boot_env;  // the stage decides the bootenv (and Runnable) from here
        next.runnable = old.runnable;
        return apply_stage(next, target, catalog);
    }
    if (next.boot_env != old.boot_env) {
        if (old.stage != "none" && !options.force)
            return {"Can not change bootenv while in a stage unless forced. old: " + old.boot_env +
                    " new: " + next.boot_env};
        next.runnable = false;
    }
    return {};
}

Errors apply_task_edits(const Machine& old, Machine& next, const Catalog& catalog,
                        const MachineChangeOptions& options) {
    bool tasks_changed = next.tasks != old.tasks;
    bool index_changed = next.current_task != old.current_task;
    if (tasks_changed && index_changed)
        return {"Cannot change task list and current task at the same time"};
    if (tasks_changed) {
        if (auto e = task_list_edit_error(old, next.tasks)) return {*e};
        if (next.tasks.empty())
            next.current_task = 0;
        else if (old.tasks.empty())
            next.current_task = -1;
        Expansion e = expand_prerequisites(next.tasks, next.current_task, next.boot_env,
                                           prerequisites_from(catalog));
        next.tasks = std::move(e.tasks);
        return e.errors;
    }
    if (index_changed) {
        if (auto e =
                current_task_edit_error(old, next.current_task, catalog, options.can_reposition))
            return {*e};
        if (next.current_task == -1 && next.runnable) {  // spec 3.3 snap-back
            next.current_task =
                snap_back_index(old.tasks, old.current_task, next.boot_env,
                                [&](const std::string& s) { return stage_boot_env(catalog, s); });
            next.context = base_context(next);
        }
    }
    return {};
}

}  // namespace

MachineChange prepare_machine_update(const Machine& old, Machine proposed, const Catalog& catalog,
                                     const MachineChangeOptions& options) {
    MachineChange out;
    if (old.locked && proposed.locked) {
        out.errors = {"Machine " + old.name + " is locked; unlock it first"};
        out.machine = old;
        return out;
    }
    bool rewrote = false;
    out.errors = apply_placement_change(old, proposed, catalog, options, rewrote);
    if (out.errors.empty() && !rewrote)
        out.errors = apply_task_edits(old, proposed, catalog, options);
    const int n = static_cast<int>(proposed.tasks.size());
    if (proposed.current_task > n) proposed.current_task = n;
    proposed.workflow_complete = model::workflow_complete(proposed);
    if (out.errors.empty()) out.errors = model::validate(proposed);
    if (out.errors.empty()) {
        out.errors = machine_reference_errors(proposed, catalog);
        out.references_only = !out.errors.empty();
    }
    out.machine = std::move(proposed);
    return out;
}

}  // namespace drover::rules
