// store_bench: durable Store::write() calls per second at 1, 16, 64 and 256 concurrent writers
// (each write puts one 545-byte value and appends one event, as an API write does), next to the
// ceiling measured just before each point: raw LMDB, one put and one fsync'd commit per txn.
// Usage: store_bench [seconds-per-point (default 5)] [dir (default a new /tmp dir)]
#include "server/store/store.hpp"
#include "tests/bench/percentile.hpp"

#include <lmdb.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

using drover::bench::percentile;
using namespace drover::store;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kValue(545, 'v');
const std::string kEvent(200, 'e');

struct Point {
    int writers = 0;
    double writes_per_second = 0;
    double writes_per_commit = 0;
    double p50_ms = 0;
    double p99_ms = 0;
};

Point measure(const std::string& dir, int writers, double seconds) {
    StoreOptions options;
    options.data_dir = dir;
    options.buckets = {"machines"};
    Status status;
    auto store = open_lmdb_store(options, status);
    if (!store) {
        std::fprintf(stderr, "open %s: %s\n", dir.c_str(), status.message.c_str());
        std::exit(1);
    }
    std::atomic<bool> stop{false};
    std::vector<std::vector<double>> latencies(static_cast<std::size_t>(writers));
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
        threads.emplace_back([&, w] {
            auto& mine = latencies[static_cast<std::size_t>(w)];
            for (long i = 0; !stop.load(std::memory_order_relaxed); ++i) {
                std::string key = "w" + std::to_string(w) + "-" + std::to_string(i);
                auto start = Clock::now();
                Status s = store->write([&](WriteTxn& txn) {
                    txn.put("machines", key, kValue);
                    txn.append_event(kEvent);
                    return true;
                });
                if (!s.ok()) std::fprintf(stderr, "write: %s\n", s.message.c_str());
                mine.push_back(
                    std::chrono::duration<double, std::milli>(Clock::now() - start).count());
            }
        });
    }
    auto before = store->stats();
    auto start = Clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& t : threads)
        t.join();
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    auto after = store->stats();
    std::vector<double> all;
    for (auto& l : latencies)
        all.insert(all.end(), l.begin(), l.end());
    Point p;
    p.writers = writers;
    double writes = static_cast<double>(after.writes - before.writes);
    p.writes_per_second = writes / elapsed;
    p.writes_per_commit =
        writes / static_cast<double>(std::max<std::uint64_t>(1, after.commits - before.commits));
    p.p50_ms = percentile(all, 0.50);
    p.p99_ms = percentile(all, 0.99);
    return p;
}

// The ceiling: one thread, one put, one fsync'd commit per transaction, straight on LMDB.
double raw_lmdb_commits_per_second(const std::string& dir, double seconds) {
    std::filesystem::create_directories(dir);
    MDB_env* env = nullptr;
    MDB_dbi dbi = 0;
    MDB_txn* txn = nullptr;
    if (mdb_env_create(&env) != 0 || mdb_env_set_mapsize(env, 1ull << 30) != 0 ||
        mdb_env_open(env, dir.c_str(), 0, 0644) != 0 || mdb_txn_begin(env, nullptr, 0, &txn) != 0 ||
        mdb_dbi_open(txn, nullptr, 0, &dbi) != 0 || mdb_txn_commit(txn) != 0) {
        std::fprintf(stderr, "raw lmdb open failed\n");
        std::exit(1);
    }
    long commits = 0;
    auto start = Clock::now();
    auto deadline = start + std::chrono::duration<double>(seconds);
    while (Clock::now() < deadline) {
        std::string key = "k" + std::to_string(commits);
        MDB_val k{key.size(), key.data()};
        MDB_val v{kValue.size(), const_cast<char*>(kValue.data())};
        if (mdb_txn_begin(env, nullptr, 0, &txn) != 0 || mdb_put(txn, dbi, &k, &v, 0) != 0 ||
            mdb_txn_commit(txn) != 0) {
            std::fprintf(stderr, "raw lmdb commit failed\n");
            std::exit(1);
        }
        ++commits;
    }
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    mdb_env_close(env);
    return static_cast<double>(commits) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = argc > 1 ? std::atof(argv[1]) : 5.0;
    std::string root;
    bool temporary = argc <= 2;
    if (temporary) {
        char tmpl[] = "/tmp/drover-store-bench-XXXXXX";
        root = ::mkdtemp(tmpl);
    } else {
        root = argv[2];
    }
    // The disk is shared, so its fsync rate drifts: measure the ceiling right before each point.
    std::printf(
        "| concurrent writers | raw LMDB commits/s (1 put each) | durable write()/s | "
        "x raw | writes per commit | p50 ms | p99 ms |\n|---|---|---|---|---|---|---|\n");
    for (int writers : {1, 16, 64, 256}) {
        std::string dir = root + "/w" + std::to_string(writers);
        double ceiling = raw_lmdb_commits_per_second(dir + "-raw", seconds);
        Point p = measure(dir, writers, seconds);
        std::printf("| %d | %.0f | %.0f | %.1f | %.1f | %.2f | %.2f |\n", p.writers, ceiling,
                    p.writes_per_second, p.writes_per_second / ceiling, p.writes_per_commit,
                    p.p50_ms, p.p99_ms);
        std::fflush(stdout);
    }
    if (temporary) std::filesystem::remove_all(root);
    return 0;
}
