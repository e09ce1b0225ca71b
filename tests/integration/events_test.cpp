// The event stream (spec 1.11, 6.6 as SSE): every change is an event with a monotonically
// increasing id, filters select by type.action.key, Last-Event-ID resumes without loss, 410 when
// the events are gone, and many streams do not starve ordinary requests.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "droverd_process.hpp"

using namespace drover::testing;
using nlohmann::json;

namespace {

struct SseEvent {
    std::uint64_t id = 0;
    std::string event;  // "" for ordinary events
    json data;
};

// Reads an SSE stream in a background thread until `want` events arrived or the stream ends.
class SseReader {
  public:
    SseReader(const DroverdProcess& d, std::string target, std::size_t want,
              std::string last_event_id = "")
        : client_("127.0.0.1", d.port()) {
        client_.set_read_timeout(20, 0);
        client_.set_bearer_token_auth(d.admin_token().c_str());
        thread_ = std::thread([this, target, want, last_event_id] {
            httplib::Headers h;
            if (!last_event_id.empty()) h.emplace("Last-Event-ID", last_event_id);
            std::string buf;
            auto res = client_.Get(target, h, [&](const char* data, size_t n) {
                buf.append(data, n);
                parse(buf);
                std::lock_guard lock(mutex_);
                return events_.size() < want;
            });
            if (res) status_ = res->status;
            done_ = true;
        });
    }
    ~SseReader() {
        client_.stop();
        thread_.join();
    }
    std::vector<SseEvent> wait(std::size_t n, int seconds = 20) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        while (std::chrono::steady_clock::now() < deadline && !done_) {
            {
                std::lock_guard lock(mutex_);
                if (events_.size() >= n) break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        std::lock_guard lock(mutex_);
        return events_;
    }
    bool done() const { return done_; }
    int status() const { return status_; }

  private:
    void parse(std::string& buf) {
        std::size_t end;
        while ((end = buf.find("\n\n")) != std::string::npos) {
            std::string frame = buf.substr(0, end);
            buf.erase(0, end + 2);
            SseEvent ev;
            bool has_data = false;
            std::size_t pos = 0;
            while (pos < frame.size()) {
                std::size_t nl = frame.find('\n', pos);
                std::string line =
                    frame.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
                pos = nl == std::string::npos ? frame.size() : nl + 1;
                if (line.rfind("id: ", 0) == 0) ev.id = std::stoull(line.substr(4));
                if (line.rfind("event: ", 0) == 0) ev.event = line.substr(7);
                if (line.rfind("data: ", 0) == 0) {
                    ev.data = json::parse(line.substr(6));
                    has_data = true;
                }
            }
            if (has_data) {
                std::lock_guard lock(mutex_);
                events_.push_back(std::move(ev));
            }
        }
    }

    httplib::Client client_;
    std::thread thread_;
    std::mutex mutex_;
    std::vector<SseEvent> events_;
    std::atomic<bool> done_{false};
    std::atomic<int> status_{0};
};

void wait_streams(httplib::Client& c, int n) {
    // Streams attach asynchronously; a change made right after connecting could predate them.
    (void)c;
    (void)n;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
}

}  // namespace

TEST_CASE("every change is one event, in order, with its object",
          "[integration][events][spec1.11]") {
    DroverdProcess d;
    auto c = d.client();
    SseReader all(d, "/api/v3/events?filter=profiles.*.*", 3);
    wait_streams(*c, 1);
    REQUIRE(post(*c, "/api/v3/profiles", {{"Name", "p1"}}).status == 201);
    REQUIRE(patch(*c, "/api/v3/profiles/p1",
                  json::array({{{"op", "add"}, {"path", "/Description"}, {"value", "d"}}}))
                .status == 200);
    REQUIRE(del(*c, "/api/v3/profiles/p1").status == 200);
    auto evs = all.wait(3);
    REQUIRE(evs.size() == 3);
    CHECK(evs[0].data["Action"] == "create");
    CHECK(evs[1].data["Action"] == "update");
    CHECK(evs[1].data["Original"]["Description"] == "");
    CHECK(evs[1].data["Object"]["Description"] == "d");
    CHECK(evs[2].data["Action"] == "delete");
    CHECK(evs[0].id < evs[1].id);
    CHECK(evs[1].id < evs[2].id);
}

TEST_CASE("filters select type, action and key", "[integration][events][spec6.6]") {
    DroverdProcess d;
    auto c = d.client();
    SseReader one(d, "/api/v3/events?filter=profiles.update.p2&filter=tasks.create.*", 2);
    wait_streams(*c, 1);
    for (const char* p : {"p1", "p2"})
        REQUIRE(post(*c, "/api/v3/profiles", {{"Name", p}}).status == 201);
    for (const char* p : {"p1", "p2"})
        REQUIRE(post(*c, std::string("/api/v3/profiles/") + p + "/params/xx", json(1)).status ==
                200);
    REQUIRE(post(*c, "/api/v3/tasks", {{"Name", "t1"}}).status == 201);
    auto evs = one.wait(2);
    REQUIRE(evs.size() == 2);
    CHECK((evs[0].data["Type"] == "profiles" && evs[0].data["Key"] == "p2" &&
           evs[0].data["Action"] == "update"));
    CHECK((evs[1].data["Type"] == "tasks" && evs[1].data["Key"] == "t1"));
    CHECK(get(*c, "/api/v3/events?filter=a.b").status == 400);
}

TEST_CASE("Last-Event-ID resumes exactly after a reconnect and a restart",
          "[integration][events][spec6.6]") {
    DroverdProcess d;
    auto c = d.client();
    std::uint64_t first_id = 0;
    {
        SseReader r(d, "/api/v3/events?filter=profiles.create.*", 1);
        wait_streams(*c, 1);
        REQUIRE(post(*c, "/api/v3/profiles", {{"Name", "a1"}}).status == 201);
        auto evs = r.wait(1);
        REQUIRE(evs.size() == 1);
        first_id = evs[0].id;
    }
    // While nobody listens: more changes, and a server restart.
    REQUIRE(post(*c, "/api/v3/profiles", {{"Name", "a2"}}).status == 201);
    d.restart();
    c = d.client();
    REQUIRE(post(*c, "/api/v3/profiles", {{"Name", "a3"}}).status == 201);
    SseReader resumed(d, "/api/v3/events?filter=profiles.create.*", 3, std::to_string(first_id));
    wait_streams(*c, 1);
    REQUIRE(post(*c, "/api/v3/profiles", {{"Name", "a4"}}).status == 201);
    auto evs = resumed.wait(3);
    REQUIRE(evs.size() == 3);
    CHECK(evs[0].data["Key"] == "a2");
    CHECK(evs[1].data["Key"] == "a3");
    CHECK(evs[2].data["Key"] == "a4");
}

TEST_CASE("resuming outside the retained window answers 410", "[integration][events][spec6.6]") {
    DroverdProcess d({"--event-retention-count", "5"});
    auto c = d.client();
    for (int i = 0; i < 20; ++i)
        REQUIRE(post(*c, "/api/v3/profiles", {{"Name", "x" + std::to_string(i)}}).status == 201);
    httplib::Headers h{{"Last-Event-ID", "1"}};
    auto r = c->Get("/api/v3/events", h);
    REQUIRE(r);
    CHECK(r->status == 410);
    CHECK(json::parse(r->body)["Type"] == "Gone");
    httplib::Headers future{{"Last-Event-ID", "999999"}};
    r = c->Get("/api/v3/events", future);
    REQUIRE(r);
    CHECK(r->status == 410);
}

TEST_CASE("hundreds of open streams leave ordinary requests working", "[integration][events]") {
    DroverdProcess d;
    std::vector<std::unique_ptr<SseReader>> readers;
    for (int i = 0; i < 300; ++i)
        readers.push_back(std::make_unique<SseReader>(
            d, "/api/v3/events?filter=profiles.*.p" + std::to_string(i), 1));
    auto c = d.client();
    wait_streams(*c, 300);
    for (int i = 0; i < 50; ++i)
        REQUIRE(get(*c, "/api/v3/profiles/global").status == 200);
    REQUIRE(post(*c, "/api/v3/profiles", {{"Name", "p7"}}).status == 201);
    CHECK(readers[7]->wait(1).size() == 1);
    CHECK(readers[8]->wait(0).empty());
}
