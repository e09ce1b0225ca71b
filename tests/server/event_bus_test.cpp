// The event bus over a real store: wakes only the streams an event concerns, replays from a
// resume point exactly once, refuses resume points it no longer has, and cuts off a consumer that
// falls behind with a final frame saying where to resume.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "server/events/event_bus.hpp"
#include "store_test_util.hpp"

using namespace drover;
using namespace drover::store::testing;
using nlohmann::json;

namespace {

class FakeStream : public http::Stream {
  public:
    explicit FakeStream(std::size_t limit = 1 << 20) : limit_(limit) {}
    bool write(std::string bytes) override {
        std::lock_guard lock(mutex_);
        if (!open_ || size_ + bytes.size() > limit_) return false;
        size_ += bytes.size();
        frames_.push_back(std::move(bytes));
        return true;
    }
    void finish() override { finish_with({}); }
    void finish_with(std::string last) override {
        std::lock_guard lock(mutex_);
        if (!open_) return;
        last_ = std::move(last);
        open_ = false;
    }
    bool is_open() const override {
        std::lock_guard lock(mutex_);
        return open_;
    }
    // Keys of the data frames received, in order.
    std::vector<std::string> keys() const {
        std::lock_guard lock(mutex_);
        std::vector<std::string> out;
        for (const auto& f : frames_) {
            auto at = f.find("data: ");
            if (at != std::string::npos)
                out.push_back(json::parse(f.substr(at + 6, f.size() - at - 8))["Key"]);
        }
        return out;
    }
    std::string last() const {
        std::lock_guard lock(mutex_);
        return last_;
    }

  private:
    mutable std::mutex mutex_;
    std::size_t limit_, size_ = 0;
    bool open_ = true;
    std::vector<std::string> frames_;
    std::string last_;
};

std::uint64_t emit(store::Store& s, const std::string& type, const std::string& key) {
    std::uint64_t seq = 0;
    s.write([&](store::WriteTxn& txn) {
        seq = txn.append_event(json{{"Type", type}, {"Action", "update"}, {"Key", key}}.dump());
        return true;
    });
    return seq;
}

api::FilterSet filters(std::initializer_list<const char*> texts) {
    api::FilterSet f;
    for (auto t : texts)
        REQUIRE_FALSE(f.add(t).has_value());
    return f;
}

struct World {
    TempDir dir;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<events::EventBus> bus;
    explicit World(std::size_t retention = 100000) {
        auto opts = options_in(dir.path);
        opts.event_retention_count = retention;
        store = open_ok(opts);
        bus = std::make_unique<events::EventBus>(*store, events::EventBusOptions{3600});
        store->set_commit_listener(
            [b = bus.get()](const std::vector<store::EventRecord>& ev) { b->publish(ev); });
    }
};

}  // namespace

TEST_CASE("an event wakes only the streams whose filters match", "[events][spec6.6]") {
    World w;
    auto a = std::make_shared<FakeStream>(), b = std::make_shared<FakeStream>(),
         any = std::make_shared<FakeStream>();
    w.bus->subscribe(a, filters({"machines.update.a"}), std::nullopt);
    w.bus->subscribe(b, filters({"machines.*.b"}), std::nullopt);
    w.bus->subscribe(any, filters({"*.*.*"}), std::nullopt);
    emit(*w.store, "machines", "a");
    emit(*w.store, "machines", "b");
    emit(*w.store, "tasks", "a");
    CHECK(a->keys() == std::vector<std::string>{"a"});
    CHECK(b->keys() == std::vector<std::string>{"b"});
    CHECK(any->keys() == std::vector<std::string>{"a", "b", "a"});
}

TEST_CASE("resume replays from the store, then goes live, each event once", "[events][spec6.6]") {
    World w;
    std::uint64_t first = emit(*w.store, "machines", "e1");
    emit(*w.store, "machines", "e2");
    emit(*w.store, "machines", "e3");
    auto s = std::make_shared<FakeStream>();
    auto sub = w.bus->subscribe(s, filters({"machines.*.*"}), first);
    CHECK(sub.outcome == events::SubscribeOutcome::Subscribed);
    emit(*w.store, "machines", "e4");
    CHECK(s->keys() == std::vector<std::string>{"e2", "e3", "e4"});
}

TEST_CASE("a resume point outside the retained window is Gone", "[events][spec6.6]") {
    World w(3);
    for (int i = 0; i < 10; ++i)
        emit(*w.store, "machines", "k" + std::to_string(i));
    CHECK_FALSE(w.bus->can_resume(1));
    CHECK(w.bus->can_resume(8));
    CHECK_FALSE(w.bus->can_resume(1000));  // from another store
    auto s = std::make_shared<FakeStream>();
    CHECK(w.bus->subscribe(s, filters({"*.*.*"}), 1).outcome == events::SubscribeOutcome::Gone);
}

