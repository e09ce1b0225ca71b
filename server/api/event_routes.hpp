// spec 6.6 (as Server-Sent Events): GET /api/v3/events?filter=type.action.key&filter=... streams
// matching events; `Last-Event-ID` (or ?since=) resumes without loss inside the retained window
// and answers 410 outside it, so the client knows to re-read state.
#pragma once
#include "server/events/event_bus.hpp"
#include "server/http/http_server.hpp"

namespace drover::api_routes {

void handle_event_stream(events::EventBus& bus, const http::Request& req, http::Response& res,
                         events::EventVisibility visible);

}  // namespace drover::api_routes
