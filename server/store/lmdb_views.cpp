#include "server/store/lmdb_views.hpp"

#include "server/store/event_log.hpp"
#include "server/store/store_meta.hpp"

namespace drover::store {
namespace {

// rc: 0 found, MDB_NOTFOUND, or an error. A key LMDB cannot hold is simply not there.
std::optional<std::string> get_in(MDB_txn* txn, MDB_dbi dbi, std::string_view key, int& rc) {
    MDB_val k = lmdb::to_val(key), v{};
    rc = mdb_get(txn, dbi, &k, &v);
    if (rc == MDB_BAD_VALSIZE) rc = MDB_NOTFOUND;
    if (rc != 0) return std::nullopt;
    return std::string(lmdb::to_view(v));
}

int scan_in(MDB_txn* txn, MDB_dbi dbi, std::string_view from, const KeyValueVisitor& visit) {
    lmdb::Cursor cursor;
    if (int rc = lmdb::Cursor::open(txn, dbi, cursor); rc != 0) return rc;
    MDB_val k = lmdb::to_val(from), v{};
    // LMDB has no empty keys, and MDB_SET_RANGE rejects an empty one: start at the first.
    int rc = cursor.move(k, v, from.empty() ? MDB_FIRST : MDB_SET_RANGE);
    for (; rc == 0; rc = cursor.move(k, v, MDB_NEXT)) {
        if (!visit(lmdb::to_view(k), lmdb::to_view(v))) return 0;
    }
    return rc == MDB_NOTFOUND || rc == MDB_BAD_VALSIZE ? 0 : rc;
}

std::size_t count_in(MDB_txn* txn, MDB_dbi dbi) {
    MDB_stat stat{};
    return mdb_stat(txn, dbi, &stat) == 0 ? stat.ms_entries : 0;
}

}  // namespace

std::optional<std::string> LmdbReadView::get(std::string_view bucket, std::string_view key) const {
    auto dbi = dbs_.bucket(bucket);
    if (!txn_ || !dbi) return std::nullopt;
    int rc = 0;
    return get_in(txn_, *dbi, key, rc);
}

void LmdbReadView::scan(std::string_view bucket, std::string_view from,
                        const KeyValueVisitor& visit) const {
    auto dbi = dbs_.bucket(bucket);
    if (txn_ && dbi) scan_in(txn_, *dbi, from, visit);
}

std::size_t LmdbReadView::count(std::string_view bucket) const {
    auto dbi = dbs_.bucket(bucket);
    return txn_ && dbi ? count_in(txn_, *dbi) : 0;
}

void LmdbReadView::scan_events(std::uint64_t after, const EventVisitor& visit) const {
    if (txn_) event_log::scan(txn_, dbs_.events, after, visit);
}

std::uint64_t LmdbReadView::first_event_seq() const {
    return txn_ ? event_log::first_seq(txn_, dbs_.events) : 0;
}

std::uint64_t LmdbReadView::last_event_seq() const {
    return txn_ ? meta::last_event_seq(txn_, dbs_.meta) : 0;
}

void LmdbWriteTxn::note(int rc, std::string_view what) const {
    if (rc == MDB_MAP_FULL || rc == MDB_TXN_FULL) {
        batch_error_ = rc;
    } else if (!writer_error_) {
        writer_error_ = lmdb::error_text(what, rc);
    }
}

std::optional<std::string> LmdbWriteTxn::get(std::string_view bucket, std::string_view key) const {
    auto dbi = dbs_.bucket(bucket);
    if (failed() || !dbi) return std::nullopt;
    int rc = 0;
    auto value = get_in(txn_, *dbi, key, rc);
    if (rc != 0 && rc != MDB_NOTFOUND) note(rc, "get");
    return value;
}

void LmdbWriteTxn::scan(std::string_view bucket, std::string_view from,
                        const KeyValueVisitor& visit) const {
    auto dbi = dbs_.bucket(bucket);
    if (failed() || !dbi) return;
    if (int rc = scan_in(txn_, *dbi, from, visit); rc != 0) note(rc, "scan");
}

std::size_t LmdbWriteTxn::count(std::string_view bucket) const {
    auto dbi = dbs_.bucket(bucket);
    return !failed() && dbi ? count_in(txn_, *dbi) : 0;
}

void LmdbWriteTxn::scan_events(std::uint64_t after, const EventVisitor& visit) const {
    if (failed()) return;
    if (int rc = event_log::scan(txn_, dbs_.events, after, visit); rc != 0) note(rc, "scan events");
}

std::uint64_t LmdbWriteTxn::first_event_seq() const {
    return failed() ? 0 : event_log::first_seq(txn_, dbs_.events);
}

void LmdbWriteTxn::put(std::string_view bucket, std::string_view key, std::string_view value) {
    if (failed()) return;
    auto dbi = dbs_.bucket(bucket);
    if (!dbi) {
        writer_error_ = "put: unknown bucket '" + std::string(bucket) + "'";
        return;
    }
    MDB_val k = lmdb::to_val(key), v = lmdb::to_val(value);
    if (int rc = mdb_put(txn_, *dbi, &k, &v, 0); rc != 0) {
        note(rc, "put " + std::string(bucket) + "/" + std::string(key.substr(0, 64)));
    }
}

bool LmdbWriteTxn::erase(std::string_view bucket, std::string_view key) {
    if (failed()) return false;
    auto dbi = dbs_.bucket(bucket);
    if (!dbi) return false;
    MDB_val k = lmdb::to_val(key);
    int rc = mdb_del(txn_, *dbi, &k, nullptr);
    if (rc == 0) return true;
    if (rc != MDB_NOTFOUND && rc != MDB_BAD_VALSIZE) note(rc, "erase");
    return false;
}

std::uint64_t LmdbWriteTxn::append_event(std::string_view data, EventRoute route) {
    if (failed()) return 0;
    std::uint64_t seq = events_.last_seq + 1;
    if (int rc = event_log::append(txn_, dbs_.events, seq, events_.time_ms, data); rc != 0) {
        note(rc, "append event");
        return 0;
    }
    events_.last_seq = seq;
    events_.records.push_back({seq, std::string(data), std::move(route)});
    return seq;
}

}  // namespace drover::store
