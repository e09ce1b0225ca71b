// The LMDB store against real environments in temp dirs: reads and writes, per-writer rollback
// inside a batch, events and their retention, the schema marker, the data dir lock, and calls
// that would deadlock.
#include "server/store/store.hpp"
#include "store_test_util.hpp"

#include <lmdb.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace drover::store;
using namespace drover::store::testing;

TEST_CASE("put, get, erase and count", "[store]") {
    TempDir tmp;
    auto store = open_ok(options_in(tmp.path));
    REQUIRE(put(*store, "machines", "m1", "one").ok());
    REQUIRE(put(*store, "machines", "m2", "two").ok());
    REQUIRE(put(*store, "tasks", "t1", "task").ok());
    CHECK(get(*store, "machines", "m1") == "one");
    CHECK(get(*store, "tasks", "t1") == "task");
    CHECK_FALSE(get(*store, "tasks", "m1"));
    CHECK_FALSE(get(*store, "nope", "m1"));

    REQUIRE(put(*store, "machines", "m1", "uno").ok());
    CHECK(get(*store, "machines", "m1") == "uno");

    bool erased = false, erased_again = true;
    REQUIRE(store
                ->write([&](WriteTxn& txn) {
                    erased = txn.erase("machines", "m2");
                    erased_again = txn.erase("machines", "m2");
                    return true;
                })
                .ok());
    CHECK(erased);
    CHECK_FALSE(erased_again);
    CHECK_FALSE(get(*store, "machines", "m2"));
    store->read([](const ReadView& view) {
        CHECK(view.count("machines") == 1);
        CHECK(view.count("tasks") == 1);
        CHECK(view.count("nope") == 0);
    });
}

TEST_CASE("scan visits keys in order from a start key until told to stop", "[store]") {
    TempDir tmp;
    auto store = open_ok(options_in(tmp.path));
    REQUIRE(store
                ->write([](WriteTxn& txn) {
                    for (const char* key : {"d", "b", "a", "c", "e"})
                        txn.put("tasks", key, key);
                    return true;
                })
                .ok());
    auto keys_from = [&](std::string from, std::size_t limit) {
        std::vector<std::string> keys;
        store->read([&](const ReadView& view) {
            view.scan("tasks", from, [&](std::string_view key, std::string_view value) {
                CHECK(key == value);
                keys.emplace_back(key);
                return keys.size() < limit;
            });
        });
        return keys;
    };
    CHECK(keys_from("", 100) == std::vector<std::string>{"a", "b", "c", "d", "e"});
    CHECK(keys_from("bb", 100) == std::vector<std::string>{"c", "d", "e"});
    CHECK(keys_from("b", 2) == std::vector<std::string>{"b", "c"});
    CHECK(keys_from("z", 100).empty());
}

TEST_CASE("a write transaction reads its own writes", "[store]") {
    TempDir tmp;
    auto store = open_ok(options_in(tmp.path));
    REQUIRE(put(*store, "machines", "old", "x").ok());
    Status status = store->write([](WriteTxn& txn) {
        txn.put("machines", "new", "y");
        CHECK(txn.get("machines", "new") == "y");
        CHECK(txn.count("machines") == 2);
        std::vector<std::string> keys;
        txn.scan("machines", "", [&](std::string_view key, std::string_view) {
            keys.emplace_back(key);
            return true;
        });
        CHECK(keys == std::vector<std::string>{"new", "old"});
        CHECK(txn.erase("machines", "old"));
        CHECK_FALSE(txn.get("machines", "old"));
        std::uint64_t seq = txn.append_event("e1");
        CHECK(seq == 1);
        CHECK(txn.last_event_seq() == 1);
        CHECK(txn.first_event_seq() == 1);
        int seen = 0;
        txn.scan_events(0, [&](const EventRecord& e) {
            CHECK(e.seq == 1);
            CHECK(e.data == "e1");
            ++seen;
            return true;
        });
        CHECK(seen == 1);
        return true;
    });
    REQUIRE(status.ok());
    CHECK(get(*store, "machines", "new") == "y");
    CHECK_FALSE(get(*store, "machines", "old"));
}

