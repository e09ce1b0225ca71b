#include "common/rules/job_update.hpp"

#include <tuple>

namespace drover::rules {

using model::JobState;

bool job_transition_allowed(JobState from, JobState to) {
    if (from == to || to == JobState::Failed) return true;  // anyone may fail a job
    switch (from) {
        case JobState::Created:
        case JobState::Incomplete:
            return to == JobState::Running;
        case JobState::Running:
            return to == JobState::Finished || to == JobState::Incomplete;
        case JobState::Finished:
        case JobState::Failed:
            return false;
    }
    return false;
}

namespace {

// The fields the server sets at creation; a client that changes one is editing history.
auto identity(const model::Job& j) {
    return std::tie(j.machine, j.previous, j.task, j.stage, j.workflow, j.boot_env, j.context,
                    j.current_index, j.next_index);
}

}  // namespace

JobChange prepare_job_update(const model::Job& old, model::Job proposed, const std::string& now) {
    JobChange out;
    if (identity(old) != identity(proposed))
        out.errors.push_back(old.uuid +
                             ": Machine, Previous, Task, Stage, Workflow, BootEnv, Context, "
                             "CurrentIndex and NextIndex are set by the server and cannot change");
    // Clock and bookkeeping fields are the server's: a client echoing a stale copy is not an error.
    proposed.start_time = old.start_time;
    proposed.end_time = old.end_time;
    proposed.current = old.current;
    proposed.token = old.token;
    proposed.extra_claims = old.extra_claims;
    auto from = model::parse_job_state(old.state);
    auto to = model::parse_job_state(proposed.state);
    if (from && to && !job_transition_allowed(*from, *to))
        out.errors.push_back(old.uuid + ": cannot change State from " + old.state + " to " +
                             proposed.state);
    if (from && to && *from != *to) {
        if (*to == JobState::Running) proposed.start_time = now;
        if (model::is_final(*to) && proposed.end_time.empty()) proposed.end_time = now;
        out.became_failed = *to == JobState::Failed;
        out.started_running = *to == JobState::Running;
        out.left_running = *from == JobState::Running;
    }
    if (to == JobState::Failed && proposed.exit_state.empty()) proposed.exit_state = "failed";
    out.job = std::move(proposed);
    return out;
}

bool job_deletable(const model::Job& job, bool machine_exists) {
    auto state = model::parse_job_state(job.state);
    return (state && model::is_final(*state)) || !machine_exists || !job.current;
}

}  // namespace drover::rules
