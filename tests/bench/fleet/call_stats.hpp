// The fleet simulator's figures: latency per API call kind (the route, ids replaced), errors by
// kind, and plain counters. Recording is thread-safe and cheap (a mutex per call kind), so the
// workers of the simulator can record every request.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace drover::fleet {

struct Percentiles {
    std::uint64_t count = 0;
    double p50_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0;
};

// Sorts a copy; empty input gives zeros.
Percentiles percentiles_of(std::vector<double> samples_ms);

// "PATCH /api/v3/jobs/8d1f.../log?x=1" -> "PATCH /jobs/{id}/log".
std::string call_kind(const std::string& method, const std::string& path);

class CallStats {
  public:
    void record(const std::string& kind, double ms, int status);
    void error(const std::string& kind);  // something that is not a request's status
    std::map<std::string, Percentiles> latencies() const;
    std::map<std::string, std::uint64_t> errors() const;
    std::uint64_t requests() const;
    // Requests that commit to the store: POST, PUT, PATCH, DELETE, but not a job log's PUT.
    std::uint64_t writes() const;
    void reset();

  private:
    struct Series {
        std::mutex mutex;
        std::vector<double> ms;
    };
    Series& series(const std::string& kind);

    mutable std::mutex mutex_;
    std::map<std::string, std::unique_ptr<Series>> series_;
    std::map<std::string, std::uint64_t> errors_;
    std::uint64_t writes_ = 0;
};

}  // namespace drover::fleet
