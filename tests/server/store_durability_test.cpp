// The LMDB store under load and failure: concurrent writers, the commit listener, map growth
// with readers active, a full disk (tmpfs) and a SIGKILL in the middle of a write burst.
#include "server/store/store.hpp"
#include "store_test_util.hpp"

#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace drover::store;
using namespace drover::store::testing;

TEST_CASE("16 threads x 200 writes: every acknowledged write survives a reopen",
          "[store][concurrency]") {
    TempDir tmp;
    auto options = options_in(tmp.path);
    constexpr int kThreads = 16, kWrites = 200;
    std::vector<std::vector<std::uint64_t>> seqs(kThreads);
    StoreStats stats;
    {
        auto store = open_ok(options);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kWrites; ++i) {
                    std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
                    seqs[t].push_back(put_with_event(*store, key, key + "-value"));
                }
            });
        }
        for (auto& thread : threads)
            thread.join();
        stats = store->stats();
    }
    CHECK(stats.writes == kThreads * kWrites);
    CHECK(stats.commits < stats.writes);  // concurrent writers shared commits
    CHECK(stats.map_size >= options.initial_map_size);
    CHECK(stats.used_bytes > 0);

    auto store = open_ok(options);
    std::set<std::uint64_t> unique;
    for (int t = 0; t < kThreads; ++t) {
        for (int i = 0; i < kWrites; ++i) {
            std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
            REQUIRE(seqs[t][i] != 0);
            unique.insert(seqs[t][i]);
            REQUIRE(get(*store, "machines", key) == key + "-value");
        }
    }
    CHECK(unique.size() == kThreads * kWrites);
    auto events = events_after(*store, 0);
    REQUIRE(events.size() == kThreads * kWrites);
    std::map<std::uint64_t, std::string> by_seq;
    for (std::size_t i = 0; i < events.size(); ++i) {
        REQUIRE(events[i].seq == i + 1);  // gap-free
        by_seq[events[i].seq] = events[i].data;
    }
    for (int t = 0; t < kThreads; ++t) {
        for (int i = 0; i < kWrites; ++i) {
            CHECK(by_seq[seqs[t][i]] == "t" + std::to_string(t) + "-" + std::to_string(i));
        }
    }
}

TEST_CASE("the commit listener sees every event once, in order, before write() returns",
          "[store][events][concurrency]") {
    TempDir tmp;
    auto store = open_ok(options_in(tmp.path));
    std::mutex mu;
    std::vector<std::uint64_t> seen;
    store->set_commit_listener([&](const std::vector<EventRecord>& events) {
        std::lock_guard lock(mu);
        for (const auto& e : events)
            seen.push_back(e.seq);
    });
    constexpr int kThreads = 8, kWrites = 100;
    std::atomic<int> late{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kWrites; ++i) {
                std::uint64_t last = 0;
                Status status = store->write([&](WriteTxn& txn) {
                    txn.append_event("a");
                    if ((t + i) % 3 == 0) txn.append_event("b");
                    last = txn.last_event_seq();
                    return (t + i) % 7 != 0;  // some writers roll back
                });
                if (!status.ok()) continue;
                std::lock_guard lock(mu);
                if (seen.empty() || seen.back() < last) late.fetch_add(1);
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    CHECK(late.load() == 0);
    std::lock_guard lock(mu);
    REQUIRE_FALSE(seen.empty());
    for (std::size_t i = 0; i < seen.size(); ++i)
        REQUIRE(seen[i] == i + 1);
    CHECK(seen.back() == event_bounds(*store).second);
}

TEST_CASE("the map grows from 1 MiB to hold 20 MiB while readers run", "[store][mapsize]") {
    TempDir tmp;
    auto options = options_in(tmp.path);
    options.initial_map_size = 1 << 20;
    // 8 writers x 160 writes x 4 values of 4 KiB = 20 MiB, in few enough commits to stay quick
    // on a disk whose fsync takes 10 ms.
    constexpr int kWriters = 8, kPerWriter = 160, kValuesPerWrite = 4;
    const std::string value(4096, 'x');
    std::atomic<bool> done{false};
    std::atomic<long> reads{0}, bad_reads{0};
    std::atomic<int> last_acked_w0{-1};
    {
        auto store = open_ok(options);
        std::vector<std::thread> readers;
        for (int r = 0; r < 2; ++r) {
            readers.emplace_back([&] {
                while (!done.load()) {
                    // Writer 0's last acknowledged write, read before the snapshot opens, must
                    // be in it: an Ok write() is visible to every later read.
                    int acked = last_acked_w0.load();
                    store->read([&](const ReadView& view) {
                        std::string key = "w0-" + std::to_string(acked) + "-3";
                        if (acked >= 0 && view.get("tasks", key) != value) bad_reads.fetch_add(1);
                        std::uint64_t last = view.last_event_seq();
                        view.scan_events(last > 5 ? last - 5 : 0,
                                         [](const EventRecord&) { return true; });
                    });
                    reads.fetch_add(1);
                }
            });
        }
        std::vector<std::thread> writers;
        std::atomic<int> failures{0};
        for (int w = 0; w < kWriters; ++w) {
            writers.emplace_back([&, w] {
                for (int i = 0; i < kPerWriter; ++i) {
                    std::string key = "w" + std::to_string(w) + "-" + std::to_string(i);
                    Status status = store->write([&](WriteTxn& txn) {
                        for (int v = 0; v < kValuesPerWrite; ++v) {
                            txn.put("tasks", key + "-" + std::to_string(v), value);
                        }
                        txn.append_event(key);
                        return true;
                    });
                    if (!status.ok()) failures.fetch_add(1);
                    if (w == 0 && status.ok()) last_acked_w0 = i;
                }
            });
        }
        for (auto& thread : writers)
            thread.join();
        done = true;
        for (auto& thread : readers)
            thread.join();
        CHECK(failures.load() == 0);
        auto stats = store->stats();
        CHECK(stats.map_size >= (20u << 20));
        CHECK(stats.used_bytes >= (20u << 20));
    }
    CHECK(reads.load() > 0);
    CHECK(bad_reads.load() == 0);
    auto store = open_ok(options);
    store->read([&](const ReadView& view) {
        CHECK(view.count("tasks") == kWriters * kPerWriter * kValuesPerWrite);
        CHECK(view.get("tasks", "w7-159-3") == value);
        CHECK(view.last_event_seq() == kWriters * kPerWriter);
    });
}

TEST_CASE("a full disk fails the whole batch, the store works again once space returns",
          "[store][nospace]") {
    TempDir tmp;
    const std::string mnt = tmp.path + "/small";
    std::filesystem::create_directory(mnt);
    if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=2m") != 0) {
        WARN("cannot mount a tmpfs (not root?): skipping the disk-full test");
        return;
    }
    struct Unmount {
        std::string path;
        ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
    } unmount{mnt};

    // Four concurrent writers each write until their first failure, so the batch that hits the
    // full disk holds several writers: all of them must fail and none may be half there.
    auto options = options_in(mnt);
    const std::string value(4096, 'v');
    constexpr int kWriters = 4;
    std::mutex mu;
    std::set<std::string> acked, failed;
    std::vector<Status> failures;
    {
        auto store = open_ok(options);
        std::vector<std::thread> threads;
        for (int w = 0; w < kWriters; ++w) {
            threads.emplace_back([&, w] {
                for (int i = 0; i < 2000; ++i) {
                    std::string key = "w" + std::to_string(w) + "-" + std::to_string(i);
                    Status status = store->write([&](WriteTxn& txn) {
                        txn.put("machines", key, value);
                        txn.append_event(key);
                        return true;
                    });
                    std::lock_guard lock(mu);
                    (status.ok() ? acked : failed).insert(key);
                    if (!status.ok()) {
                        failures.push_back(status);
                        return;
                    }
                }
            });
        }
        for (auto& thread : threads)
            thread.join();
        REQUIRE(failures.size() == kWriters);
        for (const auto& failure : failures) {
            INFO(failure.message);
            CHECK(failure.code == StoreCode::NoSpace);
        }
        for (const auto& key : failed)
            CHECK_FALSE(get(*store, "machines", key));
        CHECK(event_bounds(*store).second == acked.size());

        REQUIRE(::mount("tmpfs", mnt.c_str(), "tmpfs", MS_REMOUNT, "size=64m") == 0);
        CHECK(put_with_event(*store, "after", "space") == acked.size() + 1);
    }
    auto store = open_ok(options);
    for (const auto& key : acked)
        REQUIRE(get(*store, "machines", key) == value);
    CHECK(get(*store, "machines", "after") == "space");
    std::set<std::string> logged;
    for (const auto& e : events_after(*store, 0))
        logged.insert(e.data);
    logged.erase("after");
    CHECK(logged == acked);
}

