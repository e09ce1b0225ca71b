// The Prometheus text exposition format, version 0.0.4: `# HELP` and `# TYPE` once per metric
// family, then its samples `name{label="value",...} value`. Label values and help texts are
// escaped as the format requires, so no value can break a line or a label set.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/ops/histogram.hpp"

namespace drover::ops {

inline constexpr std::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";

using Labels = std::vector<std::pair<std::string_view, std::string>>;

class Exposition {
  public:
    // Starts a family; `type` is "counter", "gauge" or "histogram".
    void family(std::string_view name, std::string_view type, std::string_view help);
    void sample(std::string_view name, const Labels& labels, double value);
    void sample(std::string_view name, const Labels& labels, std::uint64_t value);
    // A histogram's samples: _bucket per bound and +Inf, _sum, _count (after family()).
    void histogram(std::string_view name, const Labels& labels, const HistogramSnapshot& h);

    // A family with its one unlabelled sample.
    void counter(std::string_view name, std::string_view help, std::uint64_t value);
    void gauge(std::string_view name, std::string_view help, double value);

    const std::string& text() const { return text_; }

  private:
    void series(std::string_view name, const Labels& labels, std::string_view value);

    std::string text_;
};

// A sample value as the format writes it: integers without a fraction, +Inf, -Inf, NaN.
std::string format_value(double value);
// A label value with '\', '"' and newlines escaped.
std::string escape_label_value(std::string_view value);

}  // namespace drover::ops
