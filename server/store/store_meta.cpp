#include "server/store/store_meta.hpp"

#include <charconv>

namespace drover::store::meta {
namespace {

// Decimal text, so `mdb_dump` shows it readably.
constexpr std::string_view kSchemaKey = "schema-version";
constexpr std::string_view kLastSeqKey = "last-event-seq";

std::optional<std::string_view> get(MDB_txn* txn, MDB_dbi meta, std::string_view key) {
    MDB_val k = lmdb::to_val(key), v{};
    if (mdb_get(txn, meta, &k, &v) != 0) return std::nullopt;
    return lmdb::to_view(v);
}

int put(MDB_txn* txn, MDB_dbi meta, std::string_view key, std::string_view value) {
    MDB_val k = lmdb::to_val(key), v = lmdb::to_val(value);
    return mdb_put(txn, meta, &k, &v, 0);
}

}  // namespace

std::optional<std::uint64_t> schema_version(MDB_txn* txn, MDB_dbi meta) {
    auto text = get(txn, meta, kSchemaKey);
    if (!text) return std::nullopt;
    std::uint64_t version = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), version);
    // An unparseable marker can only come from something newer (or foreign): never touch it.
    if (ec != std::errc() || end != text->data() + text->size()) return UINT64_MAX;
    return version;
}

int put_schema_version(MDB_txn* txn, MDB_dbi meta, std::uint64_t version) {
    return put(txn, meta, kSchemaKey, std::to_string(version));
}

Status check_schema_version(MDB_txn* txn, MDB_dbi meta, const std::string& data_dir) {
    auto found = schema_version(txn, meta);
    if (!found) {
        int rc = put_schema_version(txn, meta, kSchemaVersion);
        if (rc != 0) return {StoreCode::Io, lmdb::error_text("writing the schema version", rc)};
        return {};
    }
    if (*found <= kSchemaVersion) return {};
    std::string theirs = *found == UINT64_MAX ? std::string("an unknown") : std::to_string(*found);
    return {StoreCode::TooNew, "the store in " + data_dir + " has schema version " + theirs +
                                   ", newer than the schema version " +
                                   std::to_string(kSchemaVersion) +
                                   " this drover understands; run a newer drover"};
}

std::uint64_t last_event_seq(MDB_txn* txn, MDB_dbi meta) {
    auto bytes = get(txn, meta, kLastSeqKey);
    return bytes ? lmdb::decode_u64(*bytes).value_or(0) : 0;
}

int put_last_event_seq(MDB_txn* txn, MDB_dbi meta, std::uint64_t seq) {
    return put(txn, meta, kLastSeqKey, lmdb::encode_u64(seq));
}

}  // namespace drover::store::meta
