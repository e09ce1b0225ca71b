// How other threads reach the loop: finished responses from workers and "this stream has bytes"
// notes from Stream::write, plus one eventfd to wake epoll_wait. Wake-ups are batched: only the
// first post after the loop last drained writes the eventfd, so 10,000 stream writes in a burst
// cost one syscall, not 10,000. Shared (shared_ptr) because Streams may outlive the server.
#pragma once
#include <atomic>
#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

#include "server/http/http_server.hpp"
#include "common/posix/unique_fd.hpp"

namespace drover::http {

using posix::UniqueFd;

struct Completion {
    std::uint64_t connection_id = 0;
    Response response;
};

class Mailbox {
  public:
    Mailbox();
    bool valid() const { return event_fd_.valid(); }
    int fd() const { return event_fd_.get(); }

    void post_completion(Completion completion);
    void post_stream(std::uint64_t connection_id);
    // Wakes the loop unless a wake-up is already pending. Async-signal-safe (a lock-free atomic
    // and write(2)), which is what lets Server::stop run in a signal-handling context.
    void wake();

    // Loop side, in this order: acknowledge the wake-up, then take what was posted. Anything
    // posted after acknowledge() wakes the loop again.
    void acknowledge();
    std::vector<Completion> take_completions();
    std::vector<std::uint64_t> take_streams();

  private:
    UniqueFd event_fd_;
    std::atomic<bool> woken_{false};
    std::mutex mutex_;
    std::vector<Completion> completions_;
    std::vector<std::uint64_t> streams_;
};

}  // namespace drover::http
