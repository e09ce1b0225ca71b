#include "tests/bench/fleet/stream_hub_wire.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

#include "common/rules/durations.hpp"

namespace drover::fleet::wire {

namespace {

template <class T>
std::optional<T> parse_number(std::string_view s) {
    T v{};
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// "HTTP/1.1 200 OK": the status, or 0.
int status_of(std::string_view line) {
    if (line.substr(0, 7) != "HTTP/1." || line.size() < 12 || line[8] != ' ') return 0;
    return parse_number<int>(line.substr(9, 3)).value_or(0);
}

}  // namespace

std::optional<AnswerHead> parse_answer_head(std::string_view bytes) {
    auto end = bytes.find("\r\n\r\n");
    if (end == std::string_view::npos) return std::nullopt;
    AnswerHead head;
    head.size = end + 4;
    std::string_view rest = bytes.substr(0, end + 2);
    auto nl = rest.find("\r\n");
    head.status = status_of(rest.substr(0, nl));
    rest.remove_prefix(nl + 2);
    while (!rest.empty()) {
        nl = rest.find("\r\n");
        std::string_view line = rest.substr(0, nl);
        rest.remove_prefix(nl + 2);
        auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        if (iequals(trim(line.substr(0, colon)), "Transfer-Encoding"))
            head.chunked = trim(line.substr(colon + 1)).find("chunked") != std::string_view::npos;
    }
    return head;
}

void SseReader::feed(std::string_view bytes, const std::function<void(const SseFrame&)>& on_frame) {
    if (partial_.empty()) {  // the usual case: whole frames straight from the read buffer
        std::size_t used = take_lines(bytes, on_frame);
        partial_.assign(bytes.substr(used));
        return;
    }
    partial_.append(bytes);
    std::size_t used = take_lines(partial_, on_frame);
    partial_.erase(0, used);
}

std::size_t SseReader::take_lines(std::string_view bytes,
                                  const std::function<void(const SseFrame&)>& on_frame) {
    std::size_t start = 0, nl;
    while ((nl = bytes.find('\n', start)) != std::string_view::npos) {
        std::string_view line = bytes.substr(start, nl - start);
        start = nl + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty()) {
            take_line(line);
        } else if (started_) {
            on_frame(frame_);
            frame_ = SseFrame{};
            started_ = false;
        }
    }
    return start;
}

void SseReader::take_line(std::string_view line) {
    started_ = true;
    auto colon = line.find(':');
    if (colon == 0) return;  // a comment: the heartbeat
    std::string_view field = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "data") {
        if (frame_.has_data) frame_.data += '\n';
        frame_.data += value;
        frame_.has_data = true;
    } else if (field == "id") {
        frame_.id = parse_number<std::uint64_t>(value);
    } else if (field == "event") {
        frame_.event = value;
    } else if (field == "retry") {
        frame_.retry_ms = parse_number<int>(value);
    }
}

void SseReader::reset() {
    partial_.clear();
    frame_ = SseFrame{};
    started_ = false;
}

std::optional<std::uint64_t> resume_point(std::string_view data) {
    auto doc = nlohmann::json::parse(data, nullptr, false);
    if (!doc.is_object() || !doc.contains("Object") || !doc["Object"].is_object()) return {};
    const auto& id = doc["Object"]["LastEventID"];
    if (!id.is_number_unsigned()) return std::nullopt;
    return id.get<std::uint64_t>();
}

std::optional<std::chrono::system_clock::time_point> commit_time(std::string_view data) {
    auto doc = nlohmann::json::parse(data, nullptr, false);
    if (!doc.is_object()) return std::nullopt;
    auto it = doc.find("Time");
    if (it == doc.end() || !it->is_string()) return std::nullopt;
    const auto& time = it->get_ref<const std::string&>();
    // "YYYY-MM-DDTHH:MM:SS.fff...": at least three fraction digits.
    constexpr std::size_t kFraction = 20;
    if (time.size() < kFraction + 3 || time[kFraction - 1] != '.') return std::nullopt;
    if (!std::all_of(time.begin() + kFraction, time.begin() + kFraction + 3,
                     [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return rules::parse_rfc3339(time);
}

}  // namespace drover::fleet::wire
