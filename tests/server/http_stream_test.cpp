// Event streams on the epoll HTTP server: ordered cross-thread writes, the per-stream buffer
// bound, finish(), client disconnects, thousands of idle streams beside ordinary requests, and
// stop() while streams and requests are open.
#include <httplib.h>

#include <atomic>
#include <future>
#include <mutex>
#include <vector>

#include "tests/server/http_test_support.hpp"

using namespace drover::http;
using namespace drover::http::test;
using namespace std::chrono_literals;

namespace {

// Collects the streams the server opens and counts their closings.
struct Hub {
    std::mutex mutex;
    std::vector<std::shared_ptr<Stream>> streams;
    std::atomic<int> closed{0};

    std::size_t size() {
        std::lock_guard lock(mutex);
        return streams.size();
    }
    std::shared_ptr<Stream> at(std::size_t i) {
        std::lock_guard lock(mutex);
        return streams.at(i);
    }
    Handler handler() {
        return [this](const Request& req, Response& res) {
            if (req.path == "/slow") std::this_thread::sleep_for(300ms);
            if (req.path != "/events") {
                res.body = "plain";
                return;
            }
            res.headers.emplace("Content-Type", "text/event-stream");
            res.headers.emplace("Cache-Control", "no-cache");
            res.on_stream = [this](std::shared_ptr<Stream> s) {
                std::lock_guard lock(mutex);
                streams.push_back(std::move(s));
            };
            res.on_stream_closed = [this] { ++closed; };
        };
    }
};

std::string frame(int i) {
    return "data: " + std::to_string(i) + "\n\n";
}

// Opens a stream with a raw client and reads its head.
RawResponse open_stream(RawClient& c) {
    REQUIRE(c.send_all(get_request("/events")));
    auto head = c.read_until("\r\n\r\n");
    REQUIRE(head);
    RawResponse r;
    r.head = *head;
    r.status = std::atoi(head->substr(9, 3).c_str());
    return r;
}

}  // namespace

TEST_CASE("a stream carries writes from another thread in order, finish() closes it",
          "[http][stream]") {
    Hub hub;
    TestServer s({}, hub.handler());
    RawClient c(s.port());
    RawResponse head = open_stream(c);
    CHECK(head.status == 200);
    CHECK(head.header("Content-Length").empty());
    CHECK(head.header("Connection") == "close");  // the body ends with the connection
    CHECK(head.header("Content-Type") == "text/event-stream");
    REQUIRE(wait_until([&] { return hub.size() == 1; }));
    auto stream = hub.at(0);
    CHECK(s.server().stats().streams_open == 1);
    std::atomic<int> refused{0};  // Catch2 assertions are not thread-safe: count, check later
    std::thread writer([&] {
        for (int i = 0; i < 2000; ++i)
            refused += !stream->write(frame(i));
    });
    std::string expected;
    for (int i = 0; i < 2000; ++i)
        expected += frame(i);
    std::string got;
    while (got.size() < expected.size()) {
        auto chunk = c.read_until("\n\n");
        REQUIRE(chunk);
        got += *chunk;
    }
    writer.join();
    CHECK(refused == 0);
    CHECK(got == expected);
    stream->finish();
    CHECK_FALSE(stream->is_open());
    CHECK_FALSE(stream->write("late"));
    CHECK(c.wait_closed());
    REQUIRE(wait_until([&] { return hub.closed == 1; }));
    CHECK(s.server().stats().streams_open == 0);
}

TEST_CASE("cpp-httplib's client reads a stream incrementally", "[http][stream][httplib]") {
    Hub hub;
    TestServer s({}, hub.handler());
    std::thread writer([&] {
        if (!wait_until([&] { return hub.size() == 1; })) return;
        for (int i = 0; i < 3; ++i)
            hub.at(0)->write(frame(i));
    });
    httplib::Client client("127.0.0.1", s.port());
    client.set_read_timeout(20, 0);
    std::string got;
    auto res = client.Get("/events", [&](const char* data, std::size_t n) {
        got.append(data, n);
        return got.find(frame(2)) == std::string::npos;  // stop after the third event
    });
    writer.join();
    CHECK(got == frame(0) + frame(1) + frame(2));
    CHECK(wait_until([&] { return hub.closed == 1; }));  // the client hung up
}

