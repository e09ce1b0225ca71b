#include "server/events/event_bus.hpp"

#include <nlohmann/json.hpp>

namespace drover::events {

std::string sse_frame(std::uint64_t seq, const std::string& data) {
    std::string f;
    f.reserve(data.size() + 32);
    f += "id: ";
    f += std::to_string(seq);
    f += "\ndata: ";
    f += data;
    f += "\n\n";
    return f;
}

namespace {

// A job event's Machine (from the object, or the original for a delete): what decides whether a
// machine's own stream may see it.
std::string job_machine_of(const nlohmann::json& event) {
    if (event.value("Type", "") != "jobs") return "";
    for (const char* part : {"Object", "Original"}) {
        auto it = event.find(part);
        if (it != event.end() && it->is_object() && it->contains("Machine") &&
            (*it)["Machine"].is_string())
            return (*it)["Machine"].get<std::string>();
    }
    return "";
}

// How an event is routed: by its writer's route when it was live (no copy), else by its JSON,
// read back from the log and parsed into `read_back`. Null for data that is not an Event object.
const store::EventRoute* route_of(const store::EventRecord& record,
                                  std::optional<store::EventRoute>& read_back) {
    if (!record.route.type.empty()) return &record.route;
    auto doc = nlohmann::json::parse(record.data, nullptr, false);
    if (!doc.is_object()) return nullptr;
    read_back = store::EventRoute{doc.value("Type", ""), doc.value("Action", ""),
                                  doc.value("Key", ""), job_machine_of(doc)};
    return &*read_back;
}

// Whether the events after `since` are all still in the retained window [first, last]; a point
// past `last` is another store's (or a restored one's).
bool resumable(std::uint64_t since, std::uint64_t first, std::uint64_t last) {
    return since <= last && !(since < last && first > since + 1);
}

constexpr int kShutdownRetryMs = 2000;

// The final frame for a stream that is cut off: where to resume, as an SSE event of its own type.
std::string resume_frame(std::uint64_t last_seq, const char* why) {
    nlohmann::json body{{"Type", "events"},
                        {"Action", "resume"},
                        {"Key", why},
                        {"Object", {{"LastEventID", last_seq}}}};
    return "event: resume\ndata: " + body.dump() + "\n\n";
}

// The last frame of every stream when droverd stops: a resume frame (clients that follow the
// stream already reconnect after one, with Last-Event-ID) whose `retry:` asks EventSource clients
// to give the restart a moment. No `id:` line, so no client's Last-Event-ID moves past an event
// it has not had.
std::string shutdown_frame(std::uint64_t last_seq) {
    return "retry: " + std::to_string(kShutdownRetryMs) + "\n" +
           resume_frame(last_seq, "server shutdown");
}

}  // namespace

EventBus::EventBus(const store::Store& store, EventBusOptions options)
    : store_(store), options_(options) {
    store_.read([&](const store::ReadView& view) { last_published_ = view.last_event_seq(); });
    heartbeat_ = std::thread([this] { heartbeat_loop(); });
}

EventBus::~EventBus() {
    {
        std::lock_guard lock(pending_mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    heartbeat_.join();
}

void EventBus::publish(const std::vector<store::EventRecord>& events) {
    published_count_.fetch_add(events.size(), std::memory_order_relaxed);
    std::vector<std::string> frames;
    std::vector<std::optional<store::EventRoute>> read_back(events.size());
    std::vector<Parsed> parsed;
    frames.reserve(events.size());
    parsed.reserve(events.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto* route = route_of(events[i], read_back[i]);
        if (!route) continue;
        frames.push_back(sse_frame(events[i].seq, events[i].data));
        parsed.push_back({events[i].seq, route, nullptr});
    }
    for (std::size_t i = 0; i < parsed.size(); ++i)
        parsed[i].frame = &frames[i];

    std::lock_guard lock(mutex_);
    std::vector<std::uint64_t> dropped;
    for (const auto& ev : parsed) {
        last_published_ = std::max(last_published_, ev.seq);
        if (auto it = by_key_.find({ev.route->type, ev.route->key}); it != by_key_.end())
            for (auto id : it->second)
                deliver(subscribers_.at(id), id, ev, dropped);
        for (auto id : wildcard_)
            deliver(subscribers_.at(id), id, ev, dropped);
    }
    for (auto id : dropped)
        remove_locked(id);
}

void EventBus::deliver(Subscriber& sub, std::uint64_t id, const Parsed& ev,
                       std::vector<std::uint64_t>& dropped) {
    const store::EventRoute& r = *ev.route;
    if (ev.seq <= sub.last_seq || !sub.filters.matches(r.type, r.action, r.key)) return;
    if (sub.visible && !sub.visible(r.type, r.key, r.job_machine)) return;
    if (sub.stream->write(*ev.frame)) {
        sub.last_seq = ev.seq;
        return;
    }
    // Closed, or a consumer that fell behind its buffer: cut it off and say where to resume.
    sub.stream->finish_with(resume_frame(sub.last_seq, "slow consumer"));
    dropped.push_back(id);
}

Subscription EventBus::subscribe(std::shared_ptr<http::Stream> stream, api::FilterSet filters,
                                 std::optional<std::uint64_t> since, EventVisibility visible) {
    std::vector<Attaching> one;
    one.push_back(
        Attaching::of(nullptr, std::move(stream), std::move(filters), since, std::move(visible)));
    replay(one);
    std::lock_guard lock(mutex_);  // what was committed meanwhile, then live
    replay(one);
    Subscription out;
    out.outcome = one[0].outcome;
    out.first_retained = one[0].first_retained;
    if (!one[0].cut) out.id = register_locked(one[0]);
    return out;
}

bool EventBus::can_resume(std::uint64_t since) const {
    bool ok = true;
    store_.read([&](const store::ReadView& view) {
        ok = resumable(since, view.first_event_seq(), view.last_event_seq());
    });
    return ok;
}

// One read of the store for the whole batch, each event routed once: a restarted droverd sees
// its whole fleet reconnect at once, each stream resuming from about the same point.
void EventBus::replay(std::vector<Attaching>& batch) const {
    store_.read([&](const store::ReadView& view) {
        const std::uint64_t first = view.first_event_seq(), last = view.last_event_seq();
        std::optional<std::uint64_t> from;
        for (auto& a : batch) {
            if (!a.replays || a.cut) continue;
            const std::uint64_t since = a.sub.last_seq;
            if (!resumable(since, first, last)) {
                a.outcome = SubscribeOutcome::Gone;
                a.first_retained = first;
                a.cut = true;
                continue;
            }
            from = std::min(from.value_or(since), since);
        }
        if (!from) return;
        view.scan_events(*from, [&](const store::EventRecord& r) {
            std::optional<store::EventRoute> read_back;
            const auto* route = route_of(r, read_back);
            std::optional<std::string> frame;
            for (auto& a : batch) {
                if (!a.replays || a.cut || r.seq <= a.sub.last_seq) continue;
                if (route && a.sub.filters.matches(route->type, route->action, route->key) &&
                    (!a.sub.visible ||
                     a.sub.visible(route->type, route->key, route->job_machine))) {
                    if (!frame) frame = sse_frame(r.seq, r.data);
                    if (!a.sub.stream->write(*frame)) {
                        a.sub.stream->finish_with(resume_frame(a.sub.last_seq, "slow consumer"));
                        a.cut = true;
                        continue;
                    }
                }
                a.sub.last_seq = r.seq;
            }
            return true;
        });
        for (auto& a : batch)
            if (a.replays && !a.cut) a.sub.last_seq = std::max(a.sub.last_seq, last);
    });
}

EventBus::Attaching EventBus::Attaching::of(std::shared_ptr<Handle> handle,
                                            std::shared_ptr<http::Stream> stream,
                                            api::FilterSet filters,
                                            std::optional<std::uint64_t> since,
                                            EventVisibility visible) {
    Attaching a;
    a.handle = std::move(handle);
    a.sub = Subscriber{std::move(stream), std::move(filters), since.value_or(0), std::nullopt,
                       std::move(visible)};
    a.replays = since.has_value();
    return a;
}

std::uint64_t EventBus::register_locked(Attaching& a) {
    if (!a.replays) a.sub.last_seq = last_published_;
    const std::uint64_t id = next_id_++;
    a.sub.keys = a.sub.filters.index_keys();
    if (a.sub.keys)
        for (const auto& k : *a.sub.keys)
            by_key_[k].insert(id);
    else
        wildcard_.insert(id);
    subscribers_.emplace(id, std::move(a.sub));
    return id;
}

std::shared_ptr<EventBus::Handle> EventBus::attach(std::shared_ptr<http::Stream> stream,
                                                   api::FilterSet filters,
                                                   std::optional<std::uint64_t> since,
                                                   EventVisibility visible) {
    auto handle = std::make_shared<Handle>(*this);
    {
        std::lock_guard lock(pending_mutex_);
        pending_.push_back(
            {handle, std::move(stream), std::move(filters), since, std::move(visible)});
    }
    wake_.notify_all();
    return handle;
}

bool EventBus::Handle::is_closed() {
    std::lock_guard lock(mutex_);
    return closed_;
}

// The replay runs without the bus mutex, which publish() (the committer) and attach's
// neighbours on the HTTP loop take; only the events committed meanwhile are replayed under it,
// so none is missed or sent twice on the way to live delivery.
void EventBus::attach_all(std::vector<PendingAttach> pending) {
    std::vector<Attaching> batch;
    for (auto& p : pending) {
        if (p.handle->is_closed()) continue;
        batch.push_back(Attaching::of(std::move(p.handle), std::move(p.stream),
                                      std::move(p.filters), p.since, std::move(p.visible)));
    }
    if (batch.empty()) return;
    {
        std::lock_guard lock(mutex_);
        if (finish_if_closed_locked(batch)) return;
    }
    replay(batch);
    std::lock_guard lock(mutex_);
    if (finish_if_closed_locked(batch)) return;
    replay(batch);
    for (auto& a : batch) {
        if (a.outcome == SubscribeOutcome::Gone) a.sub.stream->finish_with(resume_frame(0, "gone"));
        if (a.cut) continue;
        std::lock_guard handle_lock(a.handle->mutex_);
        if (a.handle->closed_) continue;  // the client left while we replayed
        a.handle->id_ = register_locked(a);
    }
}

// The server is stopping: never subscribed, so each resumes where it got to (or asked to start).
bool EventBus::finish_if_closed_locked(std::vector<Attaching>& batch) {
    if (!closed_) return false;
    for (auto& a : batch)
        if (!a.cut)
            a.sub.stream->finish_with(shutdown_frame(a.replays ? a.sub.last_seq : last_published_));
    return true;
}

void EventBus::Handle::close() {
    std::uint64_t id = 0;
    {
        std::lock_guard lock(mutex_);
        if (closed_) return;
        closed_ = true;
        id = id_;
    }
    if (id != 0) bus_.unsubscribe(id);
}

void EventBus::unsubscribe(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    remove_locked(id);
}

void EventBus::remove_locked(std::uint64_t id) {
    auto it = subscribers_.find(id);
    if (it == subscribers_.end()) return;
    if (it->second.keys) {
        for (const auto& k : *it->second.keys) {
            auto bucket = by_key_.find(k);
            if (bucket == by_key_.end()) continue;
            bucket->second.erase(id);
            if (bucket->second.empty()) by_key_.erase(bucket);
        }
    } else {
        wildcard_.erase(id);
    }
    subscribers_.erase(it);
}

std::size_t EventBus::open_streams() const {
    std::lock_guard lock(mutex_);
    return subscribers_.size();
}

std::uint64_t EventBus::events_published() const {
    return published_count_.load(std::memory_order_relaxed);
}

void EventBus::close_all() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    for (auto& [id, sub] : subscribers_)
        sub.stream->finish_with(shutdown_frame(sub.last_seq));
    subscribers_.clear();
    by_key_.clear();
    wildcard_.clear();
}

// The bus's own thread: subscriptions waiting to be attached (their replay may be long, so not
// on the HTTP loop) and a heartbeat comment to every stream so idle clients and proxies keep it.
void EventBus::heartbeat_loop() {
    auto next_beat =
        std::chrono::steady_clock::now() + std::chrono::seconds(options_.heartbeat_seconds);
    for (;;) {
        std::vector<PendingAttach> pending;
        {
            std::unique_lock lock(pending_mutex_);
            wake_.wait_until(lock, next_beat, [this] { return stopping_ || !pending_.empty(); });
            if (stopping_) return;
            pending.swap(pending_);
        }
        if (!pending.empty()) attach_all(std::move(pending));
        if (std::chrono::steady_clock::now() < next_beat) continue;
        next_beat =
            std::chrono::steady_clock::now() + std::chrono::seconds(options_.heartbeat_seconds);
        write_heartbeats();
    }
}

void EventBus::write_heartbeats() {
    std::lock_guard lock(mutex_);
    std::vector<std::uint64_t> dropped;
    for (auto& [id, sub] : subscribers_) {
        if (sub.stream->write(": heartbeat\n\n")) continue;
        sub.stream->finish_with(resume_frame(sub.last_seq, "slow consumer"));
        dropped.push_back(id);
    }
    for (auto id : dropped)
        remove_locked(id);
}

}  // namespace drover::events
