#include "server/store/lmdb_env.hpp"

namespace drover::store::lmdb {

std::string error_text(std::string_view what, int rc) {
    std::string text(what);
    text += ": ";
    text += mdb_strerror(rc);
    return text;
}

int Env::create(Env& out) {
    MDB_env* env = nullptr;
    int rc = mdb_env_create(&env);
    if (rc == 0) out.env_.reset(env);
    return rc;
}

int Txn::begin(MDB_env* env, MDB_txn* parent, unsigned flags, Txn& out) {
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env, parent, flags, &txn);
    if (rc == 0) out.txn_.reset(txn);
    return rc;
}

int Cursor::open(MDB_txn* txn, MDB_dbi dbi, Cursor& out) {
    MDB_cursor* cursor = nullptr;
    int rc = mdb_cursor_open(txn, dbi, &cursor);
    if (rc == 0) out.cursor_.reset(cursor);
    return rc;
}

std::string encode_u64(std::uint64_t v) {
    std::string out(8, '\0');
    for (int i = 7; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = static_cast<char>(v & 0xff);
        v >>= 8;
    }
    return out;
}

std::optional<std::uint64_t> decode_u64(std::string_view bytes) {
    if (bytes.size() != 8) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : bytes)
        v = (v << 8) | static_cast<unsigned char>(c);
    return v;
}

}  // namespace drover::store::lmdb
