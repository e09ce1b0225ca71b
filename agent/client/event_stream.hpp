// The agent's wake-up source (spec 5.3.1 over SSE): a background reader of
// `GET /api/v3/events?filter=...` that counts the events it sees and reconnects with
// `Last-Event-ID` after a drop, so no event between two waits is missed. Event payloads are only
// wake-ups: the agent always re-reads the machine (a 410 after a long outage is just a wake-up).
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "agent/client/api_client.hpp"

namespace drover::client {

class EventStream {
  public:
    // Starts reading at once; `filters` like "machines.*.<uuid>".
    EventStream(ClientOptions options, std::vector<std::string> filters);
    ~EventStream();
    EventStream(const EventStream&) = delete;
    EventStream& operator=(const EventStream&) = delete;

    // Events seen so far; a wait compares against the count it started from.
    std::uint64_t seen() const;
    // Blocks until more than `since` events were seen, the stream (re)connected after a drop
    // (true: things may have changed), `timeout` passed or the stream was stopped (false).
    bool wait_beyond(std::uint64_t since, std::chrono::milliseconds timeout);
    // Whether the stream is connected now (tests and logs).
    bool connected() const;
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace drover::client
