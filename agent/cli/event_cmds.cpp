// Commands on the event stream (spec 6.6, SSE): `events watch [filter...] [--count N]` prints
// each event as one JSON line until interrupted, and every type's `wait <id> <field> <value>
// [timeout]` (spec 6.8) re-reads the object on each of its events until the field has the value,
// printing complete, timeout or interrupt.
#include <CLI/CLI.hpp>
#include <iostream>

#include "agent/cli/commands.hpp"
#include "agent/cli/object_ops.hpp"
#include "agent/cli/stop_watch.hpp"
#include "agent/client/event_stream.hpp"
#include "common/rules/durations.hpp"

namespace drover::cli {

namespace {

using SessionPtr = std::shared_ptr<Session>;
using Reason = StopWatch::Reason;

constexpr std::chrono::hours kDefaultWaitTimeout{24};

struct WatchArgs {
    std::vector<std::string> filters;
    std::size_t count = 0;
};

void watch_events(Session& s, const WatchArgs& a) {
    auto stream = s.stream_client();
    StopWatch watch(std::nullopt, [&] { stream.interrupt(); });
    std::size_t seen = 0;
    auto error = client::follow_events(stream, a.filters, [&](const client::SseFrame& f) {
        if (watch.stopped()) return false;
        if (f.data.empty()) return true;
        std::cout << f.data << std::endl;
        return a.count == 0 || ++seen < a.count;
    });
    if (error && !watch.stopped()) fail(*error);
}

void add_watch(CLI::App& app, const SessionPtr& s) {
    auto* events = app.add_subcommand("events", "The event stream");
    events->require_subcommand(1);
    auto a = std::make_shared<WatchArgs>();
    auto* c = events->add_subcommand("watch", "Print events as JSON lines until interrupted");
    c->add_option("filters", a->filters, "type.action.key filters, each part * or values");
    c->add_option("--count", a->count, "Stop after this many events");
    c->callback([s, a] { watch_events(*s, *a); });
}

// The field's value: a top-level field, else a dotted path into objects ("Meta.color").
const nlohmann::json* field_of(const nlohmann::json& object, const std::string& field) {
    if (auto it = object.find(field); it != object.end()) return &*it;
    const nlohmann::json* at = &object;
    for (std::size_t start = 0;;) {
        auto dot = field.find('.', start);
        if (!at->is_object()) return nullptr;
        auto it = at->find(field.substr(start, dot - start));
        if (it == at->end()) return nullptr;
        at = &*it;
        if (dot == std::string::npos) return at;
        start = dot + 1;
    }
}

// Strings compare as text, anything else as compact JSON (true, 3, ["a"]).
bool has_value(const nlohmann::json& object, const std::string& field, const std::string& want) {
    const nlohmann::json* v = field_of(object, field);
    if (!v) return false;
    return v->is_string() ? v->get<std::string>() == want : v->dump() == want;
}

// The key as the last part of an event filter: ',' and '*' escaped as spec 6.6 says.
std::string filter_key(const std::string& key) {
    std::string out;
    for (char c : key)
        out += c == ',' ? "\\2" : c == '*' ? "\\3" : std::string(1, c);
    return out;
}

struct WaitArgs {
    std::string id, field, value, timeout;
};

std::chrono::nanoseconds wait_timeout(const std::string& text) {
    if (text.empty()) return kDefaultWaitTimeout;
    auto t = rules::parse_timeout(text);
    if (!t) throw Failure("timeout must be seconds or a duration such as 5m: " + text);
    return *t;
}

// Waits on the object's events; true once the field has the value.
bool wait_for(Session& s, const ObjectType& t, const std::string& key, const WaitArgs& a,
              StopWatch& watch, client::ApiClient& stream) {
    std::optional<client::ApiError> lost;
    bool done = false;
    auto error = client::follow_events(stream, {t.prefix + ".*." + filter_key(key)},
                                       [&](const client::SseFrame&) {
                                           if (watch.stopped()) return false;
                                           auto now = s.api().call("GET", object_path(t, key));
                                           if (!now) lost = now.error();
                                           done = now && has_value(*now, a.field, a.value);
                                           return !done && !lost;
                                       });
    if (lost) fail(*lost);
    if (error && !watch.stopped()) fail(*error);
    return done;
}

void wait_command(Session& s, const ObjectType& t, const WaitArgs& a) {
    auto deadline = StopWatch::Clock::now() +
                    std::chrono::duration_cast<StopWatch::Clock::duration>(wait_timeout(a.timeout));
    auto object = fetch(s, t, a.id);
    bool done = has_value(object, a.field, a.value);
    Reason why = Reason::None;
    if (!done) {
        auto stream = s.stream_client();
        StopWatch watch(deadline, [&] { stream.interrupt(); });
        done = wait_for(s, t, key_of(t, object), a, watch, stream);
        why = watch.reason();
    }
    std::cout << (done ? "complete" : why == Reason::Timeout ? "timeout" : "interrupt") << '\n';
    if (!done) throw CLI::RuntimeError(1);
}

void add_wait(CLI::App& cmd, const SessionPtr& s, const ObjectType& t) {
    auto a = std::make_shared<WaitArgs>();
    auto* c = cmd.add_subcommand("wait", "Wait until a " + t.singular +
                                             "'s field has a value; prints complete, timeout "
                                             "or interrupt");
    c->add_option("id", a->id, "The key, or Index:value")->required();
    c->add_option("field", a->field, "The field, e.g. Stage or Runnable")->required();
    c->add_option("value", a->value, "The value (non-strings as JSON: true, 3)")->required();
    c->add_option("timeout", a->timeout, "Seconds or a duration (default 1 day)");
    c->callback([s, &t, a] { wait_command(*s, t, *a); });
}

}  // namespace

void add_event_commands(CLI::App& app, const SessionPtr& s) {
    add_watch(app, s);
    for (const auto& t : object_types())
        add_wait(*app.get_subcommand(t.prefix), s, t);
}

}  // namespace drover::cli
