// The event bus: the store's commit listener hands it each durable batch of Events, and it
// writes them as Server-Sent Events to the streams whose filters match. Streams with concrete
// (type, key) filters are filed under those keys, so an event wakes only the streams it concerns;
// wildcard filters are checked against every event. Invariant: a stream gets every matching
// event with seq > its resume point exactly once and in order, replay and live delivery included.
// A replay (store reads, a parse per event) never runs under the lock publish() and the HTTP loop
// take: a fleet reconnecting after a restart would stall every commit and every connection.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/api/event_filter.hpp"
#include "server/http/http_server.hpp"
#include "server/store/store.hpp"

namespace drover::events {

struct EventBusOptions {
    int heartbeat_seconds = 10;
};

enum class SubscribeOutcome { Subscribed, Gone };

// Whether a stream's principal may see an event (spec 6.6: events are filtered by the
// connection's claims); `job_machine` is a job event's Object.Machine. Empty: everything.
using EventVisibility = std::function<bool(const std::string& type, const std::string& key,
                                           const std::string& job_machine)>;

struct Subscription {
    SubscribeOutcome outcome = SubscribeOutcome::Subscribed;
    std::uint64_t id = 0;
    std::uint64_t first_retained = 0;  // for the 410 message
};

class EventBus {
  public:
    EventBus(const store::Store& store, EventBusOptions options);
    ~EventBus();
    EventBus(const EventBus&) = delete;
    EventBus& operator=(const EventBus&) = delete;

    // The store's commit listener: events in sequence order, already durable.
    void publish(const std::vector<store::EventRecord>& events);

    // Registers a stream. With `since`, first replays retained events with seq > since (Gone
    // when some of them are no longer retained: the client must re-read state). Without it the
    // stream starts at the next event.
    Subscription subscribe(std::shared_ptr<http::Stream> stream, api::FilterSet filters,
                           std::optional<std::uint64_t> since, EventVisibility visible = {});
    void unsubscribe(std::uint64_t id);
    std::size_t open_streams() const;
    // Events handed to publish() since start (the metrics' drover_events_published_total).
    std::uint64_t events_published() const;

    // Whether resuming after `since` is still possible (its successors are retained); the answer
    // for a 410 before the stream starts.
    bool can_resume(std::uint64_t since) const;

    // Non-blocking subscribe for the HTTP loop: the replay and registration happen on the bus's
    // own thread. The returned handle's close() (call it from on_stream_closed) unsubscribes,
    // whether or not the subscription has happened yet.
    class Handle;
    std::shared_ptr<Handle> attach(std::shared_ptr<http::Stream> stream, api::FilterSet filters,
                                   std::optional<std::uint64_t> since,
                                   EventVisibility visible = {});

    // Server shutdown: ends every stream with a final frame saying where to resume (and a
    // `retry:` hint); streams attached afterwards get only that frame.
    void close_all();

  private:
    struct Subscriber {
        std::shared_ptr<http::Stream> stream;
        api::FilterSet filters;
        std::uint64_t last_seq = 0;
        std::optional<std::vector<api::EventKey>> keys;  // nullopt: a wildcard subscriber
        EventVisibility visible;
    };
    struct Parsed {
        std::uint64_t seq;
        const store::EventRoute* route;  // the record's, or one read back from its JSON
        const std::string* frame;
    };

    struct PendingAttach {
        std::shared_ptr<Handle> handle;
        std::shared_ptr<http::Stream> stream;
        api::FilterSet filters;
        std::optional<std::uint64_t> since;
        EventVisibility visible;
    };
    // A stream on its way in: its cursor (sub.last_seq) moves through the replay before it is
    // registered for live events.
    struct Attaching {
        std::shared_ptr<Handle> handle;  // null for subscribe()
        Subscriber sub;
        bool replays = false;  // it resumes after sub.last_seq (Last-Event-ID)
        bool cut = false;      // finished (gone, or fell behind): never registered
        SubscribeOutcome outcome = SubscribeOutcome::Subscribed;
        std::uint64_t first_retained = 0;
        static Attaching of(std::shared_ptr<Handle> handle, std::shared_ptr<http::Stream> stream,
                            api::FilterSet filters, std::optional<std::uint64_t> since,
                            EventVisibility visible);
    };
    // Writes each stream of `batch` the retained events after its cursor that it may see.
    void replay(std::vector<Attaching>& batch) const;
    std::uint64_t register_locked(Attaching& a);
    void attach_all(std::vector<PendingAttach> pending);
    bool finish_if_closed_locked(std::vector<Attaching>& batch);
    void deliver(Subscriber& sub, std::uint64_t id, const Parsed& ev,
                 std::vector<std::uint64_t>& dropped);
    void heartbeat_loop();
    void write_heartbeats();
    void remove_locked(std::uint64_t id);

    const store::Store& store_;
    EventBusOptions options_;
    std::atomic<std::uint64_t> published_count_{0};
    // Held briefly (publish, registration, heartbeats), never for a long replay: the committer
    // and the HTTP loop (unsubscribe) take it.
    mutable std::mutex mutex_;
    std::uint64_t next_id_ = 1;
    std::uint64_t last_published_ = 0;
    std::map<std::uint64_t, Subscriber> subscribers_;
    std::unordered_map<api::EventKey, std::set<std::uint64_t>, api::EventKeyHash> by_key_;
    std::set<std::uint64_t> wildcard_;
    bool closed_ = false;       // close_all() ran
    std::mutex pending_mutex_;  // attach() takes only this one
    std::vector<PendingAttach> pending_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread heartbeat_;
};

class EventBus::Handle {
  public:
    explicit Handle(EventBus& bus) : bus_(bus) {}
    void close();
    bool is_closed();

  private:
    friend class EventBus;
    EventBus& bus_;
    std::mutex mutex_;
    std::uint64_t id_ = 0;
    bool closed_ = false;
};

// "id: <seq>\ndata: <event json>\n\n"
std::string sse_frame(std::uint64_t seq, const std::string& data);

}  // namespace drover::events
