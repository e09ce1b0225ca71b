#include "common/rules/next_job.hpp"

#include "common/rules/task_entry.hpp"

namespace drover::rules {

using model::JobState;

namespace {

model::Job job_for(const model::Machine& m, const std::optional<CurrentJobFacts>& current,
                   int index, JobState state, model::ExitState exit) {
    model::Job j;
    j.previous = current && !current->uuid.empty() ? current->uuid : model::kZeroUuid;
    j.machine = m.uuid;
    j.task = m.tasks[static_cast<std::size_t>(index)];
    j.stage = m.stage;
    j.workflow = m.workflow;
    j.boot_env = m.boot_env;
    j.context = m.context;
    j.state = model::to_string(state);
    j.exit_state = exit == model::ExitState::None ? "" : model::to_string(exit);
    j.current_index = index;
    j.next_index = index + 1;
    j.current = true;
    return j;
}

NextJobDecision finish(NextJobDecision d, NextJobOutcome outcome) {
    d.outcome = outcome;
    d.machine.workflow_complete = model::workflow_complete(d.machine);
    return d;
}

// Step 4: from the current job's state to the index to work on, or an early answer.
std::optional<NextJobOutcome> advance_past_current(const CurrentJobFacts& cj, NextJobDecision& d,
                                                   int& next) {
    if (cj.current_index != d.machine.current_task) {  // the list or index was changed by a user
        d.fail_current_job = !model::is_final(cj.state);
        return std::nullopt;
    }
    switch (cj.state) {
        case JobState::Incomplete:
            return NextJobOutcome::ResumeIncomplete;
        case JobState::Finished:
            ++next;
            return std::nullopt;
        case JobState::Failed:
            return std::nullopt;  // retry the same task
        case JobState::Created:
        case JobState::Running:
            return NextJobOutcome::AlreadyRunning;
    }
    return std::nullopt;
}

// Step 6 for stage:/bootenv:/context: entries: true when the machine changed (a bookkeeping job
// ends the request), false when it already had that value (the entry is skipped silently).
bool apply_placement_entry(const TaskEntry& e, const std::string& raw, int index,
                           const std::optional<CurrentJobFacts>& current, NextJobDecision& d) {
    model::Machine& m = d.machine;
    std::string* field = e.kind == EntryKind::Stage     ? &m.stage
                         : e.kind == EntryKind::BootEnv ? &m.boot_env
                                                        : &m.context;
    if (*field == e.name) return false;
    const char* what = e.kind == EntryKind::Stage     ? "stage"
                       : e.kind == EntryKind::BootEnv ? "bootenv"
                                                      : "context";
    d.log_line = "Machine " + m.uuid + " changing from " + what + " " + *field + " to " + e.name;
    *field = e.name;
    if (e.kind == EntryKind::BootEnv) m.runnable = false;  // spec 2.3 step 7: reboot first
    m.current_task = index;
    d.job = job_for(m, current, index, JobState::Finished, model::ExitState::Complete);
    d.job->task = raw;
    d.machine_changed = true;
    return true;
}

}  // namespace

NextJobDecision decide_next_job(const model::Machine& machine,
                                const std::optional<CurrentJobFacts>& current,
                                const std::string& agent_context) {
    NextJobDecision d;
    d.machine = machine;
    if (!(machine.runnable && machine.available)) {  // step 1
        d.message = "Machine " + machine.uuid + " is not runnable";
        return finish(std::move(d), NextJobOutcome::NotRunnable);
    }
    if (machine.context != agent_context)
        return finish(std::move(d), NextJobOutcome::ContextMismatch);
    const int len = static_cast<int>(machine.tasks.size());
    if (machine.current_task >= len)
        return finish(std::move(d), NextJobOutcome::NoMoreTasks);  // step 3

    // Step 2: no current job counts as a failed one at the current index.
    CurrentJobFacts cj =
        current.value_or(CurrentJobFacts{"", JobState::Failed, machine.current_task});
    int next = machine.current_task;
    if (auto early = advance_past_current(cj, d, next)) {
        if (*early == NextJobOutcome::AlreadyRunning)
            d.message = "Machine " + machine.uuid + " already has running or created job";
        return finish(std::move(d), *early);
    }
    if (next == -1) next = 0;     // step 5
    for (; next < len; ++next) {  // step 6: roll forward over server entries
        const std::string& raw = machine.tasks[static_cast<std::size_t>(next)];
        TaskEntry e = parse_task_entry(raw);
        if (e.kind == EntryKind::Stage || e.kind == EntryKind::BootEnv ||
            e.kind == EntryKind::Context) {
            if (apply_placement_entry(e, raw, next, current, d))
                return finish(std::move(d), NextJobOutcome::MachineChanged);
            continue;
        }
        d.machine.current_task = next;
        d.machine_changed = true;
        if (e.kind == EntryKind::Chroot) {
            // Handed out finished, so the next POST advances (spec 2.3: the created form loops).
            d.job =
                job_for(d.machine, current, next, JobState::Finished, model::ExitState::Complete);
            d.log_line =
                "Machine " + machine.uuid + ": agent is being signalled to chroot to " + e.name;
            return finish(std::move(d), NextJobOutcome::ChrootJob);
        }
        if (e.kind == EntryKind::Action) {
            d.job = job_for(d.machine, current, next, JobState::Running, model::ExitState::None);
            return finish(std::move(d), NextJobOutcome::ActionJob);
        }
        d.job =
            job_for(d.machine, current, next, JobState::Created, model::ExitState::None);  // step 9
        return finish(std::move(d), NextJobOutcome::NewJob);
    }
    d.machine.current_task = len;  // steps 5 and 8
    d.machine_changed = true;
    return finish(std::move(d), NextJobOutcome::NoMoreTasks);
}

}  // namespace drover::rules
