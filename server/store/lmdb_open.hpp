// Opening a data dir: create it, take its lock, open the LMDB environment and every
// sub-database, and check the schema version. Internal to the LMDB backend.
// Invariant: on failure nothing is left open and a store of a newer schema is left untouched.
#pragma once
#include "server/store/data_dir_lock.hpp"
#include "server/store/lmdb_env.hpp"
#include "server/store/store.hpp"

#include <cstdint>
#include <optional>

namespace drover::store {

// Reader table slots; the ReaderGate keeps concurrent read transactions within them.
inline constexpr unsigned kMaxReaders = 1024;

struct OpenedEnv {
    DataDirLock lock;
    lmdb::Env env;
    lmdb::Databases dbs;
    std::uint64_t last_event_seq = 0;
};

std::optional<OpenedEnv> open_environment(const StoreOptions& options, Status& status);

// Closes `opened`'s environment and opens it again, keeping the data dir lock: the way out of
// MDB_PANIC. Closed first, as LMDB's locks belong to the process and a second open of the same
// files would drop them. On failure `opened` holds no environment.
Status reopen_environment(const StoreOptions& options, OpenedEnv& opened);

}  // namespace drover::store
