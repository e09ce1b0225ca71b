#include "server/store/group_commit.hpp"

#include <algorithm>
#include <vector>

namespace drover::store {

GroupCommitter::GroupCommitter(std::size_t max_batch, BatchFn run_batch)
    : max_batch_(std::max<std::size_t>(max_batch, 1)),
      run_batch_(std::move(run_batch)),
      thread_([this] { loop(); }) {}

Status GroupCommitter::submit(const WriteFn& fn) {
    PendingWrite pending;
    pending.fn = &fn;
    std::unique_lock lock(mu_);
    if (stopping_) return {StoreCode::Io, "the store is closing"};
    queue_.push_back(&pending);
    // Only the committer waits on work_, and it only sleeps when the queue was empty.
    if (queue_.size() == 1) work_.notify_one();
    pending.released.wait(lock, [&] { return pending.done; });
    return std::move(pending.status);
}

void GroupCommitter::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    work_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void GroupCommitter::loop() {
    std::vector<PendingWrite*> batch;
    batch.reserve(max_batch_);
    for (;;) {
        {
            std::unique_lock lock(mu_);
            work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and everything queued was committed
            std::size_t n = std::min(queue_.size(), max_batch_);
            batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
            queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
        }
        run_batch_(batch);
        release(batch);
    }
}

void GroupCommitter::release(std::span<PendingWrite* const> batch) {
    // Notify under the lock: once `done` is visible the writer may return and destroy its
    // PendingWrite (and the condition variable in it) at any moment after we unlock.
    std::lock_guard lock(mu_);
    for (PendingWrite* pending : batch) {
        pending->done = true;
        pending->released.notify_one();
    }
}

}  // namespace drover::store
