// The fleet simulator's StreamHub (tests/bench/fleet) against the real droverd: one stream per
// machine, each woken by its own machine's events only; a stream closed by churn or by a droverd
// restart comes back with Last-Event-ID and still gets what was committed in the gap.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "droverd_process.hpp"
#include "tests/bench/fleet/stream_hub.hpp"
#include "tests/bench/fleet/stream_hub_wire.hpp"

using namespace drover::testing;
using drover::fleet::StreamHub;
using nlohmann::json;
using SystemClock = std::chrono::system_clock;

namespace {

std::string uuid_of(std::size_t n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "5e1f0000-0000-4000-8000-%012zu", n);
    return buf;
}

// What each stream received: event frames (they carry a commit time) apart from the rest
// (the opening `retry:` frame, heartbeats, resume frames).
class FrameLog {
  public:
    StreamHub::FrameHandler handler() {
        return [this](std::size_t index, std::optional<SystemClock::time_point> committed) {
            std::lock_guard lock(mutex_);
            if (index >= events_.size()) events_.resize(index + 1);
            if (committed) {
                ++events_[index];
                earliest_ = std::min(earliest_, *committed);
            }
        };
    }
    std::vector<int> events() const {
        std::lock_guard lock(mutex_);
        return events_;
    }
    int events_of(std::size_t index) const {
        std::lock_guard lock(mutex_);
        return index < events_.size() ? events_[index] : 0;
    }
    SystemClock::time_point earliest_commit() const {
        std::lock_guard lock(mutex_);
        return earliest_;
    }

  private:
    mutable std::mutex mutex_;
    std::vector<int> events_;
    SystemClock::time_point earliest_ = SystemClock::time_point::max();
};

// Polls until `done` or a hang guard of 30 s; the test then checks the state itself.
template <class Done>
void wait_until(Done done) {
    auto guard = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done() && std::chrono::steady_clock::now() < guard)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void create_machines(httplib::Client& c, std::size_t from, std::size_t to) {
    for (std::size_t n = from; n < to; ++n)
        REQUIRE(
            post(c, "/api/v3/machines", {{"Uuid", uuid_of(n)}, {"Name", "m" + std::to_string(n)}})
                .status == 201);
}

void touch(httplib::Client& c, std::size_t n, const std::string& description) {
    json op = json::array({{{"op", "add"}, {"path", "/Description"}, {"value", description}}});
    REQUIRE(patch(c, "/api/v3/machines/" + uuid_of(n), op).status == 200);
}

}  // namespace

TEST_CASE("stream hub: 200 machine streams, each woken by its own machine only", "[stream_hub]") {
    DroverdProcess d;
    auto c = d.client();
    constexpr std::size_t kMachines = 200;
    create_machines(*c, 0, kMachines + 1);  // the last one joins the hub later
    auto started = SystemClock::now();

    FrameLog log;
    StreamHub hub({"127.0.0.1", d.port()}, log.handler());
    for (std::size_t n = 0; n < kMachines; ++n)
        REQUIRE(hub.add(uuid_of(n), d.machine_token(uuid_of(n))) == n);
    wait_until([&] { return hub.connected() == kMachines; });
    REQUIRE(hub.connected() == kMachines);

    for (std::size_t n = 0; n < kMachines; n += 10)
        touch(*c, n, "patched");
    wait_until([&] {
        for (std::size_t n = 0; n < kMachines; n += 10)
            if (log.events_of(n) == 0) return false;
        return true;
    });
    auto events = log.events();
    events.resize(kMachines);
    for (std::size_t n = 0; n < kMachines; ++n) {
        INFO("stream " << n);
        CHECK(events[n] == (n % 10 == 0 ? 1 : 0));
    }
    // Millisecond precision or better, and the server's clock is this machine's.
    CHECK(log.earliest_commit() >= started - std::chrono::seconds(1));
    CHECK(log.earliest_commit() <= SystemClock::now());

    SECTION("a stream disconnected by churn resumes after its last event") {
        hub.disconnect(10);
        wait_until([&] { return hub.connected() == kMachines - 1; });
        REQUIRE(hub.connected() == kMachines - 1);
        touch(*c, 10, "patched while away");
        hub.reconnect(10);
        wait_until([&] { return log.events_of(10) == 2; });
        CHECK(log.events_of(10) == 2);
        CHECK(hub.connected() == kMachines);
        CHECK(hub.counters().connects == kMachines + 1);
    }
    SECTION("a stream that never had an event resumes after what the hub had seen first") {
        // Its machine's creation came before the events the hub has seen, so that is not
        // replayed; the patch in the gap is.
        std::size_t late = hub.add(uuid_of(kMachines), d.machine_token(uuid_of(kMachines)));
        wait_until([&] { return hub.connected() == kMachines + 1; });
        hub.disconnect(late);
        wait_until([&] { return hub.connected() == kMachines; });
        REQUIRE(hub.connected() == kMachines);
        touch(*c, kMachines, "patched while away");
        hub.reconnect(late);
        wait_until([&] { return log.events_of(late) == 1; });
        // A live event after the replay: once it is here, the replay has all arrived.
        touch(*c, kMachines, "patched again");
        wait_until([&] { return log.events_of(late) == 2; });
        CHECK(log.events_of(late) == 2);
        CHECK(hub.counters().connects == kMachines + 2);
    }
    CHECK(hub.counters().errors == 0);
}

