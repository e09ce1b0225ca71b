// The event log inside the LMDB environment: the `events` sub-database maps a big-endian
// sequence number to an 8-byte big-endian commit time (ms since the epoch) followed by the event
// JSON. Invariant: keys only ever grow (appends use MDB_APPEND), pruning removes from the front.
#pragma once
#include "server/store/lmdb_env.hpp"
#include "server/store/store.hpp"

#include <cstdint>
#include <string_view>

namespace drover::store::event_log {

// Appends one event; rc is LMDB's (MDB_KEYEXIST if seq is not past the last key).
int append(MDB_txn* txn, MDB_dbi events, std::uint64_t seq, std::int64_t time_ms,
           std::string_view data);

// Visits events with seq > after in order until the visitor returns false. rc 0 on success.
int scan(MDB_txn* txn, MDB_dbi events, std::uint64_t after, const EventVisitor& visit);

// The oldest retained sequence number, 0 when the log is empty.
std::uint64_t first_seq(MDB_txn* txn, MDB_dbi events);

// Drops the oldest events until at most max_count remain and none is older than oldest_ms.
int prune(MDB_txn* txn, MDB_dbi events, std::size_t max_count, std::int64_t oldest_ms);

}  // namespace drover::store::event_log
