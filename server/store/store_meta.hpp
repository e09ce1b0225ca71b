// The `meta` sub-database: the schema version this store was written with and the last event
// sequence number ever committed (kept even when retention has pruned every event).
// Invariant: a store whose schema version is newer than kSchemaVersion is never modified.
#pragma once
#include "server/store/lmdb_env.hpp"
#include "server/store/store.hpp"

#include <cstdint>
#include <string>

namespace drover::store::meta {

inline constexpr std::uint64_t kSchemaVersion = 1;

// Writes the version on a fresh store; refuses (TooNew) one written by a newer drover.
Status check_schema_version(MDB_txn* txn, MDB_dbi meta, const std::string& data_dir);

// Reads the version recorded in the store (nullopt when none was written yet).
std::optional<std::uint64_t> schema_version(MDB_txn* txn, MDB_dbi meta);
int put_schema_version(MDB_txn* txn, MDB_dbi meta, std::uint64_t version);

std::uint64_t last_event_seq(MDB_txn* txn, MDB_dbi meta);
int put_last_event_seq(MDB_txn* txn, MDB_dbi meta, std::uint64_t seq);

}  // namespace drover::store::meta
