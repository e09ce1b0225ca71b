// Clients following a job's log live (GET /jobs/<uuid>/log?follow=true). Each follower has its own
// offset; new bytes are pushed after every acknowledged append, and the stream ends once the job
// is finished or failed (seen on the store's commit listener) or deleted. A follower that falls
// more than the stream buffer behind is disconnected; it resumes with a Range request.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/http/http_server.hpp"
#include "server/store/store.hpp"

namespace drover::jobs {

class JobLogStore;

class LogFollowers {
  public:
    // Whether the job is finished, failed or gone (read from the store by the caller's function).
    using JobOver = std::function<bool(const std::string& job)>;
    LogFollowers(const JobLogStore& logs, JobOver job_over);

    // Starts pushing `job`'s log from `offset` to `stream`; returns the follower's id.
    std::uint64_t follow(const std::string& job, std::uint64_t offset,
                         std::shared_ptr<http::Stream> stream);
    void unfollow(std::uint64_t id);
    // Bytes were appended to the job's log.
    void appended(const std::string& job);
    // The store's commit listener: ends the followers of jobs that reached a final state.
    void on_commit(const std::vector<store::EventRecord>& events);
    std::size_t count() const;

  private:
    struct Follower;
    std::vector<std::shared_ptr<Follower>> followers_of(const std::string& job) const;
    void pump(Follower& f, bool then_finish) const;

    const JobLogStore& logs_;
    JobOver job_over_;
    mutable std::mutex mutex_;
    std::uint64_t next_id_ = 1;
    std::unordered_map<std::uint64_t, std::shared_ptr<Follower>> followers_;
};

}  // namespace drover::jobs
