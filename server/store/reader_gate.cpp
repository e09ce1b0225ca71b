#include "server/store/reader_gate.hpp"

namespace drover::store {

void ReaderGate::enter_shared() {
    std::unique_lock lock(mu_);
    readers_cv_.wait(
        lock, [&] { return !exclusive_ && exclusive_waiting_ == 0 && active_ < max_readers_; });
    ++active_;
}

void ReaderGate::exit_shared() {
    std::lock_guard lock(mu_);
    --active_;
    if (exclusive_waiting_ > 0 && active_ == 0) {
        exclusive_cv_.notify_all();
    } else if (exclusive_waiting_ == 0) {
        readers_cv_.notify_one();  // a slot opened: wake a reader that hit the limit, if any
    }
}

void ReaderGate::enter_exclusive() {
    std::unique_lock lock(mu_);
    ++exclusive_waiting_;
    exclusive_cv_.wait(lock, [&] { return !exclusive_ && active_ == 0; });
    --exclusive_waiting_;
    exclusive_ = true;
}

void ReaderGate::exit_exclusive() {
    std::lock_guard lock(mu_);
    exclusive_ = false;
    if (exclusive_waiting_ > 0) {
        exclusive_cv_.notify_all();
    } else {
        readers_cv_.notify_all();
    }
}

}  // namespace drover::store
