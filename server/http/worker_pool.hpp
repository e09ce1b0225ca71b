// A fixed set of threads running handler jobs from a bounded FIFO. try_submit never blocks: a
// full queue is the caller's cue to answer 503 (cpp-httplib's unbounded queue let requests wait
// forever, ../shared/spec/measurements.md). Invariant: after stop() returns no job is running
// and none will start; jobs still queued are dropped unrun.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace drover::http {

class WorkerPool {
  public:
    using Job = std::function<void()>;

    WorkerPool(std::size_t threads, std::size_t max_queued);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // False when `max_queued` jobs are already waiting, or after stop().
    bool try_submit(Job job);
    // Drops waiting jobs, waits for running ones, joins the threads. Idempotent.
    void stop();

  private:
    void work();

    std::size_t max_queued_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> queue_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace drover::http
