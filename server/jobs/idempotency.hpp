// Idempotent POST /jobs: the answer to a request that carried an Idempotency-Key is stored in the
// same transaction as the job it created, so a retry of a request whose response was lost gets
// that answer again instead of a second job or a 409. An agent has one decision in flight per
// machine and context, so one record per (machine, context) suffices: storage stays bounded by
// the fleet size and needs no sweeping; records also expire after a configurable time.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "common/model/codec.hpp"
#include "server/store/store.hpp"

namespace drover::jobs {

inline constexpr const char* kIdempotencyBucket = "jobs.idempotency";

struct RecordedReply {
    int status = 204;
    std::optional<model::Json> job;
};

struct IdempotencyScope {
    std::string machine;
    std::string context;
    std::string key;
};

// The recorded answer for this key, when it is the machine's latest one and has not expired.
std::optional<RecordedReply> recorded_reply(const store::ReadView& view,
                                            const IdempotencyScope& scope,
                                            std::int64_t now_seconds);

void record_reply(store::WriteTxn& txn, const IdempotencyScope& scope, const RecordedReply& reply,
                  std::int64_t expires_at_seconds);

// Drops every record of a machine (it was deleted).
void forget_machine(store::WriteTxn& txn, const std::string& machine);

}  // namespace drover::jobs
