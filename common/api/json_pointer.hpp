// RFC 6901 JSON Pointer for the JSON Patch applier and generator: "" is the whole document,
// "/a~1b/0" is the tokens {"a/b", "0"}. Parsing is total and bounded (kMaxPointerDepth tokens)
// so a hostile pointer costs at most one linear pass; resolution never creates anything.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/api/expected.hpp"

namespace drover::api {

using PointerTokens = std::vector<std::string>;

// Deeper pointers are refused before any work is done with them (hostile input).
inline constexpr std::size_t kMaxPointerDepth = 512;

struct PointerError {
    std::string message;
    bool too_deep = false;  // refused for size, not syntax (callers map it to a different status)
};

// "/a~1b/c~0d" -> {"a/b", "c~d"}. Errors: no leading '/', '~' not followed by 0 or 1, more than
// kMaxPointerDepth tokens. The message names the pointer.
Expected<PointerTokens, PointerError> parse_pointer(std::string_view pointer);

// Inverse of parse_pointer: {"a/b"} -> "/a~1b".
std::string format_pointer(const PointerTokens& tokens);
std::string escape_pointer_token(std::string_view token);

// RFC 6901 section 4: "0" or digits without a leading zero, fitting in size_t. "-" is not an
// index (it means "past the end" and only `add` accepts it).
std::optional<std::size_t> parse_array_index(std::string_view token);

// True when `prefix` names a strict ancestor of `path` ("/a" of "/a/b", "" of "/a"; not "/a"
// of "/a", not "/a" of "/ab").
bool is_proper_prefix(const PointerTokens& prefix, const PointerTokens& path);

}  // namespace drover::api
