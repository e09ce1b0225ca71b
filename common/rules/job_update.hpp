// spec 2.1: what may change when a Job is saved. The server owns a job's identity (machine,
// task, indexes, placement) and its clock fields; states move only along the transitions of the
// spec's table, and a job that fails takes its machine out of the Runnable set.
#pragma once
#include <string>

#include "common/model/job.hpp"

namespace drover::rules {

struct JobChange {
    model::Job job;              // what to store
    model::Errors errors;        // non-empty: reject with 422
    bool became_failed = false;  // the machine must become not Runnable (spec 2.1, v48-doc)
    bool started_running = false;
    bool left_running = false;
};

// `now` is the RFC 3339 time stamped on StartTime (-> running) and EndTime (first final state).
JobChange prepare_job_update(const model::Job& old, model::Job proposed, const std::string& now);

// Whether State `from` may become `to` (spec 2.1; the same state is always allowed).
bool job_transition_allowed(model::JobState from, model::JobState to);

// spec 1.4: a job may be deleted when it is finished or failed, when its machine is gone, or when
// a newer job has superseded it (it is no longer its machine's Current job).
bool job_deletable(const model::Job& job, bool machine_exists);

}  // namespace drover::rules
