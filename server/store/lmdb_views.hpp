// ReadView and WriteTxn over LMDB transactions. A write transaction belongs to one writer of a
// batch (an LMDB child transaction); its events draw sequence numbers from the batch.
// Invariant: after the first failed LMDB operation a LmdbWriteTxn does nothing more, and the
// failure says whether only this writer fails or the whole batch must be redone.
#pragma once
#include "server/store/lmdb_env.hpp"
#include "server/store/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace drover::store {

// What the writers of one batch appended, in order. A writer that rolls back truncates it.
struct BatchEvents {
    std::uint64_t last_seq = 0;  // the newest sequence number handed out so far
    std::int64_t time_ms = 0;    // commit time stamped on every event of the batch
    std::vector<EventRecord> records;
};

class LmdbReadView final : public ReadView {
  public:
    // A null txn (no snapshot could be opened) gives an empty view.
    LmdbReadView(MDB_txn* txn, const lmdb::Databases& dbs) : txn_(txn), dbs_(dbs) {}

    std::optional<std::string> get(std::string_view bucket, std::string_view key) const override;
    void scan(std::string_view bucket, std::string_view from,
              const KeyValueVisitor& visit) const override;
    std::size_t count(std::string_view bucket) const override;
    void scan_events(std::uint64_t after, const EventVisitor& visit) const override;
    std::uint64_t first_event_seq() const override;
    std::uint64_t last_event_seq() const override;

  private:
    MDB_txn* txn_;
    const lmdb::Databases& dbs_;
};

class LmdbWriteTxn final : public WriteTxn {
  public:
    LmdbWriteTxn(MDB_txn* txn, const lmdb::Databases& dbs, BatchEvents& events)
        : txn_(txn), dbs_(dbs), events_(events) {}

    std::optional<std::string> get(std::string_view bucket, std::string_view key) const override;
    void scan(std::string_view bucket, std::string_view from,
              const KeyValueVisitor& visit) const override;
    std::size_t count(std::string_view bucket) const override;
    void scan_events(std::uint64_t after, const EventVisitor& visit) const override;
    std::uint64_t first_event_seq() const override;
    std::uint64_t last_event_seq() const override { return events_.last_seq; }

    void put(std::string_view bucket, std::string_view key, std::string_view value) override;
    bool erase(std::string_view bucket, std::string_view key) override;
    std::uint64_t append_event(std::string_view data, EventRoute route) override;

    // MDB_MAP_FULL or MDB_TXN_FULL: the batch must be redone (bigger map, smaller batch); else 0.
    int batch_error() const { return batch_error_; }
    // Why this writer alone failed (unknown bucket, key too long, ...).
    const std::optional<std::string>& writer_error() const { return writer_error_; }

  private:
    bool failed() const { return batch_error_ != 0 || writer_error_.has_value(); }
    void note(int rc, std::string_view what) const;

    MDB_txn* txn_;
    const lmdb::Databases& dbs_;
    BatchEvents& events_;
    // Reads are const in the interface but a failed read still fails the writer.
    mutable int batch_error_ = 0;
    mutable std::optional<std::string> writer_error_;
};

}  // namespace drover::store
