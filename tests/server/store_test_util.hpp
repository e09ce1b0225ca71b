// Helpers shared by the store tests: temp dirs and one-line reads and writes.
#pragma once
#include "server/store/store.hpp"

#include <stdlib.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace drover::store::testing {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/drover-store-XXXXXX";
        const char* made = ::mkdtemp(tmpl);
        REQUIRE(made != nullptr);
        path = made;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

inline StoreOptions options_in(const std::string& dir) {
    StoreOptions options;
    options.data_dir = dir + "/data";
    options.buckets = {"machines", "tasks"};
    return options;
}

inline std::unique_ptr<Store> open_ok(const StoreOptions& options) {
    Status status;
    auto store = open_lmdb_store(options, status);
    INFO(status.message);
    REQUIRE(status.ok());
    REQUIRE(store != nullptr);
    return store;
}

inline Status put(Store& store, const std::string& bucket, const std::string& key,
                  const std::string& value) {
    return store.write([&](WriteTxn& txn) {
        txn.put(bucket, key, value);
        return true;
    });
}

// Puts key=value and appends an event naming the key; returns the event's seq (0 on failure).
inline std::uint64_t put_with_event(Store& store, const std::string& key,
                                    const std::string& value) {
    std::uint64_t seq = 0;
    Status status = store.write([&](WriteTxn& txn) {
        txn.put("machines", key, value);
        seq = txn.append_event(key);
        return true;
    });
    return status.ok() ? seq : 0;
}

inline std::optional<std::string> get(const Store& store, const std::string& bucket,
                                      const std::string& key) {
    std::optional<std::string> value;
    store.read([&](const ReadView& view) { value = view.get(bucket, key); });
    return value;
}

inline std::vector<EventRecord> events_after(const Store& store, std::uint64_t after) {
    std::vector<EventRecord> events;
    store.read([&](const ReadView& view) {
        view.scan_events(after, [&](const EventRecord& e) {
            events.push_back(e);
            return true;
        });
    });
    return events;
}

inline std::pair<std::uint64_t, std::uint64_t> event_bounds(const Store& store) {
    std::pair<std::uint64_t, std::uint64_t> bounds;
    store.read([&](const ReadView& view) {
        bounds = {view.first_event_seq(), view.last_event_seq()};
    });
    return bounds;
}

}  // namespace drover::store::testing
