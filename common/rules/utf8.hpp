// Strict UTF-8 decoding: names and template text are UTF-8, and an invalid sequence must be
// rejected rather than guessed at (overlong forms, surrogates and >U+10FFFF are invalid).
#pragma once
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace drover::rules {

std::optional<std::vector<char32_t>> decode_utf8(std::string_view s);

// The length of the longest valid UTF-8 prefix of `s`: s.size() when all of it is valid, else
// the offset of the first invalid sequence.
std::size_t valid_utf8_prefix(std::string_view s);

}  // namespace drover::rules
