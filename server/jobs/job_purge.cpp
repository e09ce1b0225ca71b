// DELETE /api/v3/jobs (spec 6.4, DRP's selective-job-purge): drops old jobs and their logs by
// count and age per machine. A machine's current job, and any job its machine still needs
// (created, running or incomplete), is never purged.
#include <algorithm>
#include <map>

#include "common/rules/durations.hpp"
#include "common/rules/job_update.hpp"
#include "server/jobs/job_deadlines.hpp"
#include "server/jobs/job_engine.hpp"
#include "server/jobs/job_log_store.hpp"

namespace drover::jobs {

using model::Json;

namespace {

constexpr std::size_t kDeletesPerCommit = 256;

struct Candidate {
    model::Job job;
    Json doc;
};

bool older_than(const model::Job& j, std::chrono::nanoseconds age,
                std::chrono::system_clock::time_point now) {
    auto when = rules::parse_rfc3339(j.end_time.empty() ? j.start_time : j.end_time);
    return when && now - *when > age;
}

bool purge_wanted(const model::Job& j, std::size_t position, const PurgePolicy& p,
                  std::chrono::system_clock::time_point now) {
    if (p.keep && position >= *p.keep) return true;
    if (p.failed_after && j.state == "failed" && older_than(j, *p.failed_after, now)) return true;
    return p.complete_after && j.state == "finished" && older_than(j, *p.complete_after, now);
}

}  // namespace

api::Expected<Json, model::Error> JobEngine::purge(const PurgePolicy& policy,
                                                   const objects::WriteContext& ctx) {
    if (!policy.keep && !policy.failed_after && !policy.complete_after)
        return api::unexpected(objects::bad_request(
            "jobs", "",
            {"DELETE /jobs needs jobsToKeep, failedJobsPurgedAfter or completeJobsPurgedAfter"}));
    std::map<std::string, std::vector<Candidate>> by_machine;
    // machine -> its CurrentJob; nullopt for a machine that no longer exists
    std::map<std::string, std::optional<std::string>> current_of;
    objects_.store().read([&](const store::ReadView& view) {
        view.scan("jobs", "", [&](std::string_view, std::string_view raw) {
            Candidate c{{}, Json::parse(raw)};
            model::decode(c.doc, c.job);
            if (!current_of.count(c.job.machine)) {
                auto m = view.get("machines", c.job.machine);
                current_of[c.job.machine] =
                    m ? std::optional(Json::parse(*m).value("CurrentJob", "")) : std::nullopt;
            }
            by_machine[c.job.machine].push_back(std::move(c));
            return true;
        });
    });
    const auto at = now();
    std::vector<Candidate> doomed;
    for (auto& [machine, jobs] : by_machine) {
        const auto& current = current_of[machine];
        if (policy.machine && *policy.machine != (current ? machine : "missing")) continue;
        std::sort(jobs.begin(), jobs.end(), [](const Candidate& a, const Candidate& b) {
            return a.job.start_time > b.job.start_time;
        });
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            const model::Job& j = jobs[i].job;
            bool needed =
                current && (j.uuid == *current || j.current || !rules::job_deletable(j, true));
            if (!needed && purge_wanted(j, i, policy, at)) doomed.push_back(std::move(jobs[i]));
        }
    }
    Json out = Json::array();
    if (policy.dry_run) {
        for (auto& c : doomed)
            out.push_back(std::move(c.doc));
        return out;
    }
    for (std::size_t start = 0; start < doomed.size(); start += kDeletesPerCommit) {
        std::size_t end = std::min(doomed.size(), start + kDeletesPerCommit);
        Json batch = Json::array();
        auto done = objects_.transact("jobs", [&](objects::ObjectTxn& t) -> objects::ObjectResult {
            batch = Json::array();
            for (std::size_t i = start; i < end; ++i) {
                // Re-checked in this transaction: the machine may have moved on since the scan.
                auto r = t.remove("jobs", doomed[i].job.uuid, ctx);
                if (!r) continue;
                erase_deadline(t.raw(), doomed[i].job.uuid);
                batch.push_back(std::move(r.value()));
            }
            return Json();
        });
        if (!done) return api::unexpected(done.error());
        for (auto& j : batch) {
            logs_.remove(j["Uuid"].get<std::string>());
            out.push_back(std::move(j));
        }
    }
    return out;
}

}  // namespace drover::jobs
