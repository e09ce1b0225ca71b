// The fleet simulator's event streams: one background thread with an epoll loop holds a plain-HTTP
// SSE stream to droverd's GET /api/v3/events per simulated machine, filtered and authorized as
// the real agent's (agent/client/event_wakeups). Invariant: a stream that is wanted is connected
// or on its way back, and it resumes with Last-Event-ID, so no event for its machine is missed.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace drover::fleet {

struct HubOptions {
    std::string host = "127.0.0.1";
    int port = 0;
};

class StreamHub {
  public:
    // on_frame(index, commit_time) runs on the hub thread for every SSE frame a stream receives
    // (events, heartbeats, resume frames); commit_time is the event's server commit time when the
    // frame is an event whose time has sub-millisecond or millisecond precision, else nullopt.
    using FrameHandler = std::function<void(
        std::size_t index, std::optional<std::chrono::system_clock::time_point> commit_time)>;

    // Raises the soft RLIMIT_NOFILE to the hard limit: every stream holds a descriptor.
    StreamHub(HubOptions options, FrameHandler on_frame);
    ~StreamHub();  // closes everything, joins the thread
    StreamHub(const StreamHub&) = delete;
    StreamHub& operator=(const StreamHub&) = delete;

    // Returns the stream's index (0, 1, 2, ... in call order); connects asynchronously.
    std::size_t add(const std::string& machine_uuid, const std::string& bearer_token);
    void disconnect(std::size_t index);  // churn: closes the stream until reconnect()
    void reconnect(std::size_t index);   // reopens it at once, resuming with Last-Event-ID
    std::size_t connected() const;       // streams whose 200 answer head has arrived

    // frames: SSE frames delivered to on_frame; connects: 200 answers; errors: failed attempts
    // (refused or failed connects, non-200 answers, streams cut without a resume frame).
    struct Counters {
        std::uint64_t frames = 0, connects = 0, errors = 0;
    };
    Counters counters() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace drover::fleet
