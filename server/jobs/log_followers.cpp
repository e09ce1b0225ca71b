#include "server/jobs/log_followers.hpp"

#include "common/model/codec.hpp"
#include "server/jobs/job_log_store.hpp"

namespace drover::jobs {

namespace {

constexpr std::uint64_t kReadChunk = 256u << 10;

// A committed Event that ends a job's log: the job reached finished/failed or was deleted.
std::optional<std::string> ended_job(const store::EventRecord& record) {
    if (record.data.find("\"jobs\"") == std::string::npos) return std::nullopt;
    auto e = model::Json::parse(record.data, nullptr, false);
    if (!e.is_object() || e.value("Type", "") != "jobs") return std::nullopt;
    std::string key = e.value("Key", "");
    if (e.value("Action", "") == "delete") return key;
    auto obj = e.find("Object");
    if (obj == e.end() || !obj->is_object()) return std::nullopt;
    std::string state = obj->value("State", "");
    if (state == "finished" || state == "failed") return key;
    return std::nullopt;
}

}  // namespace

struct LogFollowers::Follower {
    std::uint64_t id = 0;
    std::string job;
    std::shared_ptr<http::Stream> stream;
    std::mutex mutex;  // one pump at a time keeps the bytes in order
    std::uint64_t offset = 0;
    bool done = false;
};

LogFollowers::LogFollowers(const JobLogStore& logs, JobOver job_over)
    : logs_(logs), job_over_(std::move(job_over)) {}

std::uint64_t LogFollowers::follow(const std::string& job, std::uint64_t offset,
                                   std::shared_ptr<http::Stream> stream) {
    auto f = std::make_shared<Follower>();
    f->job = job;
    f->stream = std::move(stream);
    f->offset = offset;
    {
        std::lock_guard lock(mutex_);
        f->id = next_id_++;
        followers_[f->id] = f;
    }
    // Registered first, checked second: a job that ends meanwhile is caught by one or the other.
    pump(*f, job_over_(job));
    return f->id;
}

void LogFollowers::unfollow(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    followers_.erase(id);
}

std::size_t LogFollowers::count() const {
    std::lock_guard lock(mutex_);
    return followers_.size();
}

std::vector<std::shared_ptr<LogFollowers::Follower>> LogFollowers::followers_of(
    const std::string& job) const {
    std::vector<std::shared_ptr<Follower>> out;
    std::lock_guard lock(mutex_);
    for (const auto& [id, f] : followers_)
        if (f->job == job) out.push_back(f);
    return out;
}

void LogFollowers::appended(const std::string& job) {
    for (const auto& f : followers_of(job))
        pump(*f, false);
}

void LogFollowers::on_commit(const std::vector<store::EventRecord>& events) {
    if (count() == 0) return;
    for (const auto& record : events)
        if (auto job = ended_job(record))
            for (const auto& f : followers_of(*job))
                pump(*f, true);
}

void LogFollowers::pump(Follower& f, bool then_finish) const {
    std::lock_guard lock(f.mutex);
    if (f.done) return;
    for (;;) {
        auto chunk = logs_.read(f.job, f.offset, kReadChunk);
        if (!chunk || chunk->bytes.empty()) break;
        f.offset = chunk->next_offset;
        if (!f.stream->write(std::move(chunk->bytes))) {  // fell behind, or the client left
            then_finish = true;
            break;
        }
    }
    if (then_finish) {
        f.done = true;
        f.stream->finish();
    }
}

}  // namespace drover::jobs
