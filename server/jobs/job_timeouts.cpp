// Server-side task timeouts (beyond DRP): the agent kills an action that overruns its task's
// Meta.timeout; this is the backstop for an agent that died or lost the server. A job still
// running past its deadline plus the grace period is failed, with its machine made not Runnable
// so it waits for an operator instead of silently moving on.
#include "common/rules/durations.hpp"
#include "server/jobs/job_deadlines.hpp"
#include "server/jobs/job_engine.hpp"
#include "server/jobs/job_log_store.hpp"

namespace drover::jobs {

using model::Json;
using objects::ObjectResult;

std::size_t JobEngine::fail_overdue_jobs() {
    std::vector<JobDeadline> overdue;
    objects_.store().read([&](const store::ReadView& view) {
        overdue =
            overdue_jobs(view, now(), static_cast<std::int64_t>(options_.timeout_grace_seconds));
    });
    std::size_t failed = 0;
    for (const auto& d : overdue) {
        bool failed_it = false;
        JobCounts tally;
        auto done = objects_.transact("jobs", [&](objects::ObjectTxn& t) -> ObjectResult {
            failed_it = false;
            tally = {};
            erase_deadline(t.raw(), d.job);
            auto found = t.get("jobs", d.job);
            if (!found) return Json();
            if (found.value().value("State", "") != "running") return Json();
            Json patch =
                Json::array({{{"op", "test"}, {"path", "/State"}, {"value", "running"}},
                             {{"op", "replace"}, {"path", "/State"}, {"value", "failed"}},
                             {{"op", "replace"}, {"path", "/ExitState"}, {"value", "failed"}}});
            objects::WriteContext system;
            system.principal = "system:job-timeout";
            auto changed = t.patch("jobs", d.job, patch, system);
            if (!changed) return changed;
            failed_it = true;
            return after_job_change(t, found.value(), changed.value(), tally);
        });
        if (!done || !failed_it) continue;
        count(tally);
        ++failed;
        logs_.append(d.job, std::nullopt,
                     "\ndrover: job timed out: failed by the server, still running " +
                         std::to_string(options_.timeout_grace_seconds) +
                         "s after its task's timeout of " + d.timeout + " ran out\n");
    }
    return failed;
}

}  // namespace drover::jobs