TEST_CASE("a stream refuses writes beyond its buffer, a disconnect closes it exactly once",
          "[http][stream]") {
    Hub hub;
    ServerOptions o;
    o.stream_buffer_bytes = 64 * 1024;
    TestServer s(o, hub.handler());
    RawClient c(s.port());
    open_stream(c);
    REQUIRE(wait_until([&] { return hub.size() == 1; }));
    auto stream = hub.at(0);
    CHECK_FALSE(stream->write(std::string(128 * 1024, 'x')));  // larger than the whole buffer
    // The client reads nothing: once the kernel's socket buffers are full, writes must fail.
    std::string chunk(16 * 1024, 'y');
    std::size_t written = 0;
    bool refused = false;
    while (!refused && written < (1u << 30)) {
        if (stream->write(chunk))
            written += chunk.size();
        else
            refused = true;
    }
    CHECK(refused);
    CHECK(stream->is_open());  // refusing a write does not close the stream by itself
    c.close();
    REQUIRE(wait_until([&] { return hub.closed == 1; }));
    std::this_thread::sleep_for(100ms);
    CHECK(hub.closed == 1);
    CHECK_FALSE(stream->is_open());
    CHECK_FALSE(stream->write("x"));
    CHECK(s.server().stats().streams_open == 0);
}

TEST_CASE("2,000 idle streams do not keep ordinary requests from being answered",
          "[http][stream][httplib]") {
    constexpr int kStreams = 2000;
    Hub hub;
    ServerOptions o;
    o.worker_threads = 4;
    TestServer s(o, hub.handler());
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < kStreams; ++i) {
        clients.push_back(std::make_unique<RawClient>(s.port()));
        REQUIRE(clients.back()->send_all(get_request("/events")));
    }
    for (auto& c : clients)
        REQUIRE(c->read_until("\r\n\r\n"));
    REQUIRE(wait_until([&] { return hub.size() == kStreams; }));
    CHECK(s.server().stats().streams_open == kStreams);
    httplib::Client plain("127.0.0.1", s.port());
    plain.set_read_timeout(20, 0);
    for (int i = 0; i < 50; ++i) {
        auto r = plain.Get("/plain");
        REQUIRE(r);
        CHECK(r->body == "plain");
    }
    for (std::size_t i = 0; i < hub.size(); ++i)
        CHECK(hub.at(i)->write("data: all\n\n"));
    int received = 0;
    for (auto& c : clients)
        if (auto f = c->read_until("\n\n"); f && *f == "data: all\n\n") ++received;
    CHECK(received == kStreams);
    clients.clear();
    CHECK(wait_until([&] { return hub.closed == kStreams; }));
    CHECK(wait_until([&] { return s.server().stats().connections_open <= 1; }));
}

TEST_CASE("stop() returns with open streams and requests in flight", "[http][stream]") {
    Hub hub;
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.worker_threads = 2;
    Server server(o, hub.handler());
    std::string error;
    REQUIRE(server.bind(error));
    auto running = std::async(std::launch::async, [&] { server.run(); });
    std::vector<std::unique_ptr<RawClient>> streams, slow;
    for (int i = 0; i < 5; ++i) {
        streams.push_back(std::make_unique<RawClient>(server.port()));
        open_stream(*streams.back());
    }
    REQUIRE(wait_until([&] { return hub.size() == 5; }));
    for (int i = 0; i < 4; ++i) {  // two run, two wait in the queue
        slow.push_back(std::make_unique<RawClient>(server.port()));
        REQUIRE(slow.back()->send_all(get_request("/slow")));
    }
    REQUIRE(wait_until([&] { return server.stats().requests_total == 9; }));
    server.stop();
    REQUIRE(running.wait_for(30s) == std::future_status::ready);
    CHECK(hub.closed == 5);
    for (auto& c : streams)
        CHECK(c->wait_closed());
    for (auto& c : slow)
        CHECK(c->wait_closed());  // answered or not, the connection ends
    CHECK(server.stats().connections_open == 0);
    CHECK(server.stats().streams_open == 0);
}
