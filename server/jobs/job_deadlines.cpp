#include "server/jobs/job_deadlines.hpp"

#include "common/rules/durations.hpp"
#include "server/objects/store_catalog.hpp"

namespace drover::jobs {

namespace {

std::int64_t epoch_ms(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

void arm_deadline(store::WriteTxn& txn, const model::Job& job,
                  std::chrono::system_clock::time_point now) {
    objects::StoreCatalog catalog(txn);
    const model::Task* task = catalog.task(job.task);
    if (!task) return;
    auto it = task->meta.find("timeout");
    if (it == task->meta.end()) return;
    auto timeout = rules::parse_timeout(it->second);
    if (!timeout || timeout->count() <= 0) return;
    auto deadline = now + std::chrono::duration_cast<std::chrono::system_clock::duration>(*timeout);
    model::Json entry{{"Deadline", epoch_ms(deadline)}, {"Timeout", it->second}};
    txn.put(kDeadlineBucket, job.uuid, entry.dump());
}

void erase_deadline(store::WriteTxn& txn, const std::string& job) {
    txn.erase(kDeadlineBucket, job);
}

std::vector<JobDeadline> overdue_jobs(const store::ReadView& view,
                                      std::chrono::system_clock::time_point now,
                                      std::int64_t grace_seconds) {
    std::vector<JobDeadline> out;
    const std::int64_t now_ms = epoch_ms(now);
    view.scan(kDeadlineBucket, "", [&](std::string_view key, std::string_view value) {
        auto entry = model::Json::parse(value, nullptr, false);
        if (!entry.is_object()) return true;
        JobDeadline d{std::string(key), entry.value("Deadline", std::int64_t{0}),
                      entry.value("Timeout", "")};
        if (d.deadline + grace_seconds * 1000 < now_ms) out.push_back(std::move(d));
        return true;
    });
    return out;
}

}  // namespace drover::jobs
