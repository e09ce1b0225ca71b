#include "server/store/lmdb_backup.hpp"

#include <filesystem>

#include "server/store/lmdb_env.hpp"
#include "server/store/store_meta.hpp"

namespace drover::store {
namespace {

constexpr MDB_dbi kMaxDbs = 64;

Status io(std::string_view what, int rc) {
    return {StoreCode::Io, lmdb::error_text(what, rc)};
}

int open_readonly(const std::string& dir, unsigned extra_flags, lmdb::Env& env) {
    if (int rc = lmdb::Env::create(env); rc != 0) return rc;
    if (int rc = mdb_env_set_maxdbs(env.get(), kMaxDbs); rc != 0) return rc;
    return mdb_env_open(env.get(), dir.c_str(), MDB_RDONLY | extra_flags, 0600);
}

// A read transaction on the private environment in `dir`, with the meta database opened.
Status open_private(const std::string& dir, lmdb::Env& env, lmdb::Txn& txn, MDB_dbi& meta) {
    if (!std::filesystem::exists(std::filesystem::path(dir) / "data.mdb"))
        return {StoreCode::Io, dir + " holds no drover store (no data.mdb)"};
    if (int rc = open_readonly(dir, MDB_NOLOCK, env); rc != 0)
        return io("opening the store in " + dir, rc);
    if (int rc = lmdb::Txn::begin(env.get(), nullptr, MDB_RDONLY, txn); rc != 0)
        return io("reading the store in " + dir, rc);
    if (int rc = mdb_dbi_open(txn.get(), "meta", 0, &meta); rc != 0)
        return io(dir + " is not a drover store: its meta database", rc);
    return {};
}

}  // namespace

Status copy_store_compacted(const std::string& data_dir, const std::string& target_dir) {
    if (!std::filesystem::exists(std::filesystem::path(data_dir) / "data.mdb"))
        return {StoreCode::Io, data_dir + " holds no drover store (no data.mdb)"};
    lmdb::Env env;
    if (int rc = open_readonly(data_dir, 0, env); rc != 0)
        return io("opening the store in " + data_dir, rc);
    // droverd may grow the map while we copy; a reader then has to adopt the new size.
    for (int attempt = 0;; ++attempt) {
        int rc = mdb_env_copy2(env.get(), target_dir.c_str(), MDB_CP_COMPACT);
        if (rc == 0) return {};
        if (rc != MDB_MAP_RESIZED || attempt == 3) return io("copying the store", rc);
        std::filesystem::remove(std::filesystem::path(target_dir) / "data.mdb");
        if (int grow = mdb_env_set_mapsize(env.get(), 0); grow != 0)
            return io("adopting the store's new size", grow);
    }
}

Status private_bucket_keys(const std::string& dir, std::string_view bucket,
                           std::vector<std::string>& keys) {
    lmdb::Env env;
    lmdb::Txn txn;
    MDB_dbi meta = 0;
    if (Status s = open_private(dir, env, txn, meta); !s.ok()) return s;
    MDB_dbi dbi = 0;
    std::string name(bucket);
    int rc = mdb_dbi_open(txn.get(), name.c_str(), 0, &dbi);
    if (rc == MDB_NOTFOUND) return {};
    if (rc != 0) return io("opening bucket " + name, rc);
    lmdb::Cursor cursor;
    if (rc = lmdb::Cursor::open(txn.get(), dbi, cursor); rc != 0) return io("reading " + name, rc);
    MDB_val key{}, value{};
    for (rc = cursor.move(key, value, MDB_FIRST); rc == 0; rc = cursor.move(key, value, MDB_NEXT))
        keys.emplace_back(lmdb::to_view(key));
    return rc == MDB_NOTFOUND ? Status{} : io("reading " + name, rc);
}

Status check_private_store(const std::string& dir) {
    lmdb::Env env;
    lmdb::Txn txn;
    MDB_dbi meta = 0;
    if (Status s = open_private(dir, env, txn, meta); !s.ok()) return s;
    // Only read here: check_schema_version would stamp a version on a store that has none.
    auto version = meta::schema_version(txn.get(), meta);
    if (!version) return {StoreCode::Io, dir + " is not a drover store: it has no schema version"};
    if (*version > meta::kSchemaVersion)
        return {StoreCode::TooNew, "the store in " + dir + " has schema version " +
                                       std::to_string(*version) + ", newer than this drover's " +
                                       std::to_string(meta::kSchemaVersion)};
    return {};
}

}  // namespace drover::store
