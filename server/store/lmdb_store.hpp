// The LMDB-backed Store: writes are group-committed by one committer thread, each writer in its
// own child transaction of the batch's transaction. Internal to server/store; everyone else uses
// open_lmdb_store() from store.hpp. Invariants: only the committer opens write transactions; the
// map is resized, and the environment reopened after MDB_PANIC, only by the committer, between
// batches, with the ReaderGate held exclusively.
#pragma once
#include "server/ops/failure_episode.hpp"
#include "server/store/group_commit.hpp"
#include "server/store/lmdb_open.hpp"
#include "server/store/lmdb_views.hpp"
#include "server/store/reader_gate.hpp"
#include "server/store/store.hpp"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>

namespace drover::store {

class LmdbStore final : public Store {
  public:
    static std::unique_ptr<LmdbStore> open(const StoreOptions& options, Status& status);
    explicit LmdbStore(const StoreOptions& options, OpenedEnv opened);
    // Commits every queued write, then closes the environment and releases the data dir.
    ~LmdbStore() override = default;

    void read(const std::function<void(const ReadView&)>& fn) const override;
    Status write(const std::function<bool(WriteTxn&)>& fn) override;
    // Called only for batches that appended events, on the committer thread; a write() from the
    // listener would wait for the committer it runs on, so it is refused with Io.
    void set_commit_listener(CommitListener listener) override;
    StoreStats stats() const override;

  private:
    int begin_read(lmdb::Txn& txn) const;
    void run_reader(const lmdb::Txn& txn, int rc,
                    const std::function<void(const ReadView&)>& fn) const;
    void run_batch(std::span<PendingWrite* const> batch);
    int attempt(std::span<PendingWrite* const> batch, BatchEvents& events);
    int run_writer(MDB_txn* parent, PendingWrite& writer, BatchEvents& events);
    int finish_batch(MDB_txn* parent, const BatchEvents& events);
    void fail_batch(std::span<PendingWrite* const> batch, int rc);
    void publish(const std::vector<EventRecord>& events);
    int begin_write(lmdb::Txn& txn);
    bool panicked() const;
    bool reopen(std::string_view why);
    std::uint64_t env_generation() const;
    void wait_for_reopen(std::uint64_t generation) const;
    bool grow_map();
    void adopt_map_size() const;
    std::int64_t now_ms() const;

    StoreOptions options_;
    OpenedEnv opened_;  // the data dir lock, the environment and its databases
    mutable ReaderGate gate_;
    std::uint64_t last_seq_;  // the last committed event; committer thread only
    std::atomic<std::uint64_t> commits_{0};
    std::atomic<std::uint64_t> writes_{0};
    ops::Histogram commit_writers_{ops::kBatchSizeBuckets};
    ops::Histogram commit_seconds_{ops::kLatencyBuckets};
    ops::FailureEpisode panics_{"store",
                                "the store reopens itself after each commit that fails writing "
                                "its meta page",
                                "commits write the meta page again"};
    // Bumped under the exclusive gate by each reopen; readers that met MDB_PANIC wait for it.
    mutable std::mutex reopen_mu_;
    mutable std::condition_variable reopened_;
    std::uint64_t env_generation_ = 0;
    ops::FailureEpisode disk_full_{"store",
                                   "the disk is full: writes are refused until space is freed",
                                   "disk space is back: writes are accepted again"};
    std::mutex listener_mu_;
    CommitListener listener_;
    GroupCommitter committer_;  // last: its thread stops before anything above goes away
};

}  // namespace drover::store
