// The index of running jobs whose task has a timeout (Meta.timeout, beyond DRP): one entry per
// such job, written in the transaction that moved it to running and erased in the one that moved
// it on, so the sweeper reads a handful of entries instead of every job.
#pragma once
#include <chrono>
#include <string>
#include <vector>

#include "common/model/job.hpp"
#include "server/store/store.hpp"

namespace drover::jobs {

inline constexpr const char* kDeadlineBucket = "jobs.deadlines";

struct JobDeadline {
    std::string job;
    std::int64_t deadline = 0;  // milliseconds since the epoch: StartTime + timeout
    std::string timeout;        // the task's Meta.timeout as written
};

// Records the deadline of `job` (now running) if its task sets a valid, positive timeout.
void arm_deadline(store::WriteTxn& txn, const model::Job& job,
                  std::chrono::system_clock::time_point now);
void erase_deadline(store::WriteTxn& txn, const std::string& job);
// Entries whose deadline plus `grace_seconds` is before `now`.
std::vector<JobDeadline> overdue_jobs(const store::ReadView& view,
                                      std::chrono::system_clock::time_point now,
                                      std::int64_t grace_seconds);

}  // namespace drover::jobs
