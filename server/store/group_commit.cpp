#include "server/store/group_commit.hpp"

#include <algorithm>
#include <vector>

namespace drover::store {
namespace {

// Set on the committer thread: a write() from there (a write function or the commit listener
// calling write()) would wait for itself forever.
thread_local const GroupCommitter* t_committing = nullptr;

}  // namespace

GroupCommitter::GroupCommitter(std::size_t max_batch, BatchFn run_batch)
    : max_batch_(std::max<std::size_t>(max_batch, 1)),
      run_batch_(std::move(run_batch)),
      thread_([this] { loop(); }) {}

Status GroupCommitter::submit(const WriteFn& fn) {
    if (t_committing == this) {
        return {StoreCode::Io, "write() called from a write function or the commit listener"};
    }
    std::future<Status> result;
    bool was_empty = false;
    {
        std::lock_guard lock(mu_);
        if (stopping_) return {StoreCode::Io, "the store is closing"};
        PendingWrite& pending = queue_.emplace_back();
        pending.fn = &fn;
        result = pending.released.get_future();
        was_empty = queue_.size() == 1;
    }
    // Only the committer waits on work_, and it sleeps only when it found the queue empty.
    if (was_empty) work_.notify_one();
    return result.get();
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
    t_committing = this;
    std::vector<PendingWrite> batch;
    std::vector<PendingWrite*> pointers;
    for (;;) {
        {
            std::unique_lock lock(mu_);
            work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and everything queued was committed
            std::size_t n = std::min(queue_.size(), max_batch_);
            auto end = queue_.begin() + static_cast<std::ptrdiff_t>(n);
            batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(end));
            queue_.erase(queue_.begin(), end);
        }
        pointers.clear();
        for (PendingWrite& pending : batch)
            pointers.push_back(&pending);
        run_batch_(pointers);
        // The promises live here, not on the writers' stacks: a writer may return the moment
        // its future is ready, while set_value is still finishing.
        for (PendingWrite& pending : batch)
            pending.released.set_value(std::move(pending.status));
        batch.clear();
    }
}

}  // namespace drover::store
