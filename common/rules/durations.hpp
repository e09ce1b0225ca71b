// Time as DRP content writes it: Go durations ("90s", "1h30m", "1.5h") for task timeouts and
// purge ages, and RFC 3339 timestamps with nanoseconds for job times. Pure text <-> chrono.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace drover::rules {

using WallClock = std::chrono::system_clock;

// Go's time.ParseDuration: a sequence of decimal numbers with optional fraction and a unit
// (ns, us, µs, ms, s, m, h), optionally signed; "0" alone is allowed.
std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text);

// A timeout or age as content writes it: a plain number of seconds ("300") or a Go duration.
// Negative values are refused.
std::optional<std::chrono::nanoseconds> parse_timeout(std::string_view text);

// "2017-12-21T23:26:43.412554192Z" (UTC, nanoseconds).
std::string format_rfc3339(WallClock::time_point t);
// Parses RFC 3339 with optional fraction and a Z or ±hh:mm offset.
std::optional<WallClock::time_point> parse_rfc3339(std::string_view text);

}  // namespace drover::rules