TEST_CASE("a consumer that falls behind is cut off with a resume frame", "[events][spec6.6]") {
    World w;
    auto slow = std::make_shared<FakeStream>(600);
    auto fine = std::make_shared<FakeStream>();
    w.bus->subscribe(slow, filters({"*.*.*"}), std::nullopt);
    w.bus->subscribe(fine, filters({"*.*.*"}), std::nullopt);
    std::uint64_t last_ok = 0;
    for (int i = 0; i < 20; ++i) {
        std::uint64_t seq = emit(*w.store, "machines", "k" + std::to_string(i));
        if (slow->is_open()) last_ok = seq;
    }
    CHECK_FALSE(slow->is_open());
    CHECK(slow->last().find("event: resume") == 0);
    CHECK(w.bus->open_streams() == 1);
    CHECK(fine->keys().size() == 20);
    // The goodbye names the last event it did get, so a reconnect loses nothing.
    auto data = json::parse(slow->last().substr(slow->last().find("data: ") + 6));
    CHECK(data["Object"]["LastEventID"].get<std::uint64_t>() < last_ok + 1);
    CHECK(data["Object"]["LastEventID"].get<std::uint64_t>() > 0);
}

TEST_CASE("attach is asynchronous and a handle closed first never subscribes", "[events]") {
    World w;
    auto s = std::make_shared<FakeStream>();
    auto handle = w.bus->attach(s, filters({"*.*.*"}), std::nullopt);
    for (int i = 0; i < 200 && w.bus->open_streams() == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(w.bus->open_streams() == 1);
    handle->close();
    CHECK(w.bus->open_streams() == 0);
    auto s2 = std::make_shared<FakeStream>();
    auto h2 = w.bus->attach(s2, filters({"*.*.*"}), std::nullopt);
    h2->close();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(w.bus->open_streams() == 0);
}

TEST_CASE(
    "close_all ends every stream with a resume frame and a retry hint, later attaches get "
    "only that frame",
    "[events][shutdown]") {
    World w;
    auto a = std::make_shared<FakeStream>();
    w.bus->subscribe(a, filters({"machines.*.a"}), std::nullopt);
    std::uint64_t got = emit(*w.store, "machines", "a");
    std::uint64_t skipped = emit(*w.store, "machines", "b");  // not a's
    w.bus->close_all();
    CHECK_FALSE(a->is_open());
    CHECK(a->last().rfind("retry: ", 0) == 0);
    CHECK(a->last().find("\nevent: resume\n") != std::string::npos);
    CHECK(a->last().find("id: ") == std::string::npos);  // Last-Event-ID stays the last event
    auto data = json::parse(a->last().substr(a->last().find("data: ") + 6));
    CHECK(data["Key"] == "server shutdown");
    CHECK(data["Object"]["LastEventID"].get<std::uint64_t>() == got);
    CHECK(w.bus->open_streams() == 0);

    // A stream attached while the server stops resumes where it asked to start.
    auto late = std::make_shared<FakeStream>();
    auto handle = w.bus->attach(late, filters({"*.*.*"}), got);
    for (int i = 0; i < 2000 && late->is_open(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK_FALSE(late->is_open());
    CHECK(late->keys().empty());
    data = json::parse(late->last().substr(late->last().find("data: ") + 6));
    CHECK(data["Object"]["LastEventID"].get<std::uint64_t>() == got);
    CHECK(w.bus->open_streams() == 0);
    CHECK(skipped > got);
    handle->close();
}

TEST_CASE("a live event goes by its writer's route, one read back by its JSON",
          "[events][spec6.6]") {
    World w;
    auto mine = std::make_shared<FakeStream>(), other = std::make_shared<FakeStream>();
    auto only_m1 = [](const std::string&, const std::string&, const std::string& machine) {
        return machine == "m1";
    };
    w.bus->subscribe(mine, filters({"jobs.*.*"}), std::nullopt, only_m1);
    w.bus->subscribe(other, filters({"machines.*.*"}), std::nullopt);
    // The route, not the JSON, decides live delivery: the JSON here names another type and no
    // Machine, which the bus would have to parse to see.
    json doc{{"Type", "jobs"}, {"Action", "create"}, {"Key", "j1"}};
    w.store->write([&](store::WriteTxn& txn) {
        txn.append_event(doc.dump(), {"jobs", "create", "j1", "m1"});
        return true;
    });
    CHECK(mine->keys() == std::vector<std::string>{"j1"});
    CHECK(other->keys().empty());

    // A stream resuming from the log has only the JSON: without a Machine, m1's stream sees
    // nothing (denied, as an unknown machine is).
    auto resumed = std::make_shared<FakeStream>();
    w.bus->subscribe(resumed, filters({"jobs.*.*"}), 0, only_m1);
    CHECK(resumed->keys().empty());
}

namespace {

// A stream whose first write waits until the test lets it go: it holds the bus's thread inside a
// replay for as long as the test likes.
class HeldStream : public FakeStream {
  public:
    bool write(std::string bytes) override {
        std::unique_lock lock(hold_mutex_);
        entered_ = true;
        changed_.notify_all();
        changed_.wait(lock, [&] { return released_; });
        lock.unlock();
        return FakeStream::write(std::move(bytes));
    }
    void wait_entered() {
        std::unique_lock lock(hold_mutex_);
        changed_.wait(lock, [&] { return entered_; });
    }
    void release() {
        std::lock_guard lock(hold_mutex_);
        released_ = true;
        changed_.notify_all();
    }

  private:
    std::mutex hold_mutex_;
    std::condition_variable changed_;
    bool entered_ = false, released_ = false;
};

// Whether `fn` finishes while the held stream is still held; a deadlock would never finish, so
// the wait is long and only ends the test, it measures nothing.
bool finishes_while_held(HeldStream& held, std::function<void()> fn) {
    auto done = std::async(std::launch::async, std::move(fn));
    bool finished = done.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
    held.release();
    done.wait();
    return finished;
}

}  // namespace

TEST_CASE("a replay holds up neither commits nor other streams, and joins live without a gap",
          "[events][spec6.6]") {
    World w;
    std::uint64_t first = emit(*w.store, "machines", "e1");
    emit(*w.store, "machines", "e2");
    auto held = std::make_shared<HeldStream>();
    auto handle = w.bus->attach(held, filters({"machines.*.*"}), first);
    held->wait_entered();  // the bus thread is inside the replay now
    auto other = std::make_shared<FakeStream>();
    std::shared_ptr<events::EventBus::Handle> other_handle;
    CHECK(finishes_while_held(*held, [&] {
        emit(*w.store, "machines", "e3");  // a commit: its publish takes the bus mutex
        other_handle = w.bus->attach(other, filters({"machines.*.*"}), first);
        w.bus->open_streams();
    }));
    emit(*w.store, "machines", "e4");
    for (int i = 0; i < 2000 && w.bus->open_streams() < 2; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    emit(*w.store, "machines", "e5");
    // e3 was committed during the replay, e4 and e5 may come before or after registration: each
    // exactly once, in order, for both.
    const std::vector<std::string> want{"e2", "e3", "e4", "e5"};
    for (int i = 0; i < 2000 && other->keys().size() < want.size(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(held->keys() == want);
    CHECK(other->keys() == want);
    handle->close();
    other_handle->close();
    CHECK(w.bus->open_streams() == 0);
}

TEST_CASE("streams attaching together replay from one scan, each its own events",
          "[events][spec6.6]") {
    World w;
    std::uint64_t start = emit(*w.store, "machines", "m0");
    for (int i = 0; i < 300; ++i)
        emit(*w.store, "machines", "m" + std::to_string(i % 30));
    std::vector<std::shared_ptr<FakeStream>> streams;
    std::vector<std::shared_ptr<events::EventBus::Handle>> handles;
    for (int m = 0; m < 30; ++m) {
        auto s = std::make_shared<FakeStream>();
        std::string filter = "machines.*.m" + std::to_string(m);
        handles.push_back(w.bus->attach(s, filters({filter.c_str()}), start + m));
        streams.push_back(s);
    }
    for (int i = 0; i < 2000 && w.bus->open_streams() < 30; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    REQUIRE(w.bus->open_streams() == 30);
    emit(*w.store, "machines", "m7");
    for (int m = 0; m < 30; ++m) {
        // After start + m come all 10 of m's own events in the log, and m7 has the live one.
        std::size_t want = 10 + (m == 7 ? 1 : 0);
        INFO("stream m" << m);
        CHECK(streams[m]->keys().size() == want);
        for (const auto& k : streams[m]->keys())
            CHECK(k == "m" + std::to_string(m));
    }
    for (auto& h : handles)
        h->close();
}

TEST_CASE("a stream that falls behind during its replay is cut off where it got to",
          "[events][spec6.6]") {
    World w;
    std::uint64_t start = emit(*w.store, "machines", "k");
    for (int i = 0; i < 50; ++i)
        emit(*w.store, "machines", "k" + std::to_string(i));
    auto small = std::make_shared<FakeStream>(1000);
    auto handle = w.bus->attach(small, filters({"*.*.*"}), start);
    for (int i = 0; i < 2000 && small->is_open(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    REQUIRE_FALSE(small->is_open());
    CHECK(w.bus->open_streams() == 0);
    auto data = json::parse(small->last().substr(small->last().find("data: ") + 6));
    // The resume point is the last event it received, so a reconnect misses none.
    auto got = small->keys();
    REQUIRE_FALSE(got.empty());
    CHECK(data["Object"]["LastEventID"].get<std::uint64_t>() == start + got.size());
    handle->close();
}