TEST_CASE("SIGKILL in the middle of a write burst loses no acknowledged write", "[store][crash]") {
    TempDir tmp;
    auto options = options_in(tmp.path);
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // The child writes from 8 threads and reports each acknowledged key through the pipe
        // (one write(2) per line, under PIPE_BUF, so lines never interleave) until killed.
        ::close(fds[0]);
        Status status;
        auto store = open_lmdb_store(options, status);
        if (!store) ::_exit(2);
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&, t] {
                for (long i = 0;; ++i) {
                    std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
                    if (put_with_event(*store, key, "v" + key) == 0) ::_exit(3);
                    std::string line = key + "\n";
                    if (::write(fds[1], line.data(), line.size()) < 0) ::_exit(4);
                }
            });
        }
        for (auto& thread : threads)
            thread.join();
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string reported;
    char buf[4096];
    std::size_t lines = 0;
    while (lines < 2000) {
        ssize_t n = ::read(fds[0], buf, sizeof(buf));
        if (n <= 0) break;
        reported.append(buf, static_cast<std::size_t>(n));
        lines = static_cast<std::size_t>(std::count(reported.begin(), reported.end(), '\n'));
    }
    ::kill(child, SIGKILL);
    int wstatus = 0;
    ::waitpid(child, &wstatus, 0);
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof(buf))) > 0;) {
        reported.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    REQUIRE(WIFSIGNALED(wstatus));
    REQUIRE(lines >= 2000);

    std::vector<std::string> acked;
    for (std::size_t start = 0, end; (end = reported.find('\n', start)) != std::string::npos;
         start = end + 1) {
        acked.push_back(reported.substr(start, end - start));
    }
    auto store = open_ok(options);
    for (const auto& key : acked)
        REQUIRE(get(*store, "machines", key) == "v" + key);
    auto events = events_after(*store, 0);
    std::set<std::string> logged;
    for (std::size_t i = 0; i < events.size(); ++i) {
        REQUIRE(events[i].seq == i + 1);
        logged.insert(events[i].data);
    }
    for (const auto& key : acked)
        REQUIRE(logged.count(key) == 1);
    CHECK(event_bounds(*store).second == events.size());
    CHECK(put_with_event(*store, "after", "restart") == events.size() + 1);
}