TEST_CASE("a writer that aborts, throws or fails leaves no trace, its batch-mates commit",
          "[store]") {
    TempDir tmp;
    auto store = open_ok(options_in(tmp.path));
    std::mutex mu;
    std::vector<std::vector<EventRecord>> batches;
    store->set_commit_listener([&](const std::vector<EventRecord>& events) {
        std::lock_guard lock(mu);
        batches.push_back(events);
    });

    // A blocker holds the committer inside its batch while the others queue up behind it, so
    // they all land in the next batch together.
    constexpr int kWriters = 8;
    std::atomic<int> queued{0};
    std::atomic<bool> blocking{false};
    std::thread blocker([&] {
        REQUIRE(store
                    ->write([&](WriteTxn& txn) {
                        blocking = true;
                        txn.append_event("blocker");
                        while (queued.load() < kWriters)
                            std::this_thread::yield();
                        std::this_thread::sleep_for(std::chrono::milliseconds(300));
                        return true;
                    })
                    .ok());
    });
    while (!blocking.load())
        std::this_thread::yield();
    std::vector<Status> results(kWriters);
    std::vector<std::thread> threads;
    for (int i = 0; i < kWriters; ++i) {
        threads.emplace_back([&, i] {
            std::string key = "k" + std::to_string(i);
            queued.fetch_add(1);
            results[i] = store->write([&, i](WriteTxn& txn) {
                txn.put("machines", key, "v");
                txn.append_event(key);
                if (i == 2) return false;
                if (i == 4) throw std::runtime_error("boom");
                if (i == 6) txn.put("no-such-bucket", "x", "y");
                return true;
            });
        });
    }
    blocker.join();
    for (auto& t : threads)
        t.join();

    for (int i = 0; i < kWriters; ++i) {
        INFO("writer " << i << ": " << results[i].message);
        std::string key = "k" + std::to_string(i);
        if (i == 2) {
            CHECK(results[i].code == StoreCode::Aborted);
        } else if (i == 4) {
            CHECK(results[i].code == StoreCode::Io);
            CHECK(results[i].message.find("boom") != std::string::npos);
        } else if (i == 6) {
            CHECK(results[i].code == StoreCode::Io);
            CHECK(results[i].message.find("no-such-bucket") != std::string::npos);
        } else {
            CHECK(results[i].ok());
        }
        CHECK(get(*store, "machines", key).has_value() == results[i].ok());
    }
    std::lock_guard lock(mu);
    REQUIRE(batches.size() == 2);  // the blocker's batch, then everyone else's together
    CHECK(batches[1].size() == kWriters - 3);
    std::set<std::string> committed;
    for (std::size_t i = 0; i < batches[1].size(); ++i) {
        CHECK(batches[1][i].seq == 2 + i);
        committed.insert(batches[1][i].data);
    }
    CHECK(committed == std::set<std::string>{"k0", "k1", "k3", "k5", "k7"});
    CHECK(events_after(*store, 0).size() == kWriters - 3 + 1);
}

