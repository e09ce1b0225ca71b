// HTTP dates (RFC 9110 5.6.7), the `Date` header droverd stamps on every answer and the agent
// reads to learn the server's clock. Senders write IMF-fixdate only; recipients must also accept
// the obsolete RFC 850 and asctime forms. Pure: times are Unix seconds passed in and out.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace drover::api {

// "Sun, 06 Nov 1994 08:49:37 GMT".
std::string format_http_date(std::int64_t unix_seconds);

// IMF-fixdate, RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT": years 70-99 are 19xx, 00-69 20xx) or
// asctime ("Sun Nov  6 08:49:37 1994"); nullopt for anything else, an impossible date included.
// Like Go's net/http, the day name must be one but need not match the date.
std::optional<std::int64_t> parse_http_date(std::string_view text);

}  // namespace drover::api
