#include "server/ops/exposition.hpp"

#include <charconv>
#include <cmath>

namespace drover::ops {

std::string format_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    // Shortest round-trip form, without an exponent where that stays short (0.0005, not 5e-04).
    char buf[64];
    auto fixed = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
    if (fixed.ec == std::errc()) return std::string(buf, fixed.ptr);
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, value).ptr);
}

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

void Exposition::family(std::string_view name, std::string_view type, std::string_view help) {
    text_ += "# HELP ";
    text_ += name;
    text_ += ' ';
    // HELP escapes only '\' and newlines.
    for (char c : help) {
        if (c == '\\')
            text_ += "\\\\";
        else if (c == '\n')
            text_ += "\\n";
        else
            text_ += c;
    }
    text_ += "\n# TYPE ";
    text_ += name;
    text_ += ' ';
    text_ += type;
    text_ += '\n';
}

void Exposition::series(std::string_view name, const Labels& labels, std::string_view value) {
    text_ += name;
    if (!labels.empty()) {
        text_ += '{';
        bool first = true;
        for (const auto& [label, label_value] : labels) {
            if (!first) text_ += ',';
            first = false;
            text_ += label;
            text_ += "=\"";
            text_ += escape_label_value(label_value);
            text_ += '"';
        }
        text_ += '}';
    }
    text_ += ' ';
    text_ += value;
    text_ += '\n';
}

void Exposition::sample(std::string_view name, const Labels& labels, double value) {
    series(name, labels, format_value(value));
}

void Exposition::sample(std::string_view name, const Labels& labels, std::uint64_t value) {
    series(name, labels, std::to_string(value));
}

void Exposition::histogram(std::string_view name, const Labels& labels,
                           const HistogramSnapshot& h) {
    std::string bucket = std::string(name) + "_bucket";
    Labels with_le = labels;
    with_le.emplace_back("le", "");
    for (std::size_t i = 0; i < h.upper_bounds.size(); ++i) {
        with_le.back().second = format_value(h.upper_bounds[i]);
        sample(bucket, with_le, h.cumulative[i]);
    }
    with_le.back().second = "+Inf";
    sample(bucket, with_le, h.count);
    sample(std::string(name) + "_sum", labels, h.sum);
    sample(std::string(name) + "_count", labels, h.count);
}

void Exposition::counter(std::string_view name, std::string_view help, std::uint64_t value) {
    family(name, "counter", help);
    sample(name, {}, value);
}

void Exposition::gauge(std::string_view name, std::string_view help, double value) {
    family(name, "gauge", help);
    sample(name, {}, value);
}

}  // namespace drover::ops