TEST_CASE("event sequence numbers are consecutive and only committed ones are used",
          "[store][events]") {
    TempDir tmp;
    auto store = open_ok(options_in(tmp.path));
    CHECK(event_bounds(*store) == std::pair<std::uint64_t, std::uint64_t>{0, 0});
    CHECK(put_with_event(*store, "a", "1") == 1);
    std::uint64_t a2 = 0, a3 = 0;
    REQUIRE(store
                ->write([&](WriteTxn& txn) {
                    a2 = txn.append_event("two");
                    a3 = txn.append_event("three");
                    return true;
                })
                .ok());
    CHECK(a2 == 2);
    CHECK(a3 == 3);
    Status aborted = store->write([](WriteTxn& txn) {
        txn.put("machines", "ghost", "x");
        CHECK(txn.append_event("ghost") == 4);
        return false;
    });
    CHECK(aborted.code == StoreCode::Aborted);
    CHECK(put_with_event(*store, "b", "2") == 4);  // the aborted writer's 4 was never used
    CHECK_FALSE(get(*store, "machines", "ghost"));

    auto all = events_after(*store, 0);
    REQUIRE(all.size() == 4);
    std::vector<std::string> data;
    for (std::size_t i = 0; i < all.size(); ++i) {
        CHECK(all[i].seq == i + 1);
        data.push_back(all[i].data);
    }
    CHECK(data == std::vector<std::string>{"a", "two", "three", "b"});
    auto after2 = events_after(*store, 2);
    REQUIRE(after2.size() == 2);
    CHECK(after2[0].seq == 3);
    CHECK(events_after(*store, 4).empty());
    CHECK(event_bounds(*store) == std::pair<std::uint64_t, std::uint64_t>{1, 4});
}

TEST_CASE("events and the last sequence number persist across a reopen", "[store][events]") {
    TempDir tmp;
    auto options = options_in(tmp.path);
    options.event_retention_count = 2;
    {
        auto store = open_ok(options);
        for (int i = 1; i <= 5; ++i)
            CHECK(put_with_event(*store, "k" + std::to_string(i), "v"));
    }
    auto store = open_ok(options);
    CHECK(event_bounds(*store) == std::pair<std::uint64_t, std::uint64_t>{4, 5});
    CHECK(get(*store, "machines", "k5") == "v");
    CHECK(put_with_event(*store, "k6", "v") == 6);
    auto events = events_after(*store, 0);
    REQUIRE(events.size() == 2);
    CHECK(events[0].seq == 5);
    CHECK(events[1].data == "k6");
}

TEST_CASE("event retention by count", "[store][events]") {
    TempDir tmp;
    auto options = options_in(tmp.path);
    options.event_retention_count = 10;
    auto store = open_ok(options);
    for (int i = 1; i <= 25; ++i)
        REQUIRE(put_with_event(*store, "k" + std::to_string(i), "v"));
    CHECK(event_bounds(*store) == std::pair<std::uint64_t, std::uint64_t>{16, 25});
    auto events = events_after(*store, 0);
    REQUIRE(events.size() == 10);
    CHECK(events.front().seq == 16);
    CHECK(events.back().seq == 25);
    CHECK(events_after(*store, 20).size() == 5);
}

