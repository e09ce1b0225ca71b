// HTTP request counts by route template and status code, and the request duration histogram,
// recorded by the router for every request it answers. Recording is lock-free: routes are a
// fixed list given at construction (so label cardinality is bounded by the API, never by the
// IDs in paths), and each route has a small table of status codes claimed by compare-and-swap.
// Invariant: every record() is counted exactly once, under its code or, should a route ever see
// more distinct codes than its table holds, under code "other".
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/ops/exposition.hpp"
#include "server/ops/histogram.hpp"

namespace drover::ops {

class RequestMetrics {
  public:
    explicit RequestMetrics(std::vector<std::string> routes);

    // `route` indexes the constructor's list; out of range counts under the last route.
    void record(std::size_t route, int status, double seconds);
    // drover_http_requests_total and drover_http_request_duration_seconds.
    void write(Exposition& out) const;

  private:
    static constexpr std::size_t kCodesPerRoute = 32;
    struct CodeSlot {
        std::atomic<int> code{0};  // 0: free
        std::atomic<std::uint64_t> count{0};
    };
    struct RouteCounts {
        std::array<CodeSlot, kCodesPerRoute> slots;
        std::atomic<std::uint64_t> other{0};
    };

    std::vector<std::string> routes_;
    std::unique_ptr<RouteCounts[]> counts_;
    Histogram duration_;
};

}  // namespace drover::ops
