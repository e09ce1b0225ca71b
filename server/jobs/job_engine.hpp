// The job engine (spec 2): POST /jobs decides a machine's next job (rules::decide_next_job) and
// saves the job, the machine and the superseded job in one transaction; job edits keep the
// machine's Runnable flag and the timeout index in step; deletes and purges never take a
// machine's current job. Job logs are written after the commit that made their job, so a log
// never exists for a job that does not.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "server/objects/object_service.hpp"

namespace drover::jobs {

class JobLogStore;

struct JobEngineOptions {
    std::uint64_t idempotency_ttl_seconds = 3600;
    // A running job is failed by the server this long after its task's Meta.timeout ran out
    // (the agent enforces the timeout itself; this catches dead agents).
    std::uint64_t timeout_grace_seconds = 60;
    std::function<std::chrono::system_clock::time_point()> clock;  // empty: the system clock
};

// A POST /jobs answer: 201 or 202 with a job, 204 without one.
struct NextJobReply {
    int status = 204;
    std::optional<model::Json> job;
};

// DELETE /jobs (spec 6.4, DRP's selective-job-purge): which jobs to drop.
struct PurgePolicy {
    std::optional<std::string> machine;  // one machine's jobs; "missing": jobs of deleted machines
    std::optional<std::size_t> keep;     // newest jobs kept per machine
    std::optional<std::chrono::nanoseconds> failed_after;    // failed jobs older than this go
    std::optional<std::chrono::nanoseconds> complete_after;  // finished jobs older than this go
    bool dry_run = false;
};

// Since start: jobs the engine created, and jobs that became finished or failed (through an
// agent's update, a newer job superseding an unfinished one, an action entry, or the timeout
// sweeper). Counted after their transaction commits.
struct JobCounts {
    std::uint64_t created = 0;
    std::uint64_t finished = 0;
    std::uint64_t failed = 0;
};

class JobEngine {
  public:
    JobEngine(objects::ObjectService& objects, JobLogStore& logs, JobEngineOptions options);

    // Buckets the engine keeps beside the object collections.
    static std::vector<std::string> buckets();

    // spec 2.3. `idempotency_key` may be empty.
    api::Expected<NextJobReply, model::Error> next_job(const model::Json& body,
                                                       const std::string& idempotency_key,
                                                       const objects::WriteContext& ctx);
    // PATCH (is_patch) or PUT of a job (spec 2.1), with its effects on the machine.
    objects::ObjectResult update_job(const std::string& id, const model::Json& body, bool is_patch,
                                     const objects::WriteContext& ctx);
    objects::ObjectResult remove_job(const std::string& id, const objects::WriteContext& ctx);
    // Machine delete: its current job stops being Current (spec 2.2); its jobs stay (spec 1.4).
    objects::ObjectResult remove_machine(const std::string& id, const objects::WriteContext& ctx);
    // The jobs deleted (or, dry run, that would be), newest first per machine.
    api::Expected<model::Json, model::Error> purge(const PurgePolicy& policy,
                                                   const objects::WriteContext& ctx);
    // Fails every running job past its timeout and grace period; returns how many it failed.
    std::size_t fail_overdue_jobs();
    JobCounts counts() const;

  private:
    struct JobRequest {
        std::string machine;
        std::string context;
        std::string uuid;  // the Uuid the client chose for a new job, or ""
    };
    // The job a POST created and the engine's note for its log, written after the commit.
    struct NewJobLog {
        std::string job;
        std::string line;
    };
    std::chrono::system_clock::time_point now() const;
    // Keeps the machine and the timeout index in step with a job that changed from `old`, and
    // tallies its state change.
    objects::ObjectResult after_job_change(objects::ObjectTxn& t, const model::Json& old,
                                           const model::Json& now_json, JobCounts& tally);
    api::Expected<NextJobReply, model::Error> decide_and_save(objects::ObjectTxn& t,
                                                              const JobRequest& request,
                                                              const objects::WriteContext& ctx,
                                                              NewJobLog& log, JobCounts& tally);
    // Adds a committed transaction's tally.
    void count(const JobCounts& tally);

    objects::ObjectService& objects_;
    JobLogStore& logs_;
    JobEngineOptions options_;
    std::atomic<std::uint64_t> created_{0};
    std::atomic<std::uint64_t> finished_{0};
    std::atomic<std::uint64_t> failed_{0};
};

}  // namespace drover::jobs
