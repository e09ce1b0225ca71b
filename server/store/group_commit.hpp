// Group commit: write() callers enqueue their function and block; one committer thread takes up
// to max_batch queued writers at a time and hands them to the batch function, which commits them
// together (one transaction, one fsync). Invariants: every submitted writer is released exactly
// once, with the status its batch gave it, and is woken only when its own batch is done; on
// stop the queue is drained before the thread exits.
#pragma once
#include "server/store/store.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <span>
#include <thread>

namespace drover::store {

using WriteFn = std::function<bool(WriteTxn&)>;

// One blocked write() call. Once queued it is owned by the committer; the caller waits on the
// future of `released`, so it never touches shared state (or a lock) again to learn its result.
struct PendingWrite {
    const WriteFn* fn = nullptr;
    Status status;
    std::promise<Status> released;
};

class GroupCommitter {
  public:
    // run_batch sets each writer's status; it runs only on the committer thread.
    using BatchFn = std::function<void(std::span<PendingWrite* const> batch)>;

    GroupCommitter(std::size_t max_batch, BatchFn run_batch);
    ~GroupCommitter() { stop(); }
    GroupCommitter(const GroupCommitter&) = delete;
    GroupCommitter& operator=(const GroupCommitter&) = delete;

    // Blocks until the writer's batch is done; Io once the committer is stopping.
    Status submit(const WriteFn& fn);
    // Commits what is queued, then joins the thread. Idempotent.
    void stop();

  private:
    void loop();

    std::mutex mu_;
    std::condition_variable work_;
    std::deque<PendingWrite> queue_;
    bool stopping_ = false;
    std::size_t max_batch_;
    BatchFn run_batch_;
    std::thread thread_;  // last: starts once everything above is initialised
};

}  // namespace drover::store