TEST_CASE("event retention by age", "[store][events]") {
    TempDir tmp;
    auto options = options_in(tmp.path);
    options.event_retention_seconds = 3600;
    auto now = std::make_shared<std::atomic<std::int64_t>>(1'700'000'000);
    options.clock = [now] {
        return std::chrono::system_clock::time_point(std::chrono::seconds(now->load()));
    };
    auto store = open_ok(options);
    for (int i = 1; i <= 5; ++i)
        REQUIRE(put_with_event(*store, "old" + std::to_string(i), "v"));
    *now += 30 * 60;
    for (int i = 1; i <= 3; ++i)
        REQUIRE(put_with_event(*store, "mid" + std::to_string(i), "v"));
    CHECK(event_bounds(*store) == std::pair<std::uint64_t, std::uint64_t>{1, 8});
    *now += 31 * 60;  // the first five are now 61 minutes old
    REQUIRE(put_with_event(*store, "new", "v") == 9);
    CHECK(event_bounds(*store) == std::pair<std::uint64_t, std::uint64_t>{6, 9});
    *now += 2 * 3600;  // everything is too old, yet the sequence carries on
    REQUIRE(put_with_event(*store, "newer", "v") == 10);
    CHECK(event_bounds(*store) == std::pair<std::uint64_t, std::uint64_t>{10, 10});
}

TEST_CASE("a store written by a newer schema version is refused untouched", "[store]") {
    TempDir tmp;
    auto options = options_in(tmp.path);
    open_ok(options).reset();
    auto set_version = [&](const char* version) {
        MDB_env* env = nullptr;
        REQUIRE(mdb_env_create(&env) == 0);
        mdb_env_set_maxdbs(env, 8);
        REQUIRE(mdb_env_open(env, options.data_dir.c_str(), 0, 0644) == 0);
        MDB_txn* txn = nullptr;
        REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
        MDB_dbi meta = 0;
        REQUIRE(mdb_dbi_open(txn, "meta", 0, &meta) == 0);
        MDB_val k{14, const_cast<char*>("schema-version")};
        MDB_val v{std::strlen(version), const_cast<char*>(version)};
        REQUIRE(mdb_put(txn, meta, &k, &v, 0) == 0);
        REQUIRE(mdb_txn_commit(txn) == 0);
        mdb_env_close(env);
    };
    set_version("2");
    Status status;
    auto store = open_lmdb_store(options, status);
    CHECK(store == nullptr);
    CHECK(status.code == StoreCode::TooNew);
    INFO(status.message);
    CHECK(status.message.find("schema version 2") != std::string::npos);
    CHECK(status.message.find("schema version 1") != std::string::npos);
    CHECK(status.message.find(options.data_dir) != std::string::npos);

    set_version("1");
    CHECK(open_ok(options) != nullptr);
}

TEST_CASE("a second open of the same data dir is refused while the first is open", "[store]") {
    TempDir tmp;
    auto options = options_in(tmp.path);
    auto first = open_ok(options);
    Status status;
    auto second = open_lmdb_store(options, status);
    CHECK(second == nullptr);
    CHECK(status.code == StoreCode::Locked);
    INFO(status.message);
    CHECK(status.message.find("pid " + std::to_string(::getpid())) != std::string::npos);
    first.reset();
    CHECK(open_ok(options) != nullptr);
}

TEST_CASE("bad keys and buckets fail only their own writer", "[store]") {
    TempDir tmp;
    auto store = open_ok(options_in(tmp.path));
    Status too_long = put(*store, "machines", std::string(600, 'k'), "v");
    CHECK(too_long.code == StoreCode::Io);
    Status empty = put(*store, "machines", "", "v");
    CHECK(empty.code == StoreCode::Io);
    CHECK(put(*store, "machines", "fine", "v").ok());
    CHECK_FALSE(get(*store, "machines", std::string(600, 'k')));

    Status status;
    auto options = options_in(tmp.path + "/other");
    options.buckets.push_back("events");
    CHECK(open_lmdb_store(options, status) == nullptr);
    CHECK(status.code == StoreCode::Io);
}

TEST_CASE("re-entrant calls: nested reads work, writes that would deadlock are refused",
          "[store]") {
    TempDir tmp;
    auto store = open_ok(options_in(tmp.path));
    REQUIRE(put(*store, "machines", "a", "1").ok());

    std::optional<std::string> inner;
    Status inside_read;
    store->read([&](const ReadView&) {
        store->read([&](const ReadView& view) { inner = view.get("machines", "a"); });
        inside_read = put(*store, "machines", "b", "2");
    });
    CHECK(inner == "1");
    store->read([&](const ReadView&) { CHECK(store->stats().map_size > 0); });
    CHECK(inside_read.code == StoreCode::Io);

    Status inside_write;
    REQUIRE(store
                ->write([&](WriteTxn& txn) {
                    inside_write = put(*store, "machines", "c", "3");
                    txn.put("machines", "d", "4");
                    return true;
                })
                .ok());
    CHECK(inside_write.code == StoreCode::Io);
    CHECK(get(*store, "machines", "d") == "4");

    Status inside_listener;
    store->set_commit_listener([&](const std::vector<EventRecord>&) {
        inside_listener = put(*store, "machines", "e", "5");
    });
    CHECK(put_with_event(*store, "f", "6") == 1);
    CHECK(inside_listener.code == StoreCode::Io);
    CHECK_FALSE(get(*store, "machines", "b"));
    CHECK_FALSE(get(*store, "machines", "c"));
    CHECK_FALSE(get(*store, "machines", "e"));
}
