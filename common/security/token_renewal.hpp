// When the holder of a token asks for a fresh one (the agent, issue 7), judged by the server's
// clock: a token's times are the server's, so they are compared only with the server's time as
// the holder estimates it (api::ServerClock), never with the holder's own wall clock (issue 10).
// A token is due when less than a tenth of its life is left, at least a minute, but never more
// than half of it: a short-lived token is still used for half its life instead of being renewed
// at every step.
#pragma once
#include <chrono>
#include <cstdint>

#include "common/security/token.hpp"

namespace drover::security {

// Seconds before its expiry at which `life` is due.
std::int64_t renewal_margin_seconds(const TokenLifetime& life);

// How long until `life` is due for renewal at server time `server_now` (milliseconds since the
// Unix epoch); zero or less: due now.
std::chrono::milliseconds until_renewal(const TokenLifetime& life,
                                        std::chrono::milliseconds server_now);

}  // namespace drover::security
