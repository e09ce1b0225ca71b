// The bytes of one hub stream, parsed incrementally from whatever a read returned: the answer
// head, then SSE frames. droverd ends a stream's body with the connection (Connection: close, no
// length, no chunking; server/http/response_writer), so the bytes after the head are SSE as is.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace drover::fleet::wire {

struct AnswerHead {
    int status = 0;  // 0: not an HTTP/1.x status line
    bool chunked = false;
    std::size_t size = 0;  // bytes of the head, "\r\n\r\n" included
};

// The head at the start of `bytes` once its blank line has arrived, else nullopt.
std::optional<AnswerHead> parse_answer_head(std::string_view bytes);

struct SseFrame {
    std::optional<std::uint64_t> id;
    std::string event;  // "" for ordinary events
    std::string data;
    std::optional<int> retry_ms;
    bool has_data = false;  // heartbeats (a comment) and the opening `retry:` frame have none
};

class SseReader {
  public:
    // Calls on_frame for every frame the bytes complete; a frame of comments only counts (the
    // heartbeat). A partial line or frame waits for the next call.
    void feed(std::string_view bytes, const std::function<void(const SseFrame&)>& on_frame);
    void reset();

  private:
    std::size_t take_lines(std::string_view bytes,
                           const std::function<void(const SseFrame&)>& on_frame);
    void take_line(std::string_view line);

    std::string partial_;
    SseFrame frame_;
    bool started_ = false;
};

// A resume frame's {"Object":{"LastEventID":N}}: where the server says to resume.
std::optional<std::uint64_t> resume_point(std::string_view data);

// An event's Time when it has at least millisecond precision (droverd writes nanoseconds).
std::optional<std::chrono::system_clock::time_point> commit_time(std::string_view data);

}  // namespace drover::fleet::wire
