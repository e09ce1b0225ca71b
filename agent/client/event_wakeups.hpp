// The agent's wake-up source (spec 5.3.1 over SSE): a background follower of the machine's events
// (client::follow_events, which resumes with Last-Event-ID) that only counts frames. Payloads are
// just wake-ups: the agent always re-reads the machine. Heartbeats and a follow that had to start
// over (a 410 after a long outage) count too, so nothing missed stays unseen past one heartbeat.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/client/api_client.hpp"

namespace drover::client {

class EventWakeups {
  public:
    // Starts following at once; `filters` like "machines.*.<uuid>".
    EventWakeups(ClientOptions options, std::vector<std::string> filters);
    ~EventWakeups();
    EventWakeups(const EventWakeups&) = delete;
    EventWakeups& operator=(const EventWakeups&) = delete;

    // Wake-ups so far; a wait compares against the count it started from.
    std::uint64_t seen() const;
    // Blocks until more than `since` wake-ups were seen (true), `timeout` passed or stop() was
    // called (false).
    bool wait_beyond(std::uint64_t since, std::chrono::milliseconds timeout);
    void stop();

  private:
    void run();
    void bump();

    ApiClient client_;
    std::vector<std::string> filters_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::uint64_t seen_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace drover::client
