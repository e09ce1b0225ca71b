// SIGTERM against the real droverd: the listener closes first, a request in flight gets its whole
// answer, an event stream ends with a resume frame, droverd exits 0 within
// --shutdown-timeout-seconds, every acknowledged write is there after the restart, and event
// clients (a raw one with Last-Event-ID, and the agent's follower) resume without losing events.
#include <catch2/catch.hpp>

#include <atomic>
#include <csignal>
#include <mutex>
#include <sstream>
#include <thread>

#include "agent/client/event_stream.hpp"
#include "droverd_process.hpp"
#include "tests/server/http_test_support.hpp"

using namespace drover::testing;
using drover::http::test::get_request;
using drover::http::test::RawClient;
using drover::http::test::wait_until;
using nlohmann::json;

namespace {

constexpr auto kHangGuard = std::chrono::seconds(25);

std::string auth_header(const DroverdProcess& d) {
    return "Authorization: Bearer " + d.admin_token() + "\r\n";
}

// An event stream on a raw socket. A new one is subscribed once this returns (heartbeats go
// only to streams the bus has registered); one resuming from `last_event_id` replays first.
std::unique_ptr<RawClient> open_events(const DroverdProcess& d, std::uint64_t last_event_id = 0) {
    auto c = std::make_unique<RawClient>(d.port());
    std::string resume =
        last_event_id ? "Last-Event-ID: " + std::to_string(last_event_id) + "\r\n" : "";
    REQUIRE(
        c->send_all(get_request("/api/v3/events?filter=profiles.*.*", auth_header(d) + resume)));
    REQUIRE(c->read_until("\r\n\r\n"));
    if (!last_event_id) REQUIRE(c->read_until(": heartbeat\n\n"));
    return c;
}

struct Frame {
    std::uint64_t id = 0;  // 0: none
    std::string event;
    json data;
};

// The next frame with data (heartbeats and retry lines skipped); nullopt when the stream ends.
std::optional<Frame> next_frame(RawClient& c) {
    for (;;) {
        auto text = c.read_until("\n\n");
        if (!text) return std::nullopt;
        Frame f;
        std::istringstream lines(*text);
        std::string line;
        while (std::getline(lines, line)) {
            if (line.rfind("id: ", 0) == 0) f.id = std::stoull(line.substr(4));
            if (line.rfind("event: ", 0) == 0) f.event = line.substr(7);
            if (line.rfind("data: ", 0) == 0) f.data = json::parse(line.substr(6));
        }
        if (!f.data.is_null()) return f;
    }
}

// A POST whose head droverd has begun (it said 100 Continue) and whose body is still to come.
struct HalfSentPost {
    RawClient client;
    std::string body;
    HalfSentPost(const DroverdProcess& d, const std::string& path, const json& doc)
        : client(d.port()), body(doc.dump()) {
        REQUIRE(client.send_all("POST " + path + " HTTP/1.1\r\nHost: t\r\n" + auth_header(d) +
                                "Content-Type: application/json\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\nExpect: 100-continue\r\n\r\n"));
        REQUIRE(client.read_until("100 Continue\r\n\r\n"));
    }
};

void sigterm_and_wait_refused(DroverdProcess& d) {
    d.send_signal(SIGTERM);
    REQUIRE(wait_until([&] { return !RawClient(d.port()).connected(); }));
}

}  // namespace

