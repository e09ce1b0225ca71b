// A Prometheus histogram that hot paths observe into without locks: one relaxed atomic per
// bucket plus the sum. Buckets are fixed at construction (upper bounds, ascending; +Inf is
// implicit). Invariant: a snapshot's cumulative counts never decrease along the buckets and its
// +Inf bucket equals its count, even while other threads observe.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace drover::ops {

struct HistogramSnapshot {
    std::vector<double> upper_bounds;       // ascending, without +Inf
    std::vector<std::uint64_t> cumulative;  // per bound: observations <= it
    std::uint64_t count = 0;                // all observations (the +Inf bucket)
    double sum = 0;
};

class Histogram {
  public:
    explicit Histogram(std::span<const double> upper_bounds);
    Histogram(const Histogram&) = delete;
    Histogram& operator=(const Histogram&) = delete;

    void observe(double value);
    HistogramSnapshot snapshot() const;

  private:
    std::vector<double> bounds_;
    // bounds_.size() + 1 non-cumulative counts; the last is above every bound.
    std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
    std::atomic<double> sum_{0};
};

// Bucket sets used by droverd.
inline constexpr double kLatencyBuckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,    0.25,  0.5,    1,     2.5,  5,     10};
inline constexpr double kBatchSizeBuckets[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

}  // namespace drover::ops
