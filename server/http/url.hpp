// Decoding of request targets: percent-escapes in the path, and the query string's key=value
// pairs where '+' also means a space (HTML form encoding). Pure functions.
// A malformed escape ("%zz", a trailing "%") is kept literally rather than rejected: the router
// then simply finds no such object, which is the same answer a client would get anyway.
#pragma once
#include <map>
#include <string>
#include <string_view>

namespace drover::http {

std::string percent_decode(std::string_view text, bool plus_is_space);
// Splits "a=1&b=x%20y&c" into {a:1, b:"x y", c:""} in order; empty pieces are skipped.
std::multimap<std::string, std::string> parse_query(std::string_view query);

}  // namespace drover::http
