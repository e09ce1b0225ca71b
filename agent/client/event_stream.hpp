// droverd's event stream as a client sees it (spec 6.6, served as Server-Sent Events): a parser
// for SSE frames, and a follower of `GET /api/v3/events?filter=...` that reconnects with
// Last-Event-ID whenever the connection drops or the server cuts it off, so a consumer gets
// every matching event once and in order.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/client/api_client.hpp"

namespace drover::client {

struct SseFrame {
    std::optional<std::uint64_t> id;
    std::string event;  // "" for an ordinary event; "resume" when the server cuts the stream off
    std::string data;   // the data lines joined by '\n'; empty for a heartbeat or retry frame
};

using FrameHandler = std::function<bool(const SseFrame&)>;

// Incremental: bytes in any split, one call per complete frame (a blank line ends a frame).
// Lines end in "\n" or "\r\n"; comment lines (": heartbeat") make a frame with no data.
class SseParser {
  public:
    // False as soon as `on_frame` returns false (the rest of `bytes` is kept unparsed).
    bool feed(std::string_view bytes, const FrameHandler& on_frame);

  private:
    void take_line(std::string_view line);
    std::string buffer_;
    SseFrame frame_;
    bool frame_started_ = false;
};

// Follows the event stream with `filters` (none: every event) until `on_frame` returns false.
// Heartbeats reach `on_frame` too (data empty), so a caller can tell the stream is live;
// resume frames do not. nullopt when `on_frame` ended it; otherwise why it could not go on (an
// error answer such as 410, or the ApiClient giving up or being interrupted).
std::optional<ApiError> follow_events(ApiClient& client, const std::vector<std::string>& filters,
                                      const FrameHandler& on_frame);

}  // namespace drover::client
