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
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    stop_cv_.notify_all();
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
    std::lock_guard lock(mutex_);  // no publish interleaves with the replay below
    return subscribe_locked(std::move(stream), std::move(filters), since, std::move(visible));
}

bool EventBus::can_resume(std::uint64_t since) const {
    bool ok = true;
    store_.read([&](const store::ReadView& view) {
        std::uint64_t first = view.first_event_seq(), last = view.last_event_seq();
        ok = since <= last && !(since < last && first > since + 1);
    });
    return ok;
}

Subscription EventBus::subscribe_locked(std::shared_ptr<http::Stream> stream,
                                        api::FilterSet filters, std::optional<std::uint64_t> since,
                                        EventVisibility visible) {
    Subscription out;
    Subscriber sub{std::move(stream), std::move(filters), last_published_, std::nullopt,
                   std::move(visible)};
    if (since) {
        std::uint64_t first = 0, last = 0;
        std::vector<store::EventRecord> replay;
        store_.read([&](const store::ReadView& view) {
            first = view.first_event_seq();
            last = view.last_event_seq();
            if (*since > last || (*since < last && first > *since + 1))
                return;  // pruned, or not ours
            view.scan_events(*since, [&](const store::EventRecord& r) {
                replay.push_back(r);
                return true;
            });
        });
        if (*since > last || (*since < last && first > *since + 1)) {
            out.outcome = SubscribeOutcome::Gone;
            out.first_retained = first;
            return out;
        }
        sub.last_seq = *since;
        for (const auto& r : replay) {
            std::optional<store::EventRoute> read_back;
            const auto* route = route_of(r, read_back);
            if (!route) continue;
            if (sub.filters.matches(route->type, route->action, route->key) &&
                (!sub.visible || sub.visible(route->type, route->key, route->job_machine)))
                sub.stream->write(sse_frame(r.seq, r.data));
            sub.last_seq = r.seq;
        }
        sub.last_seq = std::max(sub.last_seq, std::min(last_published_, last));
    }
    out.id = next_id_++;
    sub.keys = sub.filters.index_keys();
    if (sub.keys)
        for (const auto& k : *sub.keys)
            by_key_[k].insert(out.id);
    else
        wildcard_.insert(out.id);
    subscribers_.emplace(out.id, std::move(sub));
    return out;
}

std::shared_ptr<EventBus::Handle> EventBus::attach(std::shared_ptr<http::Stream> stream,
                                                   api::FilterSet filters,
                                                   std::optional<std::uint64_t> since,
                                                   EventVisibility visible) {
    auto handle = std::make_shared<Handle>(*this);
    {
        std::lock_guard lock(mutex_);
        pending_.push_back(
            {handle, std::move(stream), std::move(filters), since, std::move(visible)});
    }
    stop_cv_.notify_all();
    return handle;
}

// Called with the bus mutex held; takes the handle's mutex inside it (never the other way round).
void EventBus::run_attach(PendingAttach p) {
    {
        std::lock_guard handle_lock(p.handle->mutex_);
        if (p.handle->closed_) return;
    }
    if (closed_) {  // the server is stopping: never subscribed, so it resumes where it asked
        p.stream->finish_with(shutdown_frame(p.since.value_or(last_published_)));
        return;
    }
    Subscription sub =
        subscribe_locked(p.stream, std::move(p.filters), p.since, std::move(p.visible));
    if (sub.outcome == SubscribeOutcome::Gone) {
        p.stream->finish_with(resume_frame(0, "gone"));
        return;
    }
    std::lock_guard handle_lock(p.handle->mutex_);
    if (p.handle->closed_)
        remove_locked(sub.id);  // the client left while we replayed
    else
        p.handle->id_ = sub.id;
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
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        stop_cv_.wait_until(lock, next_beat, [this] { return stopping_ || !pending_.empty(); });
        if (stopping_) break;
        while (!pending_.empty()) {
            PendingAttach p = std::move(pending_.front());
            pending_.erase(pending_.begin());
            run_attach(std::move(p));
        }
        if (std::chrono::steady_clock::now() < next_beat) continue;
        next_beat =
            std::chrono::steady_clock::now() + std::chrono::seconds(options_.heartbeat_seconds);
        std::vector<std::uint64_t> dropped;
        for (auto& [id, sub] : subscribers_) {
            if (sub.stream->write(": heartbeat\n\n")) continue;
            sub.stream->finish_with(resume_frame(sub.last_seq, "slow consumer"));
            dropped.push_back(id);
        }
        for (auto id : dropped)
            remove_locked(id);
    }
}

}  // namespace drover::events
