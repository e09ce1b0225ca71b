// Loop mailbox and batched eventfd wake-ups (see mailbox.hpp).
#include "server/http/mailbox.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

namespace drover::http {

Mailbox::Mailbox() : event_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

void Mailbox::post_completion(Completion completion) {
    {
        std::lock_guard lock(mutex_);
        completions_.push_back(std::move(completion));
    }
    wake();
}

void Mailbox::post_stream(std::uint64_t connection_id) {
    {
        std::lock_guard lock(mutex_);
        streams_.push_back(connection_id);
    }
    wake();
}

void Mailbox::wake() {
    static_assert(std::atomic<bool>::is_always_lock_free);
    if (woken_.exchange(true)) return;
    std::uint64_t one = 1;
    // A full counter (EAGAIN) still leaves the fd readable, which is all the loop needs.
    [[maybe_unused]] ssize_t n = ::write(event_fd_.get(), &one, sizeof one);
}

void Mailbox::acknowledge() {
    std::uint64_t count = 0;
    [[maybe_unused]] ssize_t n = ::read(event_fd_.get(), &count, sizeof count);
    woken_.store(false);
}

std::vector<Completion> Mailbox::take_completions() {
    std::lock_guard lock(mutex_);
    return std::exchange(completions_, {});
}

std::vector<std::uint64_t> Mailbox::take_streams() {
    std::lock_guard lock(mutex_);
    return std::exchange(streams_, {});
}

}  // namespace drover::http
