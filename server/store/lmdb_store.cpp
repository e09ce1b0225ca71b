#include "server/store/lmdb_store.hpp"

#include "server/ops/log.hpp"
#include "server/store/event_log.hpp"
#include "server/store/store_meta.hpp"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <chrono>
#include <exception>
#include <limits>
#include <optional>
#include <utility>

namespace drover::store {
namespace {

// Doubling from 64 MiB this many times reaches 64 TiB: past that, something is wrong.
constexpr int kMaxGrowthsPerBatch = 20;

// A reader that met MDB_PANIC waits this long at most for the committer to reopen the store.
constexpr std::chrono::seconds kReopenWait{10};

// Below this much free space an EIO from a commit is taken to be a full disk.
constexpr std::uint64_t kNearlyFullBytes = 1 << 20;

// LMDB reports a short page write as EIO, and a write that runs out of space part-way is short,
// so an EIO on a file system with (almost) nothing left is a full disk.
bool disk_full(int rc, const std::string& dir) {
    if (rc == ENOSPC || rc == EDQUOT) return true;
    struct statvfs fs {};
    if (rc != EIO || ::statvfs(dir.c_str(), &fs) != 0) return false;
    return static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize < kNearlyFullBytes;
}

Status commit_failure(int rc, const std::string& dir) {
    if (disk_full(rc, dir)) {
        return {StoreCode::NoSpace,
                lmdb::error_text("commit: the disk holding " + dir + " is full", rc)};
    }
    return {StoreCode::Io, lmdb::error_text("commit", rc)};
}

Status thrown_status(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return {StoreCode::Io, std::string("the write function threw: ") + e.what()};
    } catch (...) {
        return {StoreCode::Io, "the write function threw a non-standard exception"};
    }
}

// Runs the caller's function, turning an exception into a status: none may cross the
// committer thread (it would take down the server and every waiting writer with it).
bool call_writer(const WriteFn& fn, WriteTxn& txn, std::exception_ptr& thrown) {
    try {
        return fn(txn);
    } catch (...) {
        thrown = std::current_exception();
        return false;
    }
}

// The store whose snapshot this thread is inside, if any.
thread_local const LmdbStore* t_reading = nullptr;

class ReadingScope {
  public:
    explicit ReadingScope(const LmdbStore* store) : outer_(std::exchange(t_reading, store)) {}
    ~ReadingScope() { t_reading = outer_; }
    ReadingScope(const ReadingScope&) = delete;
    ReadingScope& operator=(const ReadingScope&) = delete;

  private:
    const LmdbStore* outer_;
};

}  // namespace

std::unique_ptr<Store> open_lmdb_store(const StoreOptions& options, Status& status) {
    return LmdbStore::open(options, status);
}

std::unique_ptr<LmdbStore> LmdbStore::open(const StoreOptions& options, Status& status) {
    auto opened = open_environment(options, status);
    if (!opened) return nullptr;
    return std::make_unique<LmdbStore>(options, std::move(*opened));
}

LmdbStore::LmdbStore(const StoreOptions& options, OpenedEnv opened)
    : options_(options),
      opened_(std::move(opened)),
      gate_(kMaxReaders / 2),  // the other half: reads nested in reads
      last_seq_(opened_.last_event_seq),
      committer_(options.max_batch, [this](std::span<PendingWrite* const> b) { run_batch(b); }) {}

void LmdbStore::read(const std::function<void(const ReadView&)>& fn) const {
    if (t_reading == this) {
        // Nested: the enclosing read already holds the gate, and re-entering it could wait
        // behind a resize that waits for the enclosing read.
        lmdb::Txn txn;
        run_reader(txn, begin_read(txn), fn);
        return;
    }
    for (int tries = 0;; ++tries) {
        ReaderGate::Shared hold(gate_);
        lmdb::Txn txn;  // declared after `hold`: ends before the gate is left
        int rc = begin_read(txn);
        if (rc == MDB_MAP_RESIZED && tries < 3) {
            hold.release();
            adopt_map_size();
            continue;
        }
        if (rc == MDB_PANIC && opened_.env.get() && tries < 3) {
            // The committer reopens the environment right after the commit that broke it, and
            // not while this thread is inside the gate.
            const std::uint64_t generation = env_generation();
            hold.release();
            wait_for_reopen(generation);
            continue;
        }
        ReadingScope scope(this);
        run_reader(txn, rc, fn);
        return;
    }
}

// MDB_PANIC also when a reopen failed and there is no environment.
int LmdbStore::begin_read(lmdb::Txn& txn) const {
    if (!opened_.env.get()) return MDB_PANIC;
    return lmdb::Txn::begin(opened_.env.get(), nullptr, MDB_RDONLY, txn);
}

