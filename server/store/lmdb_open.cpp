#include "server/store/lmdb_open.hpp"

#include "server/store/store_meta.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace drover::store {
namespace {

constexpr const char* kMetaDb = "meta";
constexpr const char* kEventsDb = "events";

Status io(std::string_view what, int rc) {
    return {StoreCode::Io, lmdb::error_text(what, rc)};
}

Status check_buckets(const std::vector<std::string>& buckets) {
    for (const auto& name : buckets) {
        if (name.empty() || name == kMetaDb || name == kEventsDb) {
            return {StoreCode::Io, "bucket name '" + name + "' is empty or reserved"};
        }
    }
    return {};
}

// LMDB maps lock.mdb writable and writes its reader table through the map, one slot per reader
// transaction. A page the file system has not allocated yet is allocated when first written, and
// on a full disk that fault is SIGBUS: droverd died starting on a full disk, and would die on one
// when concurrent reads first reached an unused page of slots. So the whole table is allocated
// before LMDB maps it (KEEP_SIZE: LMDB still sizes the file), and a full disk is an open error.
// The length bounds LMDB's: a header and one 64-byte slot per reader.
int reserve_lock_file(const std::string& data_dir) {
    const std::string path = data_dir + "/lock.mdb";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    const off_t length = static_cast<off_t>(kMaxReaders) * 64 + 4096;
    int rc = ::fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, length) == 0 ? 0 : errno;
    ::close(fd);  // before mdb_env_open: closing any descriptor of lock.mdb drops LMDB's locks
    return rc == EOPNOTSUPP ? 0 : rc;  // a file system without fallocate: as LMDB does alone
}

// Flags: MDB_NOTLS so a snapshot is not tied to the thread that opened it. Deliberately no
// MDB_NOSYNC / MDB_NOMETASYNC: an acknowledged write must survive a power cut.
int open_env(const StoreOptions& options, lmdb::Env& env) {
    if (int rc = reserve_lock_file(options.data_dir); rc != 0) return rc;
    if (int rc = lmdb::Env::create(env); rc != 0) return rc;
    MDB_env* e = env.get();
    if (int rc = mdb_env_set_maxdbs(e, static_cast<MDB_dbi>(options.buckets.size() + 2)); rc != 0)
        return rc;
    if (int rc = mdb_env_set_maxreaders(e, kMaxReaders); rc != 0) return rc;
    if (int rc = mdb_env_set_mapsize(e, options.initial_map_size); rc != 0) return rc;
    if (int rc = mdb_env_open(e, options.data_dir.c_str(), MDB_NOTLS, 0644); rc != 0) return rc;
    // A killed droverd can leave reader slots behind; they would pin old pages forever.
    int stale = 0;
    return mdb_reader_check(e, &stale);
}

Status open_databases(MDB_env* env, const StoreOptions& options, lmdb::Databases& dbs,
                      std::uint64_t& last_seq) {
    lmdb::Txn txn;
    if (int rc = lmdb::Txn::begin(env, nullptr, 0, txn); rc != 0)
        return io("opening the store", rc);
    if (int rc = mdb_dbi_open(txn.get(), kMetaDb, MDB_CREATE, &dbs.meta); rc != 0)
        return io("opening the meta database", rc);
    // Checked before anything else is created: the abort below leaves a newer store untouched.
    Status version = meta::check_schema_version(txn.get(), dbs.meta, options.data_dir);
    if (!version.ok()) return version;
    if (int rc = mdb_dbi_open(txn.get(), kEventsDb, MDB_CREATE, &dbs.events); rc != 0)
        return io("opening the events database", rc);
    for (const auto& name : options.buckets) {
        MDB_dbi dbi = 0;
        if (int rc = mdb_dbi_open(txn.get(), name.c_str(), MDB_CREATE, &dbi); rc != 0)
            return io("opening bucket " + name, rc);
        dbs.buckets.emplace(name, dbi);
    }
    last_seq = meta::last_event_seq(txn.get(), dbs.meta);
    if (int rc = txn.commit(); rc != 0) return io("creating the store", rc);
    return {};
}

// fdatasync on data.mdb makes its contents durable, not the directory entry that names it: a
// new file (or a new data dir) could vanish in a power cut together with acknowledged writes.
Status sync_dir(const std::filesystem::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return {StoreCode::Io, "opening " + dir.string() + ": " + std::strerror(errno)};
    int rc = ::fsync(fd);
    int error = errno;
    ::close(fd);
    if (rc != 0) return {StoreCode::Io, "syncing " + dir.string() + ": " + std::strerror(error)};
    return {};
}

}  // namespace

std::optional<OpenedEnv> open_environment(const StoreOptions& options, Status& status) {
    status = check_buckets(options.buckets);
    if (!status.ok()) return std::nullopt;
    std::error_code ec;
    bool created = std::filesystem::create_directories(options.data_dir, ec);
    if (ec) {
        status = {StoreCode::Io, "creating " + options.data_dir + ": " + ec.message()};
        return std::nullopt;
    }
    auto lock = DataDirLock::acquire(options.data_dir, status);
    if (!lock) return std::nullopt;
    lmdb::Env env;
    if (int rc = open_env(options, env); rc != 0) {
        status = io("opening the LMDB environment in " + options.data_dir, rc);
        return std::nullopt;
    }
    lmdb::Databases dbs;
    std::uint64_t last_seq = 0;
    status = open_databases(env.get(), options, dbs, last_seq);
    if (status.ok()) status = sync_dir(options.data_dir);
    if (status.ok() && created) {
        auto dir = std::filesystem::absolute(options.data_dir);
        if (!dir.has_filename()) dir = dir.parent_path();  // "a/b/" names "a/b"
        status = sync_dir(dir.parent_path());
    }
    if (!status.ok()) return std::nullopt;
    return OpenedEnv{std::move(*lock), std::move(env), std::move(dbs), last_seq};
}

Status reopen_environment(const StoreOptions& options, OpenedEnv& opened) {
    opened.env = lmdb::Env();
    lmdb::Env env;
    if (int rc = open_env(options, env); rc != 0)
        return io("reopening the LMDB environment in " + options.data_dir, rc);
    lmdb::Databases dbs;
    std::uint64_t last_seq = 0;
    Status status = open_databases(env.get(), options, dbs, last_seq);
    if (!status.ok()) return status;
    opened.env = std::move(env);
    opened.dbs = std::move(dbs);
    opened.last_event_seq = last_seq;
    return {};
}

}  // namespace drover::store
