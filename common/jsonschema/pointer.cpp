#include "common/jsonschema/pointer.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

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

// RFC 6901 section 4: an array index is "0" or digits without a leading zero.
std::optional<std::size_t> array_index(std::string_view token) {
    if (token.empty() || (token.size() > 1 && token[0] == '0')) return std::nullopt;
    std::size_t value = 0;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
    if (ec != std::errc() || end != token.data() + token.size()) return std::nullopt;
    return value;
}

}  // namespace

std::string escape_token(std::string_view token) {
    std::string out;
    out.reserve(token.size());
    for (char c : token) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

std::optional<std::vector<std::string>> split_pointer(std::string_view pointer) {
    std::vector<std::string> tokens;
    if (pointer.empty()) return tokens;
    if (pointer[0] != '/') return std::nullopt;
    std::string current;
    for (std::size_t i = 1; i <= pointer.size(); ++i) {
        if (i == pointer.size() || pointer[i] == '/') {
            tokens.push_back(std::move(current));
            current.clear();
        } else if (pointer[i] == '~') {
            if (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1'))
                return std::nullopt;
            current += pointer[i + 1] == '0' ? '~' : '/';
            ++i;
        } else {
            current += pointer[i];
        }
    }
    return tokens;
}

const nlohmann::json* resolve_pointer(const nlohmann::json& doc, std::string_view pointer) {
    auto tokens = split_pointer(pointer);
    if (!tokens) return nullptr;
    const nlohmann::json* at = &doc;
    for (const auto& token : *tokens) {
        if (at->is_object()) {
            auto it = at->find(token);
            if (it == at->end()) return nullptr;
            at = &*it;
        } else if (at->is_array()) {
            auto index = array_index(token);
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
    auto tokens = split_pointer(*decoded);
    if (!tokens) return std::nullopt;
    std::string canonical;
    for (const auto& token : *tokens)
        canonical += "/" + escape_token(token);
    return canonical;
}

PointerPath::Guard::Guard(PointerPath& path, std::string_view token)
    : path_(path), saved_(path.path_.size()) {
    path_.path_ += '/';
    path_.path_ += escape_token(token);
}

PointerPath::Guard::Guard(PointerPath& path, std::size_t index)
    : path_(path), saved_(path.path_.size()) {
    path_.path_ += '/';
    path_.path_ += std::to_string(index);
}

}  // namespace drover::jsonschema
