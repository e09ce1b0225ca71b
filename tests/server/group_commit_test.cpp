// The store's concurrency parts on their own: the group committer's batching and release, and
// the reader gate's limits and writer preference.
#include "server/store/group_commit.hpp"
#include "server/store/reader_gate.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

using namespace drover::store;
using namespace std::chrono_literals;

namespace {

// A WriteTxn the fake batch hands to write functions; they only use it to be called.
class NullTxn final : public WriteTxn {
  public:
    std::optional<std::string> get(std::string_view, std::string_view) const override {
        return std::nullopt;
    }
    void scan(std::string_view, std::string_view, const KeyValueVisitor&) const override {}
    std::size_t count(std::string_view) const override { return 0; }
    void scan_events(std::uint64_t, const EventVisitor&) const override {}
    std::uint64_t first_event_seq() const override { return 0; }
    std::uint64_t last_event_seq() const override { return 0; }
    void put(std::string_view, std::string_view, std::string_view) override {}
    bool erase(std::string_view, std::string_view) override { return false; }
    std::uint64_t append_event(std::string_view, EventRoute) override { return 0; }
};

}  // namespace

TEST_CASE("group commit: batches stay within max_batch and every writer gets its own status",
          "[store][group]") {
    std::mutex mu;
    std::vector<std::size_t> sizes;
    GroupCommitter committer(4, [&](std::span<PendingWrite* const> batch) {
        NullTxn txn;
        for (PendingWrite* writer : batch) {
            writer->status = (*writer->fn)(txn) ? Status{} : Status{StoreCode::Aborted, "no"};
        }
        std::lock_guard lock(mu);
        sizes.push_back(batch.size());
        std::this_thread::sleep_for(1ms);  // let writers pile up so batches form
    });
    constexpr int kThreads = 16, kWrites = 50;
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kWrites; ++i) {
                bool keep = (t + i) % 2 == 0;
                Status status = committer.submit([&](WriteTxn&) { return keep; });
                if (status.ok() != keep) wrong.fetch_add(1);
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    committer.stop();
    CHECK(wrong.load() == 0);
    std::size_t total = 0, largest = 0;
    for (std::size_t size : sizes) {
        total += size;
        largest = std::max(largest, size);
    }
    CHECK(total == kThreads * kWrites);
    CHECK(largest <= 4);
    CHECK(largest > 1);
    CHECK(committer.submit([](WriteTxn&) { return true; }).code == StoreCode::Io);
}

TEST_CASE("reader gate: exclusive waits for readers and new readers wait for it", "[store][gate]") {
    ReaderGate gate(8);
    std::atomic<int> stage{0};
    gate.enter_shared();
    std::atomic<bool> trying{false};
    std::thread resizer([&] {
        trying = true;
        ReaderGate::Exclusive hold(gate);
        stage = 1;
        std::this_thread::sleep_for(50ms);
        stage = 2;
    });
    while (!trying.load())
        std::this_thread::yield();
    std::this_thread::sleep_for(100ms);
    CHECK(stage.load() == 0);  // still held off by our reader
    std::atomic<int> seen_by_late_reader{-1};
    std::thread late_reader([&] {
        ReaderGate::Shared hold(gate);  // queued behind the waiting resizer
        seen_by_late_reader = stage.load();
    });
    std::this_thread::sleep_for(50ms);
    CHECK(seen_by_late_reader.load() == -1);
    gate.exit_shared();
    resizer.join();
    late_reader.join();
    CHECK(seen_by_late_reader.load() == 2);
}

TEST_CASE("reader gate: at most max_readers at once", "[store][gate]") {
    ReaderGate gate(2);
    std::atomic<int> active{0}, peak{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 20; ++i) {
                ReaderGate::Shared hold(gate);
                int now = active.fetch_add(1) + 1;
                int before = peak.load();
                while (now > before && !peak.compare_exchange_weak(before, now)) {
                }
                std::this_thread::sleep_for(100us);
                active.fetch_sub(1);
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    CHECK(peak.load() <= 2);
    CHECK(peak.load() >= 1);
}
