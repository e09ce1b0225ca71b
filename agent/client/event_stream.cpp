#include "agent/client/event_stream.hpp"

#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

namespace drover::client {

namespace {

std::optional<std::uint64_t> parse_id(std::string_view s) {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

// The resume frame's body names the last event the server sent: {"Object":{"LastEventID":N}}.
std::optional<std::uint64_t> resume_point(const std::string& data) {
    auto doc = nlohmann::json::parse(data, nullptr, false);
    if (!doc.is_object() || !doc.contains("Object") || !doc["Object"].is_object()) return {};
    const auto& id = doc["Object"]["LastEventID"];
    if (!id.is_number_unsigned()) return std::nullopt;
    return id.get<std::uint64_t>();
}

std::string events_path(const std::vector<std::string>& filters) {
    std::string path = "/api/v3/events";
    char sep = '?';
    for (const auto& f : filters) {
        path += sep + std::string("filter=") + url_escape(f);
        sep = '&';
    }
    return path;
}

}  // namespace

bool SseParser::feed(std::string_view bytes, const FrameHandler& on_frame) {
    buffer_.append(bytes);
    std::size_t start = 0, nl;
    while ((nl = buffer_.find('\n', start)) != std::string::npos) {
        std::string_view line(buffer_.data() + start, nl - start);
        start = nl + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty()) {
            take_line(line);
            continue;
        }
        if (!frame_started_) continue;
        SseFrame done = std::move(frame_);
        frame_ = SseFrame{};
        frame_started_ = false;
        if (!on_frame(done)) {
            buffer_.erase(0, start);
            return false;
        }
    }
    buffer_.erase(0, start);
    return true;
}

void SseParser::take_line(std::string_view line) {
    frame_started_ = true;
    auto colon = line.find(':');
    if (colon == 0) return;  // a comment
    std::string_view field = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "data") {
        if (!frame_.data.empty()) frame_.data += '\n';
        frame_.data += value;
    } else if (field == "id") {
        frame_.id = parse_id(value);
    } else if (field == "event") {
        frame_.event = value;
    }
}

std::optional<ApiError> follow_events(ApiClient& client, const std::vector<std::string>& filters,
                                      const FrameHandler& on_frame) {
    std::optional<std::uint64_t> last_id;
    const std::string path = events_path(filters);
    for (;;) {
        Request req{"GET", path, "", "application/json", {{"Accept", "text/event-stream"}}};
        if (last_id) req.headers["Last-Event-ID"] = std::to_string(*last_id);
        SseParser parser;
        bool stopped = false;
        auto ended = client.stream(req, [&](std::string_view chunk) {
            stopped = !parser.feed(chunk, [&](const SseFrame& frame) {
                if (frame.event == "resume") {
                    if (auto id = resume_point(frame.data)) last_id = id;
                    return true;
                }
                if (frame.id) last_id = frame.id;
                return on_frame(frame);
            });
            return !stopped;
        });
        if (!ended) return ApiError{0, ended.error().message, ""};
        const Response& r = ended.value();
        if (r.status >= 400) return ApiError{r.status, error_message(r.status, r.body), r.body};
        if (stopped) return std::nullopt;
        if (client.interrupted()) return ApiError{0, "interrupted", ""};
        std::this_thread::sleep_for(std::chrono::seconds(1));  // the server's `retry: 1000`
    }
}

}  // namespace drover::client
