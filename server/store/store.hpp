// The Store: droverd's only door to persistent state. The API, job engine and event bus use
// this interface and never LMDB, so another backend (replicated, say) can replace it. Invariant:
// a write() that returns Ok is durable (fsync'd), and the events it appended carry consecutive
// server-wide sequence numbers committed in the same transaction as the change.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/ops/histogram.hpp"

namespace drover::store {

enum class StoreCode {
    Ok,
    Aborted,  // the write function returned false: nothing of it was committed
    NoSpace,  // the disk is full (ENOSPC); nothing of the batch was committed
    TooNew,   // the data dir was written by a newer drover
    Locked,   // another droverd holds the data dir
    Io,       // any other storage failure
};

struct Status {
    StoreCode code = StoreCode::Ok;
    std::string message;
    bool ok() const { return code == StoreCode::Ok; }
};

// What the event stream routes an event by, filled in by the writer that has the documents at
// hand, so that delivering a live event needs no parse of its JSON. Not stored: an event read
// back from the log has an empty type, and its JSON says the same.
struct EventRoute {
    std::string type;
    std::string action;
    std::string key;
    std::string job_machine;  // a job event's Machine (of the object, or the original for a delete)
};

// One committed event: its sequence number and the serialized Event JSON.
struct EventRecord {
    std::uint64_t seq = 0;
    std::string data;
    EventRoute route;
};

using KeyValueVisitor = std::function<bool(std::string_view key, std::string_view value)>;
using EventVisitor = std::function<bool(const EventRecord& event)>;

// A consistent snapshot of the store.
class ReadView {
  public:
    virtual ~ReadView() = default;
    virtual std::optional<std::string> get(std::string_view bucket, std::string_view key) const = 0;
    // Visits the bucket's entries in key order, starting at the first key >= `from`, until the
    // visitor returns false.
    virtual void scan(std::string_view bucket, std::string_view from,
                      const KeyValueVisitor& visit) const = 0;
    virtual std::size_t count(std::string_view bucket) const = 0;
    // Retained events with seq > `after`, in order, until the visitor returns false.
    virtual void scan_events(std::uint64_t after, const EventVisitor& visit) const = 0;
    // The oldest retained and the newest committed sequence numbers (0 when there are none).
    virtual std::uint64_t first_event_seq() const = 0;
    virtual std::uint64_t last_event_seq() const = 0;
};

// A write transaction; reads see its own uncommitted writes.
class WriteTxn : public ReadView {
  public:
    virtual void put(std::string_view bucket, std::string_view key, std::string_view value) = 0;
    virtual bool erase(std::string_view bucket, std::string_view key) = 0;
    // Appends an event to this transaction and returns its sequence number.
    virtual std::uint64_t append_event(std::string_view data, EventRoute route = {}) = 0;
};

struct StoreOptions {
    std::string data_dir;
    std::vector<std::string> buckets;              // created on open if missing
    std::uint64_t initial_map_size = 64ull << 20;  // grows by itself when full
    std::size_t event_retention_count = 100000;    // events kept for resume (and...
    std::uint64_t event_retention_seconds = 3600;  // ...no older than this)
    std::size_t max_batch = 1024;                  // writers merged into one commit at most
    // Timestamps events for age-based retention; empty means the system clock. Tests inject a
    // fake one to prove retention by age without waiting an hour.
    std::function<std::chrono::system_clock::time_point()> clock;
};

using CommitListener = std::function<void(const std::vector<EventRecord>& committed)>;

struct StoreStats {
    std::uint64_t commits = 0;
    std::uint64_t writes = 0;  // write() calls committed
    std::uint64_t map_size = 0;
    std::uint64_t used_bytes = 0;
    std::uint64_t data_file_bytes = 0;      // the data file's size on disk now
    ops::HistogramSnapshot commit_writers;  // write() calls per committed batch
    ops::HistogramSnapshot commit_seconds;  // a batch's start to its durable commit
};

class Store {
  public:
    virtual ~Store() = default;
    // Runs `fn` against a consistent snapshot. `fn` must not call write() (refused with Io: a map
    // resize waits for every open snapshot to end); a nested read() gets its own snapshot.
    virtual void read(const std::function<void(const ReadView&)>& fn) const = 0;
    // Runs `fn` in a write transaction that is group-committed with concurrent writers: one
    // LMDB transaction and one fsync per batch. `fn` may run more than once (when the map must
    // grow the batch is redone), so it must only touch `txn` and its own result variables.
    // Returning false rolls back `fn`'s changes only. write() returns after the batch is durable.
    virtual Status write(const std::function<bool(WriteTxn&)>& fn) = 0;
    // Called on the committing thread after each durable batch with the events it appended,
    // before any of that batch's write() calls return. It must not call write() (refused).
    virtual void set_commit_listener(CommitListener listener) = 0;
    virtual StoreStats stats() const = 0;
};

// Opens (creating if needed) the LMDB environment in options.data_dir. Refuses a data dir written
// by a newer schema version (TooNew) or held by another process (Locked).
std::unique_ptr<Store> open_lmdb_store(const StoreOptions& options, Status& status);

}  // namespace drover::store
