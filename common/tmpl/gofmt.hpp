// Go's fmt and strconv output for template values: %v printing (float64 as the shortest
// 'g' form, "map[k:v]", "[a b]", "<nil>"), Sprint/Sprintln spacing rules and the printf verbs
// task content uses, including Go's "%!d(string=x)" style error annotations.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/tmpl/value.hpp"

namespace drover::tmpl {

// strconv.FormatFloat(f, fmt, prec, 64) for fmt in 'e','E','f','g','G'; prec -1 = shortest.
std::string format_float(double f, char fmt, int prec);
// strconv.Quote (ASCII-safe only for control characters; printable Unicode is kept).
std::string go_quote(std::string_view s);
// fmt.Sprint(v) of one value, i.e. %v.
std::string sprint_value(const Value& v);
std::string sprint(const std::vector<Value>& args);
std::string sprintln(const std::vector<Value>& args);
std::string sprintf(std::string_view format, const std::vector<Value>& args);
// How many times this thread printed a struct that Go would print with pointer addresses
// (the render data); the differential fuzzer skips such cases as non-deterministic in Go.
uint64_t opaque_prints();

// strconv.Quote-style quoting with quote character q (ascii_only: QuoteToASCII).
std::string quote_with(std::string_view s, char q, bool ascii_only);
// One rune escaped as strconv does inside a quoted literal.
void append_escaped_rune(std::string& out, char32_t r, bool ascii_only);
extern const char* const kHexLower;

// UTF-8 helpers shared by the lexer and string functions.
// Decodes one rune at s[i]; returns U+FFFD with width 1 for invalid bytes.
char32_t decode_rune(std::string_view s, size_t i, size_t* width);
void append_rune(std::string& out, char32_t r);
bool is_print_rune(char32_t r);

}  // namespace drover::tmpl
