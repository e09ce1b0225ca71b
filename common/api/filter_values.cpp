#include "common/api/filter_values.hpp"

#include "common/api/clip.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace drover::api {

using nlohmann::json;

namespace {

std::optional<std::int64_t> parse_int(std::string_view s) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

std::optional<bool> parse_bool(std::string_view s) {
    if (s == "true") return true;
    if (s == "false") return false;
    return std::nullopt;
}

bool is_hex(char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

// Canonical 8-4-4-4-12, either case; returned lowercased.
std::optional<std::string> parse_uuid(std::string_view s) {
    if (s.size() != 36) return std::nullopt;
    std::string out(s);
    for (std::size_t i = 0; i < out.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? out[i] != '-' : !is_hex(out[i])) return std::nullopt;
        out[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[i])));
    }
    return out;
}

std::optional<IndexValue> number_of(const json& v) {
    if (v.is_number_integer() && !v.is_number_unsigned()) return v.get<std::int64_t>();
    if (v.is_number_unsigned()) {
        auto u = v.get<std::uint64_t>();
        if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return static_cast<std::int64_t>(u);
        return static_cast<double>(u);
    }
    if (v.is_number_float()) return v.get<double>();
    if (v.is_string()) {
        if (auto i = parse_int(v.get_ref<const std::string&>())) return *i;
    }
    return std::nullopt;
}

template <class T>
int three_way(const T& a, const T& b) {
    return a < b ? -1 : (b < a ? 1 : 0);
}

double as_double(const IndexValue& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    return std::get<double>(v);
}

}  // namespace

Expected<IndexValue, std::string> parse_index_arg(IndexKind kind, std::string_view arg) {
    auto quoted = "\"" + clip(arg, 64) + "\"";
    switch (kind) {
        case IndexKind::Int:
            if (auto i = parse_int(arg)) return IndexValue{*i};
            return unexpected(quoted + " is not an integer");
        case IndexKind::Bool:
            if (auto b = parse_bool(arg)) return IndexValue{*b};
            return unexpected(quoted + " is not true or false");
        case IndexKind::Uuid:
            if (auto u = parse_uuid(arg)) return IndexValue{*u};
            return unexpected(quoted + " is not a UUID");
        case IndexKind::String:
        case IndexKind::Time:
            break;
    }
    return IndexValue{std::string(arg)};
}

std::optional<IndexValue> index_value_of(IndexKind kind, const json& v) {
    switch (kind) {
        case IndexKind::Int:
            return number_of(v);
        case IndexKind::Bool:
            if (v.is_boolean()) return v.get<bool>();
            if (v.is_string()) {
                if (auto b = parse_bool(v.get_ref<const std::string&>())) return *b;
            }
            return std::nullopt;
        case IndexKind::Uuid:
            if (!v.is_string()) return std::nullopt;
            if (auto u = parse_uuid(v.get_ref<const std::string&>())) return *u;
            return v.get<std::string>();  // "" (unset) still compares, as a string
        case IndexKind::String:
        case IndexKind::Time:
            break;
    }
    // Params can hold any JSON: non-strings compare by their JSON text.
    if (v.is_string()) return v.get<std::string>();
    return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

int compare_values(const IndexValue& a, const IndexValue& b) {
    if (a.index() == b.index()) {
        return std::visit(
            [&](const auto& x) { return three_way(x, std::get<std::decay_t<decltype(x)>>(b)); }, a);
    }
    bool a_num = std::holds_alternative<std::int64_t>(a) || std::holds_alternative<double>(a);
    bool b_num = std::holds_alternative<std::int64_t>(b) || std::holds_alternative<double>(b);
    if (a_num && b_num) return three_way(as_double(a), as_double(b));
    return three_way(a.index(), b.index());  // cannot happen within one kind; keeps order total
}

std::string text_of(const IndexValue& v) {
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
    if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
    return json(std::get<double>(v)).dump();
}

}  // namespace drover::api
