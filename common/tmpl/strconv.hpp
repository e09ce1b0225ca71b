// Go strconv parsing used by the template parser: Unquote for string/raw/char literals and
// ParseInt/ParseUint/ParseFloat with base prefixes and underscores, so number literals are
// classified (int, uint, float) and rejected exactly as Go does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace drover::tmpl {

// strconv.Unquote; nullopt means Go's "invalid syntax".
std::optional<std::string> go_unquote(std::string_view s);
// strconv.UnquoteChar on s with the given quote; returns the rune and the unparsed tail.
std::optional<char32_t> go_unquote_char(std::string_view& s, char quote);
// strconv.ParseInt(s, 0, 64) / ParseUint(s, 0, 64) / ParseFloat(s, 64).
std::optional<int64_t> go_parse_int(std::string_view s);
std::optional<uint64_t> go_parse_uint(std::string_view s);
std::optional<double> go_parse_float(std::string_view s);
// strconv.ParseInt(s, base, 64) for an explicit base 2..36 (no prefixes, no underscores).
std::optional<int64_t> go_parse_int_base(std::string_view s, int base);

}  // namespace drover::tmpl
