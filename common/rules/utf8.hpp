// Strict UTF-8 decoding: names and template text are UTF-8, and an invalid sequence must be
// rejected rather than guessed at (overlong forms, surrogates and >U+10FFFF are invalid).
#pragma once
#include <optional>
#include <string_view>
#include <vector>

namespace drover::rules {

std::optional<std::vector<char32_t>> decode_utf8(std::string_view s);

}  // namespace drover::rules