void LmdbStore::run_reader(const lmdb::Txn& txn, int rc,
                           const std::function<void(const ReadView&)>& fn) const {
    if (rc != 0) {
        ops::Log(ops::Level::Error, "store read failed")
            .field("error", lmdb::error_text("read", rc));
    }
    fn(LmdbReadView(txn.get(), opened_.dbs));
}

Status LmdbStore::write(const std::function<bool(WriteTxn&)>& fn) {
    if (t_reading == this) {
        // It would wait for the committer, which may be waiting for this read to end (resize).
        return {StoreCode::Io, "write() called inside read() of the same store"};
    }
    return committer_.submit(fn);
}

void LmdbStore::set_commit_listener(CommitListener listener) {
    std::lock_guard lock(listener_mu_);
    listener_ = std::move(listener);
}

StoreStats LmdbStore::stats() const {
    StoreStats stats;
    stats.commits = commits_.load();
    stats.writes = writes_.load();
    // The map (and the meta pages mdb_env_info reads) moves only under the exclusive gate;
    // inside a read() this thread already holds it shared, and re-entering could deadlock.
    std::optional<ReaderGate::Shared> hold;
    if (t_reading != this) hold.emplace(gate_);
    if (!opened_.env.get()) return stats;
    MDB_envinfo info{};
    MDB_stat stat{};
    if (mdb_env_info(opened_.env.get(), &info) == 0 &&
        mdb_env_stat(opened_.env.get(), &stat) == 0) {
        stats.map_size = info.me_mapsize;
        stats.used_bytes = (static_cast<std::uint64_t>(info.me_last_pgno) + 1) * stat.ms_psize;
    }
    mdb_filehandle_t fd = -1;
    struct stat file {};
    if (mdb_env_get_fd(opened_.env.get(), &fd) == 0 && ::fstat(fd, &file) == 0)
        stats.data_file_bytes = static_cast<std::uint64_t>(file.st_size);
    stats.commit_writers = commit_writers_.snapshot();
    stats.commit_seconds = commit_seconds_.snapshot();
    return stats;
}

// One batch: run every writer in one transaction and commit it. MDB_MAP_FULL grows the map
// and redoes the whole batch (functions may run again, as the interface allows); MDB_TXN_FULL
// redoes it one writer per transaction.
void LmdbStore::run_batch(std::span<PendingWrite* const> batch) {
    for (int growths = 0;; ++growths) {
        BatchEvents events{last_seq_, now_ms(), {}};
        int rc = attempt(batch, events);
        if (rc == 0) {
            last_seq_ = events.last_seq;
            publish(events.records);
            return;
        }
        if (rc == MDB_MAP_FULL && growths < kMaxGrowthsPerBatch && grow_map()) continue;
        if (rc == MDB_TXN_FULL && batch.size() > 1) {
            for (PendingWrite* writer : batch)
                run_batch({&writer, 1});
            return;
        }
        if (panicked()) reopen(lmdb::error_text("commit", rc));
        fail_batch(batch, rc);
        return;
    }
}

int LmdbStore::attempt(std::span<PendingWrite* const> batch, BatchEvents& events) {
    const auto started = std::chrono::steady_clock::now();
    for (PendingWrite* writer : batch)
        writer->status = {};  // a redo starts afresh
    lmdb::Txn parent;
    if (int rc = begin_write(parent); rc != 0) return rc;
    std::size_t committed = 0;
    for (PendingWrite* writer : batch) {
        if (int rc = run_writer(parent.get(), *writer, events); rc != 0) return rc;
        if (writer->status.ok()) ++committed;
    }
    if (committed == 0) return 0;  // every writer rolled back: nothing to make durable
    if (int rc = finish_batch(parent.get(), events); rc != 0) return rc;
    if (int rc = parent.commit(); rc != 0) return rc;
    disk_full_.succeeded();
    panics_.succeeded();
    commits_.fetch_add(1);
    writes_.fetch_add(committed);
    commit_writers_.observe(static_cast<double>(committed));
    commit_seconds_.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    return 0;
}

// Runs one writer in a child transaction so that its rollback leaves its batch-mates' changes
// in place. Returns non-zero only for failures of the whole batch.
int LmdbStore::run_writer(MDB_txn* parent, PendingWrite& writer, BatchEvents& events) {
    lmdb::Txn child;
    if (int rc = lmdb::Txn::begin(opened_.env.get(), parent, 0, child); rc != 0) return rc;
    const std::uint64_t seq_before = events.last_seq;
    const std::size_t records_before = events.records.size();
    LmdbWriteTxn txn(child.get(), opened_.dbs, events);
    std::exception_ptr thrown;
    bool keep = call_writer(*writer.fn, txn, thrown);
    if (txn.batch_error() != 0) return txn.batch_error();
    if (thrown) {
        writer.status = thrown_status(thrown);
    } else if (txn.writer_error()) {
        writer.status = {StoreCode::Io, *txn.writer_error()};
    } else if (!keep) {
        writer.status = {StoreCode::Aborted, "the write function rolled back"};
    } else {
        return child.commit();
    }
    child.abort();
    events.last_seq = seq_before;
    events.records.resize(records_before);
    return 0;
}

