// RAII owners for LMDB handles and the few conversions every backend file needs. Internal to the
// LMDB backend in server/store: nothing outside it includes this header (or lmdb.h).
// Invariants: a Txn not committed is aborted when it goes out of scope; a Cursor must be
// destroyed before the transaction that opened it ends (keep it in an inner scope).
#pragma once
#include <lmdb.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace drover::store::lmdb {

// "mdb_put: MDB_MAP_FULL: Environment mapsize limit reached" style text for messages.
std::string error_text(std::string_view what, int rc);

inline MDB_val to_val(std::string_view s) {
    return MDB_val{s.size(), const_cast<char*>(s.data())};
}
inline std::string_view to_view(const MDB_val& v) {
    return {static_cast<const char*>(v.mv_data), v.mv_size};
}

class Env {
  public:
    // Creates an unopened environment handle; rc is LMDB's error code.
    static int create(Env& out);
    MDB_env* get() const { return env_.get(); }

  private:
    struct Close {
        void operator()(MDB_env* env) const { mdb_env_close(env); }
    };
    std::unique_ptr<MDB_env, Close> env_;
};

class Txn {
  public:
    static int begin(MDB_env* env, MDB_txn* parent, unsigned flags, Txn& out);
    MDB_txn* get() const { return txn_.get(); }
    explicit operator bool() const { return txn_ != nullptr; }
    // LMDB frees the transaction whether or not the commit succeeds, so this always releases it.
    int commit() { return mdb_txn_commit(txn_.release()); }
    void abort() { txn_.reset(); }

  private:
    struct Abort {
        void operator()(MDB_txn* txn) const { mdb_txn_abort(txn); }
    };
    std::unique_ptr<MDB_txn, Abort> txn_;
};

class Cursor {
  public:
    static int open(MDB_txn* txn, MDB_dbi dbi, Cursor& out);
    MDB_cursor* get() const { return cursor_.get(); }
    // Moves the cursor; rc is 0, MDB_NOTFOUND or an error.
    int move(MDB_val& key, MDB_val& value, MDB_cursor_op op) {
        return mdb_cursor_get(cursor_.get(), &key, &value, op);
    }

  private:
    struct Close {
        void operator()(MDB_cursor* cursor) const { mdb_cursor_close(cursor); }
    };
    std::unique_ptr<MDB_cursor, Close> cursor_;
};

// The named sub-databases of one environment: the caller's buckets and the internal ones.
struct Databases {
    MDB_dbi meta = 0;    // schema version, last event sequence number
    MDB_dbi events = 0;  // big-endian seq -> 8-byte big-endian commit time (ms) + event JSON
    std::map<std::string, MDB_dbi, std::less<>> buckets;

    std::optional<MDB_dbi> bucket(std::string_view name) const {
        auto it = buckets.find(name);
        if (it == buckets.end()) return std::nullopt;
        return it->second;
    }
};

// Big-endian 8-byte encoding, so LMDB's default byte-wise key order is numeric order.
std::string encode_u64(std::uint64_t v);
std::optional<std::uint64_t> decode_u64(std::string_view bytes);

}  // namespace drover::store::lmdb
