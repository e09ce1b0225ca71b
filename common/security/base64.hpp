// Strict base64 codecs for credentials and tokens: RFC 4648 section 4 (standard alphabet, padded,
// as HTTP Basic uses) and section 5 (URL-safe alphabet, unpadded, as tokens use).
// Invariant: decoding accepts exactly what encoding produces (canonical form only: no whitespace,
// no stray padding, zero trailing bits), so one value has one spelling and tokens cannot be
// altered without changing their text.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace drover::security {

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace drover::security
