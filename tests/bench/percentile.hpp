// One percentile for every benchmark tool, so their figures compare: the nearest-rank value at
// index p * n (clamped to the last), over samples it sorts in place.
#pragma once
#include <algorithm>
#include <cstddef>
#include <vector>

namespace drover::bench {

// The p-quantile (p in 0..1) of `samples`, which are left sorted; 0 when there are none.
inline double percentile(std::vector<double>& samples, double p) {
    if (samples.empty()) return 0;
    std::sort(samples.begin(), samples.end());
    auto at = static_cast<std::size_t>(p * static_cast<double>(samples.size()));
    return samples[std::min(samples.size() - 1, at)];
}

}  // namespace drover::bench
