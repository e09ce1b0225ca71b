// Checkers for the "format" keyword. Only strings are checked (every draft 4-7 format is a
// string format); an unknown format name has no checker and is ignored, as the drafts allow.
#pragma once
#include <string_view>

namespace drover::jsonschema {

using FormatChecker = bool (*)(std::string_view);

// Known: ipv4, ipv6, uuid, date-time, date, time, email, hostname, uri, uri-reference,
// json-pointer, regex. nullptr for anything else.
FormatChecker find_format(std::string_view name);

bool is_ipv4(std::string_view s);
bool is_ipv6(std::string_view s);
bool is_uuid(std::string_view s);
bool is_date_time(std::string_view s);
bool is_hostname(std::string_view s);
bool is_email(std::string_view s);
bool is_uri(std::string_view s);

}  // namespace drover::jsonschema