TEST_CASE(
    "SIGTERM: new connections are refused, the request in flight is answered whole, the "
    "event stream ends with a resume frame, droverd exits 0",
    "[integration][shutdown]") {
    DroverdProcess d;
    auto c = d.client();
    auto stream = open_events(d);
    REQUIRE(post(*c, "/api/v3/profiles", {{"Name", "before"}}).status == 201);
    auto first = next_frame(*stream);
    REQUIRE(first);
    CHECK(first->data["Key"] == "before");
    HalfSentPost in_flight(d, "/api/v3/profiles", {{"Name", "in-flight"}});
    REQUIRE(post(*c, "/api/v3/profiles", {{"Name", "acknowledged"}}).status == 201);

    sigterm_and_wait_refused(d);
    // The stream: what was published, then the resume frame naming the last event it got.
    std::vector<Frame> frames{*first};
    while (auto f = next_frame(*stream))
        frames.push_back(*f);
    CHECK(stream->wait_closed());
    REQUIRE(frames.size() >= 2);
    const Frame& last = frames.back();
    CHECK(last.event == "resume");
    CHECK(last.id == 0);
    CHECK(last.data["Key"] == "server shutdown");
    const Frame& last_event = frames[frames.size() - 2];
    CHECK(last.data["Object"]["LastEventID"].get<std::uint64_t>() == last_event.id);

    REQUIRE(in_flight.client.send_all(in_flight.body));
    auto answer = in_flight.client.read_response();
    REQUIRE(answer);
    CHECK(answer->status == 201);
    CHECK(json::parse(answer->body)["Name"] == "in-flight");
    CHECK(answer->header("Connection") == "close");
    in_flight.client.close();
    CHECK(d.wait_exit(kHangGuard) == std::optional<int>(0));

    // After the restart: every acknowledged write, and resuming from the resume frame's id
    // gives exactly the events the stream had not had.
    d.start();
    c = d.client();
    for (const char* name : {"before", "acknowledged", "in-flight"})
        CHECK(get(*c, std::string("/api/v3/profiles/") + name).status == 200);
    auto resumed = open_events(d, last.data["Object"]["LastEventID"].get<std::uint64_t>());
    REQUIRE(post(*c, "/api/v3/profiles", {{"Name", "after"}}).status == 201);
    std::vector<std::string> keys;
    for (const Frame& f : frames)
        if (f.id) keys.push_back(f.data["Key"]);
    while (keys.empty() || keys.back() != "after") {
        auto f = next_frame(*resumed);
        REQUIRE(f);
        keys.push_back(f->data["Key"]);
    }
    CHECK(keys == std::vector<std::string>{"before", "acknowledged", "in-flight", "after"});
}

TEST_CASE(
    "the agent's event follower reconnects after SIGTERM and a restart with Last-Event-ID "
    "and misses nothing",
    "[integration][shutdown][agent]") {
    DroverdProcess d;
    drover::client::ClientOptions o;
    o.endpoint = d.endpoint();
    o.token = d.admin_token();  // the token key survives the restart
    o.retry_delays = {};
    o.retry_every = std::chrono::milliseconds(200);
    drover::client::ApiClient api(o);
    std::mutex mutex;
    std::vector<std::string> keys;
    bool live = false;
    std::atomic<bool> done{false};
    std::thread follower([&] {
        drover::client::follow_events(api, {"profiles.*.*"}, [&](const auto& frame) {
            std::lock_guard lock(mutex);
            if (frame.data.empty())
                live = true;  // a heartbeat: subscribed
            else
                keys.push_back(json::parse(frame.data)["Key"]);
            return !done.load();
        });
    });
    auto seen = [&] {
        std::lock_guard lock(mutex);
        return keys;
    };
    REQUIRE(wait_until([&] {
        std::lock_guard lock(mutex);
        return live;
    }));
    auto c = d.client();
    REQUIRE(post(*c, "/api/v3/profiles", {{"Name", "p1"}}).status == 201);
    REQUIRE(wait_until([&] { return seen().size() == 1; }));
    // Committed after the streams were closed: it can only arrive by resuming.
    HalfSentPost in_flight(d, "/api/v3/profiles", {{"Name", "p2"}});
    sigterm_and_wait_refused(d);
    REQUIRE(in_flight.client.send_all(in_flight.body));
    REQUIRE(in_flight.client.read_response());
    in_flight.client.close();
    REQUIRE(d.wait_exit(kHangGuard) == std::optional<int>(0));

    d.start(/*same_port=*/true);
    c = d.client();
    REQUIRE(post(*c, "/api/v3/profiles", {{"Name", "p3"}}).status == 201);
    CHECK(wait_until([&] { return seen().size() >= 3; }));
    done = true;
    api.interrupt();
    follower.join();
    CHECK(seen() == std::vector<std::string>{"p1", "p2", "p3"});
}

TEST_CASE("droverd exits 0 within --shutdown-timeout-seconds when a request never completes",
          "[integration][shutdown]") {
    // Without the bound, only the 30 s request timeout would end the stalled request.
    DroverdProcess d({"--shutdown-timeout-seconds", "1"});
    HalfSentPost stalled(d, "/api/v3/profiles", {{"Name", "never"}});
    d.send_signal(SIGTERM);
    CHECK(d.wait_exit(std::chrono::seconds(20)) == std::optional<int>(0));
    CHECK(stalled.client.wait_closed());
}
