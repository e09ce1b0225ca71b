#include "ceilings.hpp"

#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "agent/client/api_client.hpp"
#include "server/store/store.hpp"

namespace drover::fleet {

namespace {

using Clock = std::chrono::steady_clock;

template <class Body>
double run_for(int threads, double seconds, Body body) {
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> done{0};
    std::vector<std::thread> pool;
    auto start = Clock::now();
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            auto step = body(t);
            std::uint64_t mine = 0;
            while (!stop.load(std::memory_order_relaxed) && step())
                ++mine;
            done += mine;
        });
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& t : pool)
        t.join();
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    return static_cast<double>(done.load()) / elapsed;
}

}  // namespace

double measure_http_ceiling(const std::string& endpoint, int connections, double seconds) {
    return run_for(connections, seconds, [&](int) {
        client::ClientOptions c;
        c.endpoint = endpoint;
        auto api = std::make_shared<client::ApiClient>(c);
        return [api] {
            auto r = api->send({"GET", "/healthz", "", "", {}});
            return r && r->status == 200;
        };
    });
}

double measure_store_ceiling(const std::string& dir, int writers, double seconds,
                             double& writes_per_commit) {
    // A directory of its own: fleet runs side by side (ctest -j, a sanitizer build's suite beside
    // the plain one) share `dir` (the temp dir), and two stores in one path corrupt each other.
    std::string path = dir + "/fleet-store-ceiling-XXXXXX";
    if (!mkdtemp(path.data())) return 0;
    store::StoreOptions options;
    options.data_dir = path;
    options.buckets = {"machines"};
    store::Status status;
    auto s = store::open_lmdb_store(options, status);
    std::error_code ec;
    if (!s) {
        std::filesystem::remove_all(path, ec);
        return 0;
    }
    // A job write's size: the object and its event (which carries the object and its original).
    const std::string value(900, 'v'), event(2000, 'e');
    auto before = s->stats();
    double rate = run_for(writers, seconds, [&](int w) {
        return [&, w, i = std::uint64_t{0}]() mutable {
            std::string key = "w" + std::to_string(w) + "-" + std::to_string(i++);
            return s
                ->write([&](store::WriteTxn& txn) {
                    txn.put("machines", key, value);
                    txn.append_event(event);
                    return true;
                })
                .ok();
        };
    });
    auto after = s->stats();
    writes_per_commit =
        static_cast<double>(after.writes - before.writes) /
        static_cast<double>(std::max<std::uint64_t>(1, after.commits - before.commits));
    s.reset();
    std::filesystem::remove_all(options.data_dir, ec);
    return rate;
}

}  // namespace drover::fleet