// Retention and the last sequence number, in the same transaction as the batch's changes.
int LmdbStore::finish_batch(MDB_txn* parent, const BatchEvents& events) {
    const std::uint64_t max_age_ms =
        options_.event_retention_seconds > std::numeric_limits<std::int64_t>::max() / 1000
            ? std::numeric_limits<std::int64_t>::max()
            : options_.event_retention_seconds * 1000;
    const std::int64_t oldest_ms = events.time_ms - static_cast<std::int64_t>(max_age_ms);
    if (int rc =
            event_log::prune(parent, opened_.dbs.events, options_.event_retention_count, oldest_ms);
        rc != 0) {
        return rc;
    }
    if (events.last_seq == last_seq_) return 0;
    return meta::put_last_event_seq(parent, opened_.dbs.meta, events.last_seq);
}

// Nothing of the batch is durable: every writer that would have committed learns why.
void LmdbStore::fail_batch(std::span<PendingWrite* const> batch, int rc) {
    Status failure = rc == MDB_MAP_FULL ? Status{StoreCode::Io, lmdb::error_text("grow map", rc)}
                                        : commit_failure(rc, options_.data_dir);
    if (failure.code == StoreCode::NoSpace) disk_full_.failed(failure.message);
    for (PendingWrite* writer : batch) {
        if (writer->status.ok()) writer->status = failure;
    }
}

void LmdbStore::publish(const std::vector<EventRecord>& events) {
    if (events.empty()) return;
    std::lock_guard lock(listener_mu_);
    if (!listener_) return;
    try {
        listener_(events);
    } catch (const std::exception& e) {
        ops::Log(ops::Level::Error, "commit listener threw").field("error", e.what());
    } catch (...) {
        ops::Log(ops::Level::Error, "commit listener threw");
    }
}

int LmdbStore::begin_write(lmdb::Txn& txn) {
    if (!opened_.env.get() && !reopen("the last reopen failed")) return MDB_PANIC;
    int rc = lmdb::Txn::begin(opened_.env.get(), nullptr, 0, txn);
    if (rc != MDB_MAP_RESIZED) return rc;
    adopt_map_size();
    return lmdb::Txn::begin(opened_.env.get(), nullptr, 0, txn);
}

// LMDB keeps MDB_FATAL_ERROR to itself: a read transaction that cannot begin tells.
bool LmdbStore::panicked() const {
    lmdb::Txn probe;
    return begin_read(probe) == MDB_PANIC;
}

// MDB_PANIC: a commit failed writing its meta page and LMDB refuses every transaction, reads
// included, until the environment is opened again. The meta page of the last good commit is
// intact, so that commit is what the reopened environment shows. Committer thread only.
bool LmdbStore::reopen(std::string_view why) {
    panics_.failed(why);
    Status status;
    {
        ReaderGate::Exclusive hold(gate_);
        status = reopen_environment(options_, opened_);
        if (status.ok()) last_seq_ = opened_.last_event_seq;
        std::lock_guard lock(reopen_mu_);
        ++env_generation_;
    }
    reopened_.notify_all();
    if (!status.ok())
        ops::Log(ops::Level::Error, "cannot reopen the store").field("error", status.message);
    return status.ok();
}

std::uint64_t LmdbStore::env_generation() const {
    std::lock_guard lock(reopen_mu_);
    return env_generation_;
}

void LmdbStore::wait_for_reopen(std::uint64_t generation) const {
    std::unique_lock lock(reopen_mu_);
    reopened_.wait_for(lock, kReopenWait, [&] { return env_generation_ != generation; });
}

// Called with no write transaction open; the exclusive gate waits out every reader, because
// LMDB may only remap while no transaction at all is active in the process.
bool LmdbStore::grow_map() {
    MDB_envinfo info{};
    if (mdb_env_info(opened_.env.get(), &info) != 0) return false;
    if (info.me_mapsize > std::numeric_limits<std::size_t>::max() / 2) return false;
    ReaderGate::Exclusive hold(gate_);
    return mdb_env_set_mapsize(opened_.env.get(), info.me_mapsize * 2) == 0;
}

// Another process grew the map (mdb tools; droverd itself holds the data dir): adopt its size.
void LmdbStore::adopt_map_size() const {
    ReaderGate::Exclusive hold(gate_);
    mdb_env_set_mapsize(opened_.env.get(), 0);
}

std::int64_t LmdbStore::now_ms() const {
    auto now = options_.clock ? options_.clock() : std::chrono::system_clock::now();
    return std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
}

}  // namespace drover::store
