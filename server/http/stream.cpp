// Buffered, thread-safe event stream (see stream.hpp).
#include "server/http/stream.hpp"

namespace drover::http {

StreamImpl::StreamImpl(std::uint64_t connection_id, std::size_t limit,
                       std::shared_ptr<Mailbox> mailbox)
    : connection_id_(connection_id), limit_(limit), mailbox_(std::move(mailbox)) {}

bool StreamImpl::write(std::string bytes) {
    std::unique_lock lock(mutex_);
    if (!open_ || finishing_) return false;
    if (pending_.size() + unsent_ + bytes.size() > limit_) return false;
    if (pending_.empty())
        pending_ = std::move(bytes);
    else
        pending_ += bytes;
    notify_locked(lock);
    return true;
}

void StreamImpl::finish() { finish_with({}); }

void StreamImpl::finish_with(std::string last_bytes) {
    std::unique_lock lock(mutex_);
    if (!open_ || finishing_) return;
    pending_ += last_bytes;  // beyond the limit on purpose: one small, final message
    finishing_ = true;
    notify_locked(lock);
}

bool StreamImpl::is_open() const {
    std::lock_guard lock(mutex_);
    return open_ && !finishing_;
}

void StreamImpl::notify_locked(std::unique_lock<std::mutex>& lock) {
    if (posted_) return;
    posted_ = true;
    lock.unlock();  // the mailbox has its own lock; never hold both
    mailbox_->post_stream(connection_id_);
}

bool StreamImpl::drain_into(std::string& out) {
    std::lock_guard lock(mutex_);
    posted_ = false;
    if (out.empty())
        out.swap(pending_);
    else
        out += pending_;
    pending_.clear();
    return finishing_;
}

void StreamImpl::set_unsent(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    unsent_ = bytes;
}

void StreamImpl::mark_closed() {
    std::lock_guard lock(mutex_);
    open_ = false;
    pending_.clear();
}

}  // namespace drover::http
