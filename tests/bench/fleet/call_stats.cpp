#include "call_stats.hpp"

#include "tests/bench/percentile.hpp"

#include <algorithm>

namespace drover::fleet {

namespace {
// A job log chunk goes to a file of its own, not through the store's commits.
const std::string kLogUpload = "PUT /jobs/{id}/log";
}  // namespace

Percentiles percentiles_of(std::vector<double> v) {
    Percentiles p;
    if (v.empty()) return p;
    p.count = v.size();
    p.p50_ms = bench::percentile(v, 0.50);
    p.p95_ms = bench::percentile(v, 0.95);
    p.p99_ms = bench::percentile(v, 0.99);
    p.max_ms = v.back();
    return p;
}

// The segment after the collection is a key (a UUID, or a task's name): one kind per route.
std::string call_kind(const std::string& method, const std::string& path) {
    std::string p = path.substr(0, path.find('?'));
    if (p.rfind("/api/v3", 0) == 0) p = p.substr(7);
    std::string out = method + " ";
    int index = 0;
    for (std::size_t i = 1; i <= p.size(); ++index) {
        std::size_t j = p.find('/', i);
        if (j == std::string::npos) j = p.size();
        out += "/" + (index == 1 ? std::string("{id}") : p.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

CallStats::Series& CallStats::series(const std::string& kind) {
    std::lock_guard lock(mutex_);
    auto& s = series_[kind];
    if (!s) s = std::make_unique<Series>();
    return *s;
}

void CallStats::record(const std::string& kind, double ms, int status) {
    auto& s = series(kind);
    {
        std::lock_guard lock(s.mutex);
        s.ms.push_back(ms);
    }
    std::lock_guard lock(mutex_);
    if (status == 0 || status >= 400) ++errors_[kind + " -> " + std::to_string(status)];
    if (kind.rfind("GET", 0) != 0 && kind.rfind("HEAD", 0) != 0 && kind != kLogUpload) ++writes_;
}

void CallStats::error(const std::string& kind) {
    std::lock_guard lock(mutex_);
    ++errors_[kind];
}

std::map<std::string, Percentiles> CallStats::latencies() const {
    std::map<std::string, Percentiles> out;
    std::lock_guard lock(mutex_);
    for (const auto& [kind, s] : series_) {
        std::lock_guard slock(s->mutex);
        out[kind] = percentiles_of(s->ms);
    }
    return out;
}

std::map<std::string, std::uint64_t> CallStats::errors() const {
    std::lock_guard lock(mutex_);
    return errors_;
}

std::uint64_t CallStats::requests() const {
    std::uint64_t n = 0;
    std::lock_guard lock(mutex_);
    for (const auto& [kind, s] : series_) {
        std::lock_guard slock(s->mutex);
        n += s->ms.size();
    }
    return n;
}

std::uint64_t CallStats::writes() const {
    std::lock_guard lock(mutex_);
    return writes_;
}

void CallStats::reset() {
    std::lock_guard lock(mutex_);
    series_.clear();
    errors_.clear();
    writes_ = 0;
}

}  // namespace drover::fleet
