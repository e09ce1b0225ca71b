#include "server/store/event_log.hpp"

#include <cstring>

namespace drover::store::event_log {
namespace {

constexpr std::size_t kTimeBytes = 8;

std::int64_t time_of(const MDB_val& value) {
    auto time = lmdb::decode_u64(lmdb::to_view(value).substr(0, kTimeBytes));
    return time ? static_cast<std::int64_t>(*time) : 0;
}

std::size_t entries(MDB_txn* txn, MDB_dbi dbi) {
    MDB_stat stat{};
    if (mdb_stat(txn, dbi, &stat) != 0) return 0;
    return stat.ms_entries;
}

}  // namespace

int append(MDB_txn* txn, MDB_dbi events, std::uint64_t seq, std::int64_t time_ms,
           std::string_view data) {
    std::string key = lmdb::encode_u64(seq);
    MDB_val k = lmdb::to_val(key);
    MDB_val v{kTimeBytes + data.size(), nullptr};
    // MDB_RESERVE lets us write the prefix and the JSON straight into the page: no joined copy.
    int rc = mdb_put(txn, events, &k, &v, MDB_APPEND | MDB_RESERVE);
    if (rc != 0) return rc;
    std::string time = lmdb::encode_u64(static_cast<std::uint64_t>(time_ms));
    auto* out = static_cast<char*>(v.mv_data);
    std::memcpy(out, time.data(), kTimeBytes);
    if (!data.empty()) std::memcpy(out + kTimeBytes, data.data(), data.size());
    return 0;
}

int scan(MDB_txn* txn, MDB_dbi events, std::uint64_t after, const EventVisitor& visit) {
    if (after == UINT64_MAX) return 0;
    lmdb::Cursor cursor;
    if (int rc = lmdb::Cursor::open(txn, events, cursor); rc != 0) return rc;
    std::string start = lmdb::encode_u64(after + 1);
    MDB_val k = lmdb::to_val(start), v{};
    int rc = cursor.move(k, v, MDB_SET_RANGE);
    EventRecord record;
    for (; rc == 0; rc = cursor.move(k, v, MDB_NEXT)) {
        auto value = lmdb::to_view(v);
        if (value.size() < kTimeBytes) continue;  // not ours; never written by this code
        record.seq = lmdb::decode_u64(lmdb::to_view(k)).value_or(0);
        record.data.assign(value.substr(kTimeBytes));
        if (!visit(record)) return 0;
    }
    return rc == MDB_NOTFOUND ? 0 : rc;
}

std::uint64_t first_seq(MDB_txn* txn, MDB_dbi events) {
    lmdb::Cursor cursor;
    if (lmdb::Cursor::open(txn, events, cursor) != 0) return 0;
    MDB_val k{}, v{};
    if (cursor.move(k, v, MDB_FIRST) != 0) return 0;
    return lmdb::decode_u64(lmdb::to_view(k)).value_or(0);
}

int prune(MDB_txn* txn, MDB_dbi events, std::size_t max_count, std::int64_t oldest_ms) {
    std::size_t count = entries(txn, events);
    lmdb::Cursor cursor;
    if (int rc = lmdb::Cursor::open(txn, events, cursor); rc != 0) return rc;
    MDB_val k{}, v{};
    // Re-seek the front after every delete rather than trusting cursor position after
    // mdb_cursor_del; each step is O(log n) and pruning is a few events per batch.
    while (count > 0) {
        int rc = cursor.move(k, v, MDB_FIRST);
        if (rc == MDB_NOTFOUND) return 0;
        if (rc != 0) return rc;
        if (count <= max_count && time_of(v) >= oldest_ms) return 0;
        if (rc = mdb_cursor_del(cursor.get(), 0); rc != 0) return rc;
        --count;
    }
    return 0;
}

}  // namespace drover::store::event_log
