// stop() is graceful: the listener closes first, idle connections are closed, requests already
// running or queued get their whole answer (with Connection: close), streams flush what was
// written before stop() and end, and shutdown_timeout_seconds bounds what is left.
#include <atomic>
#include <future>
#include <mutex>

#include "tests/server/http_test_support.hpp"

using namespace drover::http;
using namespace drover::http::test;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kBigBody = 1u << 20;  // more than one socket buffer

// Handlers that block until released, and streams kept for the test.
struct Gate {
    std::promise<void> open;
    std::shared_future<void> opened = open.get_future().share();
    std::mutex mutex;
    std::vector<std::shared_ptr<Stream>> streams;

    Handler handler() {
        return [this](const Request& req, Response& res) {
            if (req.path == "/events") {
                res.on_stream = [this](std::shared_ptr<Stream> s) {
                    std::lock_guard lock(mutex);
                    streams.push_back(std::move(s));
                };
                return;
            }
            if (req.path == "/blocked") opened.wait();
            res.body = std::string(kBigBody, 'x');
        };
    }
    std::shared_ptr<Stream> stream(std::size_t i) {
        std::lock_guard lock(mutex);
        return i < streams.size() ? streams[i] : nullptr;
    }
};

// The server in a background thread, stopped by the test and waited for with a hang guard.
struct Running {
    Server server;
    std::future<void> done;
    Running(ServerOptions o, Handler h) : server(loopback(std::move(o)), std::move(h)) {
        std::string error;
        REQUIRE(server.bind(error));
        done = std::async(std::launch::async, [this] { server.run(); });
    }
    ~Running() {
        server.stop();
        done.wait();
    }
    bool finished() { return done.wait_for(30s) == std::future_status::ready; }
    static ServerOptions loopback(ServerOptions o) {
        o.host = "127.0.0.1";
        o.port = 0;
        return o;
    }
};

const std::string upload_head =
    "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n";

bool refused(std::uint16_t port) {
    return !RawClient(port).connected();
}

}  // namespace

TEST_CASE(
    "stop() answers the requests running and queued, refuses new connections, closes idle "
    "ones",
    "[http][shutdown]") {
    Gate gate;
    ServerOptions o;
    o.worker_threads = 1;  // one request runs, the other waits in the queue
    Running r(o, gate.handler());
    RawClient idle(r.server.port());
    REQUIRE(idle.send_all(get_request("/quick")));
    REQUIRE(idle.read_response());
    RawClient running(r.server.port()), queued(r.server.port());
    REQUIRE(running.send_all(get_request("/blocked")));
    REQUIRE(queued.send_all(get_request("/blocked")));
    REQUIRE(wait_until([&] { return r.server.stats().requests_total == 3; }));

    r.server.stop();
    REQUIRE(wait_until([&] { return refused(r.server.port()); }));
    CHECK(idle.wait_closed());
    gate.open.set_value();
    for (RawClient* c : {&running, &queued}) {
        auto answer = c->read_response();
        REQUIRE(answer);
        CHECK(answer->status == 200);
        CHECK(answer->body.size() == kBigBody);
        CHECK(answer->header("Connection") == "close");
        c->close();  // as clients do after Connection: close (or the server lingers a moment)
    }
    CHECK(r.finished());
    CHECK(r.server.stats().connections_open == 0);
}

TEST_CASE("stop() answers a request whose body is still arriving", "[http][shutdown]") {
    Gate gate;
    gate.open.set_value();
    Running r({}, gate.handler());
    RawClient uploading(r.server.port());
    REQUIRE(uploading.send_all(upload_head));
    REQUIRE(uploading.read_until("100 Continue\r\n\r\n"));  // the server has begun the request
    REQUIRE(uploading.send_all("01234"));
    r.server.stop();
    REQUIRE(wait_until([&] { return refused(r.server.port()); }));
    REQUIRE(uploading.send_all("56789"));
    auto answer = uploading.read_response();
    REQUIRE(answer);
    CHECK(answer->status == 200);
    CHECK(answer->body.size() == kBigBody);
    uploading.close();
    CHECK(r.finished());
}

TEST_CASE("stop() flushes what a stream was given, then ends it", "[http][shutdown][stream]") {
    Gate gate;
    Running r({}, gate.handler());
    RawClient reader(r.server.port());
    REQUIRE(reader.send_all(get_request("/events")));
    REQUIRE(reader.read_until("\r\n\r\n"));
    REQUIRE(wait_until([&] { return gate.stream(0) != nullptr; }));
    std::string last(200000, 'y');  // bigger than one write
    REQUIRE(gate.stream(0)->write("data: " + last + "\n\n"));
    r.server.stop();
    auto got = reader.read_until("\n\n");
    REQUIRE(got);
    CHECK(*got == "data: " + last + "\n\n");
    CHECK(reader.wait_closed());
    CHECK(r.finished());
}

TEST_CASE("stop() closes what is left after shutdown_timeout_seconds", "[http][shutdown]") {
    Gate gate;
    gate.open.set_value();
    ServerOptions o;
    o.shutdown_timeout_seconds = 1;
    o.request_timeout_seconds = 3600;  // only the shutdown bound can end these
    o.idle_timeout_seconds = 3600;
    Running r(o, gate.handler());
    RawClient stalled(r.server.port());
    REQUIRE(stalled.send_all(upload_head));
    REQUIRE(stalled.read_until("100 Continue\r\n\r\n"));  // and then never sends the body
    RawClient stream(r.server.port(), 60);
    REQUIRE(stream.send_all(get_request("/events")));
    REQUIRE(wait_until([&] { return gate.stream(0) != nullptr; }));
    // A stream client that stops reading: more is queued than the socket buffers take.
    for (int i = 0; i < 64 && gate.stream(0)->write(std::string(64 << 10, 'z')); ++i) {
    }
    r.server.stop();
    CHECK(r.finished());
    CHECK(stalled.wait_closed());
    CHECK(r.server.stats().connections_open == 0);
}
