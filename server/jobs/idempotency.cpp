#include "server/jobs/idempotency.hpp"

#include <vector>

namespace drover::jobs {

namespace {

std::string record_key(const IdempotencyScope& scope) {
    return scope.machine + '\x1f' + scope.context;
}

}  // namespace

std::optional<RecordedReply> recorded_reply(const store::ReadView& view,
                                            const IdempotencyScope& scope,
                                            std::int64_t now_seconds) {
    auto raw = view.get(kIdempotencyBucket, record_key(scope));
    if (!raw) return std::nullopt;
    auto doc = model::Json::parse(*raw, nullptr, false);
    if (!doc.is_object() || doc.value("Key", "") != scope.key) return std::nullopt;
    if (doc.value("Expires", std::int64_t{0}) <= now_seconds) return std::nullopt;
    RecordedReply reply;
    reply.status = doc.value("Status", 204);
    if (auto it = doc.find("Job"); it != doc.end() && !it->is_null()) reply.job = *it;
    return reply;
}

void record_reply(store::WriteTxn& txn, const IdempotencyScope& scope, const RecordedReply& reply,
                  std::int64_t expires_at_seconds) {
    model::Json doc{{"Key", scope.key},
                    {"Status", reply.status},
                    {"Job", reply.job ? *reply.job : model::Json()},
                    {"Expires", expires_at_seconds}};
    txn.put(kIdempotencyBucket, record_key(scope), doc.dump());
}

void forget_machine(store::WriteTxn& txn, const std::string& machine) {
    std::vector<std::string> keys;
    std::string prefix = machine + '\x1f';
    txn.scan(kIdempotencyBucket, prefix, [&](std::string_view key, std::string_view) {
        if (key.substr(0, prefix.size()) != prefix) return false;
        keys.emplace_back(key);
        return true;
    });
    for (const auto& k : keys)
        txn.erase(kIdempotencyBucket, k);
}

}  // namespace drover::jobs
