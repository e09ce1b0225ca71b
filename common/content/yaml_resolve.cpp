#include "common/content/yaml_resolve.hpp"

#include <re2/re2.h>
#include <limits>
#include <optional>
#include <vector>

#include "common/tmpl/strconv.hpp"

namespace drover::content {

namespace {

using nlohmann::json;

struct Known {
    const char* text;
    ScalarTag tag;
    json value;
};

// yaml.v2 resolveMapList.
const std::vector<Known>& known_scalars() {
    static const std::vector<Known> table = [] {
        std::vector<Known> t;
        auto add = [&](std::initializer_list<const char*> texts, ScalarTag tag, const json& v) {
            for (const char* s : texts)
                t.push_back({s, tag, v});
        };
        const double inf = std::numeric_limits<double>::infinity();
        add({"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"},
            ScalarTag::Bool, true);
        add({"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"},
            ScalarTag::Bool, false);
        add({"", "~", "null", "Null", "NULL"}, ScalarTag::Null, nullptr);
        add({".nan", ".NaN", ".NAN"}, ScalarTag::Float, std::numeric_limits<double>::quiet_NaN());
        add({".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}, ScalarTag::Float, inf);
        add({"-.inf", "-.Inf", "-.INF"}, ScalarTag::Float, -inf);
        add({"<<"}, ScalarTag::Merge, "<<");
        return t;
    }();
    return table;
}

// yaml.v2 parseTimestamp's quick check plus the date and date-time shapes it tries.
bool is_timestamp(std::string_view s) {
    static const RE2 re(
        R"([0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2})?)?)");
    return RE2::FullMatch(re2::StringPiece(s.data(), s.size()), re);
}

ResolvedScalar integer(int64_t v) {
    return {ScalarTag::Int, v};
}

std::optional<ResolvedScalar> number(std::string_view in) {
    std::string plain;
    for (char c : in)
        if (c != '_') plain += c;
    if (auto i = tmpl::go_parse_int(plain)) return integer(*i);
    if (auto u = tmpl::go_parse_uint(plain)) return ResolvedScalar{ScalarTag::Int, *u};
    // RE2, not std::regex: libstdc++ recursed per character and a long plain scalar of digits
    // overflowed the stack (found by tests/fuzz/content_bundle_fuzz).
    static const RE2 yaml_float(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
    if (RE2::FullMatch(plain, yaml_float)) {
        if (auto f = tmpl::go_parse_float(plain)) return ResolvedScalar{ScalarTag::Float, *f};
    }
    std::string_view digits = plain;
    bool negative = false;
    if (digits.starts_with("-0b")) {
        negative = true;
        digits.remove_prefix(3);
    } else if (digits.starts_with("0b")) {
        digits.remove_prefix(2);
    } else {
        return std::nullopt;
    }
    if (auto i = tmpl::go_parse_int_base(std::string(negative ? "-" : "") + std::string(digits), 2))
        return integer(*i);
    if (!negative) {
        // ParseUint(s, 2, 64) for values above INT64_MAX.
        if (digits.size() == 64 && digits.find_first_not_of("01") == std::string_view::npos) {
            uint64_t v = 0;
            for (char c : digits)
                v = (v << 1) | static_cast<uint64_t>(c - '0');
            return ResolvedScalar{ScalarTag::Int, v};
        }
    }
    return std::nullopt;
}

}  // namespace

ResolvedScalar resolve_plain_scalar(std::string_view in) {
    for (const auto& k : known_scalars())
        if (in == k.text) return {k.tag, k.value};
    ResolvedScalar as_string{ScalarTag::Str, std::string(in)};
    char c = in[0];  // not empty: "" is in the table
    if (c == '.') {
        if (auto f = tmpl::go_parse_float(in)) return {ScalarTag::Float, *f};
        return as_string;
    }
    if (!(c == '+' || c == '-' || (c >= '0' && c <= '9'))) return as_string;
    if (is_timestamp(in)) return {ScalarTag::Timestamp, std::string(in)};
    if (auto n = number(in)) return *n;
    return as_string;
}

const char* short_tag(ScalarTag tag) {
    switch (tag) {
        case ScalarTag::Null:
            return "!!null";
        case ScalarTag::Bool:
            return "!!bool";
        case ScalarTag::Int:
            return "!!int";
        case ScalarTag::Float:
            return "!!float";
        case ScalarTag::Timestamp:
            return "!!timestamp";
        case ScalarTag::Merge:
            return "!!merge";
        case ScalarTag::Str:
            break;
    }
    return "!!str";
}

}  // namespace drover::content
