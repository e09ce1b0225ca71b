#include "server/api/event_routes.hpp"

#include <charconv>

#include "server/api/reply.hpp"

namespace drover::api_routes {

namespace {

std::optional<std::uint64_t> parse_seq(const std::string& s) {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

// The bus handle exists only once the loop has started the stream; closing may come first.
struct StreamSession {
    std::mutex mutex;
    std::shared_ptr<events::EventBus::Handle> handle;
    bool closed = false;
};

}  // namespace

void handle_event_stream(events::EventBus& bus, const http::Request& req, http::Response& res,
                         events::EventVisibility visible) {
    if (req.method != "GET") return reply_error(res, 405, "MethodNotAllowed", "Use GET", "events");
    api::FilterSet filters;
    for (auto [it, end] = req.query.equal_range("filter"); it != end; ++it)
        if (auto err = filters.add(it->second))
            return reply_error(res, 400, "BadRequest", *err, "events");
    if (filters.empty()) filters.add("*.*.*");

    std::optional<std::uint64_t> since;
    const std::string* resume = req.header("Last-Event-ID");
    if (!resume) resume = req.query_value("since");
    if (resume) {
        since = parse_seq(*resume);
        if (!since)
            return reply_error(res, 400, "BadRequest",
                               "Last-Event-ID must be an event sequence number", "events");
        if (!bus.can_resume(*since))
            return reply_error(res, 410, "Gone",
                               "Events after " + *resume +
                                   " are no longer retained; re-read state and reconnect "
                                   "without Last-Event-ID",
                               "events");
    }

    res.status = 200;
    res.headers.emplace("Content-Type", "text/event-stream");
    res.headers.emplace("Cache-Control", "no-store");
    auto session = std::make_shared<StreamSession>();
    res.on_stream = [&bus, session, filters, since,
                     visible = std::move(visible)](std::shared_ptr<http::Stream> stream) {
        std::lock_guard lock(session->mutex);
        if (session->closed) return;
        stream->write("retry: 1000\n\n");
        session->handle = bus.attach(std::move(stream), filters, since, visible);
    };
    res.on_stream_closed = [session] {
        std::shared_ptr<events::EventBus::Handle> handle;
        {
            std::lock_guard lock(session->mutex);
            session->closed = true;
            handle = session->handle;
        }
        if (handle) handle->close();
    };
}

}  // namespace drover::api_routes
