#include "server/ops/request_metrics.hpp"

#include <algorithm>
#include <utility>

namespace drover::ops {

RequestMetrics::RequestMetrics(std::vector<std::string> routes)
    : routes_(std::move(routes)),
      counts_(std::make_unique<RouteCounts[]>(std::max<std::size_t>(routes_.size(), 1))),
      duration_(kLatencyBuckets) {}

void RequestMetrics::record(std::size_t route, int status, double seconds) {
    duration_.observe(seconds);
    RouteCounts& counts = counts_[std::min(route, std::max<std::size_t>(routes_.size(), 1) - 1)];
    // Codes are few and claimed for good, so the probe is short and ends at the first free slot.
    for (CodeSlot& slot : counts.slots) {
        int seen = slot.code.load(std::memory_order_acquire);
        if (seen == 0 && slot.code.compare_exchange_strong(seen, status)) seen = status;
        if (seen == status) {
            slot.count.fetch_add(1, std::memory_order_relaxed);
            return;
        }
    }
    counts.other.fetch_add(1, std::memory_order_relaxed);
}

void RequestMetrics::write(Exposition& out) const {
    out.family("drover_http_requests_total", "counter",
               "HTTP requests answered, by route template and status code");
    for (std::size_t r = 0; r < routes_.size(); ++r) {
        const RouteCounts& counts = counts_[r];
        for (const CodeSlot& slot : counts.slots) {
            int code = slot.code.load(std::memory_order_acquire);
            if (code == 0) break;
            out.sample("drover_http_requests_total",
                       {{"route", routes_[r]}, {"code", std::to_string(code)}},
                       slot.count.load(std::memory_order_relaxed));
        }
        if (std::uint64_t other = counts.other.load(std::memory_order_relaxed))
            out.sample("drover_http_requests_total", {{"route", routes_[r]}, {"code", "other"}},
                       other);
    }
    out.family("drover_http_request_duration_seconds", "histogram",
               "Time from a request's arrival to its answer (streams: to the stream's start)");
    out.histogram("drover_http_request_duration_seconds", {}, duration_.snapshot());
}

}  // namespace drover::ops
