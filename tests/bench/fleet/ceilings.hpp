// The two ceilings a job cycle runs under, measured in the same run on the same machine: the
// HTTP stack's round-trip rate on a trivial endpoint (droverd's GET /healthz, through the same
// client and the same number of connections as the fleet), and the store's durable write rate
// (drover's LMDB store with its group commit, as many writers as the fleet has workers).
#pragma once
#include <string>

namespace drover::fleet {

struct Ceilings {
    bool measured = false;  // a run may skip them (--ceiling-seconds 0)
    double http_requests_per_second = 0;
    double store_writes_per_second = 0;
    double store_writes_per_commit = 0;
};

double measure_http_ceiling(const std::string& endpoint, int connections, double seconds);
// In a fresh directory below `dir` (removed afterwards): the disk droverd writes to.
double measure_store_ceiling(const std::string& dir, int writers, double seconds,
                             double& writes_per_commit);

}  // namespace drover::fleet