TEST_CASE("stream hub: streams come back after a droverd restart and miss nothing",
          "[stream_hub]") {
    DroverdProcess d;
    auto c = d.client();
    constexpr std::size_t kMachines = 20;
    create_machines(*c, 0, kMachines);
    FrameLog log;
    StreamHub hub({"127.0.0.1", d.port()}, log.handler());
    for (std::size_t n = 0; n < kMachines; ++n)
        hub.add(uuid_of(n), d.machine_token(uuid_of(n)));
    wait_until([&] { return hub.connected() == kMachines; });
    REQUIRE(hub.connected() == kMachines);
    touch(*c, 3, "before");
    wait_until([&] { return log.events_of(3) == 1; });

    d.stop();  // every stream ends with a resume frame
    d.start(true);
    auto after = d.client();
    touch(*after, 3, "after");  // before or after the hub is back: replayed or live
    touch(*after, 4, "after");
    wait_until([&] { return log.events_of(3) == 2 && log.events_of(4) == 1; });
    CHECK(log.events_of(3) == 2);
    CHECK(log.events_of(4) == 1);
    wait_until([&] { return hub.connected() == kMachines; });
    CHECK(hub.connected() == kMachines);
    CHECK(hub.counters().connects >= 2 * kMachines);
}

TEST_CASE("stream hub wire: frames split anywhere are read whole", "[stream_hub]") {
    const std::string bytes =
        "retry: 1000\n\n: heartbeat\n\nid: 7\ndata: {\"Time\":\"2024-05-01T10:00:00.123456789Z\"}"
        "\n\nevent: resume\ndata: {\"Object\":{\"LastEventID\":9}}\n\n";
    for (std::size_t piece : {1u, 2u, 5u, 1000u}) {
        drover::fleet::wire::SseReader reader;
        std::vector<drover::fleet::wire::SseFrame> frames;
        for (std::size_t at = 0; at < bytes.size(); at += piece)
            reader.feed(std::string_view(bytes).substr(at, piece),
                        [&](const auto& f) { frames.push_back(f); });
        INFO("pieces of " << piece);
        REQUIRE(frames.size() == 4);
        CHECK(frames[0].retry_ms == 1000);
        CHECK_FALSE(frames[1].has_data);
        CHECK(frames[2].id == 7u);
        CHECK(drover::fleet::wire::commit_time(frames[2].data).has_value());
        CHECK(frames[3].event == "resume");
        CHECK(drover::fleet::wire::resume_point(frames[3].data) == 9u);
    }
    CHECK_FALSE(drover::fleet::wire::commit_time(R"({"Time":"2024-05-01T10:00:00Z"})"));
    const std::string answer = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\nretry";
    auto head = drover::fleet::wire::parse_answer_head(answer);
    REQUIRE(head);
    CHECK(head->status == 200);
    CHECK_FALSE(head->chunked);
    CHECK(head->size == answer.find("retry"));
    CHECK_FALSE(drover::fleet::wire::parse_answer_head("HTTP/1.1 200 OK\r\n"));
}
