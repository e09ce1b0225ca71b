#include "agent/client/event_wakeups.hpp"

#include "agent/client/event_stream.hpp"

namespace drover::client {

EventWakeups::EventWakeups(ClientOptions options, std::vector<std::string> filters)
    : client_(std::move(options)), filters_(std::move(filters)), thread_([this] { run(); }) {}

EventWakeups::~EventWakeups() {
    stop();
}

void EventWakeups::stop() {
    if (stopping_.exchange(true)) return;
    client_.interrupt();  // ends the follow in flight, and its retries
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void EventWakeups::bump() {
    {
        std::lock_guard lock(mutex_);
        ++seen_;
    }
    changed_.notify_all();
}

void EventWakeups::run() {
    while (!stopping_) {
        // Every frame wakes the agent: an event, and also the stream's opening `retry:` frame and
        // its heartbeats, so a change made before the stream was (re)connected is seen within
        // one heartbeat; the issue allows no other idle polling.
        follow_events(client_, filters_, [this](const SseFrame&) {
            bump();
            return !stopping_.load();
        });
        if (stopping_) break;
        bump();  // the follow started over: what happened meanwhile may not have been seen
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_.load(); });
    }
}

std::uint64_t EventWakeups::seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
}

bool EventWakeups::wait_beyond(std::uint64_t since, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return seen_ > since || stopping_.load(); }) &&
           !stopping_.load();
}

}  // namespace drover::client
