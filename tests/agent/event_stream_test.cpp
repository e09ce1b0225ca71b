// The SSE parser of the event-stream client (spec 6.6 as served by droverd): frames split at any
// byte, CRLF line ends, comments as heartbeats, multi-line data, and stopping mid-buffer.
#include <catch2/catch.hpp>

#include "agent/client/event_stream.hpp"

using drover::client::SseFrame;
using drover::client::SseParser;

namespace {

std::vector<SseFrame> feed_all(SseParser& p, const std::vector<std::string>& chunks) {
    std::vector<SseFrame> frames;
    for (const auto& c : chunks)
        p.feed(c, [&](const SseFrame& f) {
            frames.push_back(f);
            return true;
        });
    return frames;
}

}  // namespace

TEST_CASE("SseParser: frames split at any byte give the same events", "[client][sse]") {
    std::string stream =
        "retry: 1000\n\nid: 7\ndata: {\"Key\":\"a\"}\n\n: heartbeat\n\nid: 8\ndata: {}\n\n";
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        SseParser p;
        auto frames = feed_all(p, {stream.substr(0, cut), stream.substr(cut)});
        REQUIRE(frames.size() == 4);
        CHECK(frames[0].data.empty());
        CHECK(!frames[0].id);
        CHECK(frames[1].id == 7u);
        CHECK(frames[1].data == "{\"Key\":\"a\"}");
        CHECK(frames[2].data.empty());
        CHECK(frames[3].id == 8u);
    }
}

TEST_CASE("SseParser: CRLF, multi-line data, event names, blank lines", "[client][sse]") {
    SseParser p;
    auto frames = feed_all(p, {"\r\n\nevent: resume\r\ndata: a\r\ndata:b\r\n\r\nid: x\ndata: c\n"});
    REQUIRE(frames.size() == 1);
    CHECK(frames[0].event == "resume");
    CHECK(frames[0].data == "a\nb");
    frames = feed_all(p, {"\n"});
    REQUIRE(frames.size() == 1);
    CHECK(!frames[0].id);  // "x" is not a sequence number
    CHECK(frames[0].data == "c");
}

TEST_CASE("SseParser: a handler's false stops and keeps the rest", "[client][sse]") {
    SseParser p;
    int seen = 0;
    auto count = [&](const SseFrame&) { return ++seen < 1; };
    CHECK_FALSE(p.feed("data: 1\n\ndata: 2\n\n", count));
    CHECK(seen == 1);
    CHECK(p.feed("", [&](const SseFrame& f) {
        CHECK(f.data == "2");
        return true;
    }));
}
