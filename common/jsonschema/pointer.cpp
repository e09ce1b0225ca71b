#include "common/jsonschema/pointer.hpp"

#include <nlohmann/json.hpp>

#include "common/api/json_pointer.hpp"

namespace drover::jsonschema {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size()) return std::nullopt;
        int hi = hex_value(s[i + 1]);
        int lo = hex_value(s[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

}  // namespace

const nlohmann::json* resolve_pointer(const nlohmann::json& doc, std::string_view pointer) {
    auto tokens = api::parse_pointer(pointer);
    if (!tokens) return nullptr;
    const nlohmann::json* at = &doc;
    for (const auto& token : *tokens) {
        if (at->is_object()) {
            auto it = at->find(token);
            if (it == at->end()) return nullptr;
            at = &*it;
        } else if (at->is_array()) {
            auto index = api::parse_array_index(token);
            if (!index || *index >= at->size()) return nullptr;
            at = &(*at)[*index];
        } else {
            return nullptr;
        }
    }
    return at;
}

std::optional<std::string> fragment_to_pointer(std::string_view fragment) {
    if (!fragment.empty() && fragment[0] == '#') fragment.remove_prefix(1);
    auto decoded = percent_decode(fragment);
    if (!decoded) return std::nullopt;
    auto tokens = api::parse_pointer(*decoded);
    if (!tokens) return std::nullopt;
    return api::format_pointer(*tokens);
}

PointerPath::Guard::Guard(PointerPath& path, std::string_view token)
    : path_(path), saved_(path.path_.size()) {
    path_.path_ += '/';
    path_.path_ += api::escape_pointer_token(token);
}

PointerPath::Guard::Guard(PointerPath& path, std::size_t index)
    : path_(path), saved_(path.path_.size()) {
    path_.path_ += '/';
    path_.path_ += std::to_string(index);
}

}  // namespace drover::jsonschema
