// spec 2.3 as a pure function: what POST /api/v3/jobs does for a machine, given its current job
// and the asking agent's context. The job engine applies the decision (assigning the new job's
// Uuid and times) in one store transaction; this function has no clock and no store.
#pragma once
#include <optional>
#include <string>

#include "common/model/job.hpp"
#include "common/model/machine.hpp"

namespace drover::rules {

enum class NextJobOutcome {
    NotRunnable,       // 409 "Machine <uuid> is not runnable"
    ContextMismatch,   // 204: the machine belongs to another context's agent
    AlreadyRunning,    // 409 "Machine <uuid> already has running or created job"
    ResumeIncomplete,  // 202: the current (incomplete) job, unchanged; its task runs again
    NoMoreTasks,       // 204: the task list is done
    MachineChanged,  // 204: a stage:/bootenv:/context: entry changed the machine (bookkeeping job)
    ChrootJob,       // 201: a finished chroot:<dir> job the agent acts on
    ActionJob,       // an action: entry; the server runs it (job starts running)
    NewJob,          // 201: a created job for the next task
};

// What the engine knows of the machine's current job (spec 2.2); nullopt when there is none.
struct CurrentJobFacts {
    std::string uuid;
    model::JobState state = model::JobState::Failed;
    int current_index = -1;
};

struct NextJobDecision {
    NextJobOutcome outcome = NextJobOutcome::NoMoreTasks;
    std::string message;            // the 409 message
    model::Machine machine;         // the machine after the decision
    bool machine_changed = false;   // save it (CurrentTask, Stage, BootEnv, Context, Runnable)
    bool fail_current_job = false;  // step 4: the list moved under an unfinished job
    std::optional<model::Job> job;  // to create (Uuid and StartTime left to the engine)
    std::string log_line;           // first log line for a bookkeeping or chroot job
};

NextJobDecision decide_next_job(const model::Machine& machine,
                                const std::optional<CurrentJobFacts>& current,
                                const std::string& agent_context);

}  // namespace drover::rules
