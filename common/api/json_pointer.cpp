#include "common/api/json_pointer.hpp"

#include "common/api/clip.hpp"

#include <charconv>

namespace drover::api {

Expected<PointerTokens, PointerError> parse_pointer(std::string_view pointer) {
    PointerTokens tokens;
    if (pointer.empty()) return tokens;
    if (pointer[0] != '/')
        return unexpected(
            PointerError{"JSON pointer \"" + clip(pointer) + "\" must start with '/'"});
    std::string current;
    for (std::size_t i = 1; i <= pointer.size(); ++i) {
        if (i == pointer.size() || pointer[i] == '/') {
            if (tokens.size() == kMaxPointerDepth)
                return unexpected(PointerError{
                    "JSON pointer is deeper than " + std::to_string(kMaxPointerDepth) + " levels",
                    true});
            tokens.push_back(std::move(current));
            current.clear();
        } else if (pointer[i] == '~') {
            char next = i + 1 < pointer.size() ? pointer[i + 1] : '\0';
            if (next != '0' && next != '1')
                return unexpected(PointerError{"JSON pointer \"" + clip(pointer) +
                                               "\" has '~' not followed by 0 or 1"});
            current += next == '0' ? '~' : '/';
            ++i;
        } else {
            current += pointer[i];
        }
    }
    return tokens;
}

std::string escape_pointer_token(std::string_view token) {
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

std::string format_pointer(const PointerTokens& tokens) {
    std::string out;
    for (const auto& token : tokens) {
        out += '/';
        out += escape_pointer_token(token);
    }
    return out;
}

std::optional<std::size_t> parse_array_index(std::string_view token) {
    if (token.empty() || (token.size() > 1 && token[0] == '0')) return std::nullopt;
    std::size_t value = 0;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
    if (ec != std::errc() || end != token.data() + token.size()) return std::nullopt;
    return value;
}

bool is_proper_prefix(const PointerTokens& prefix, const PointerTokens& path) {
    if (prefix.size() >= path.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (prefix[i] != path[i]) return false;
    return true;
}

}  // namespace drover::api
