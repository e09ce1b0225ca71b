#include "common/api/server_clock.hpp"

namespace drover::api {

void ServerClock::observe(std::int64_t server_seconds, Steady received) {
    anchor_ = Anchor{std::chrono::seconds(server_seconds), received};
}

std::optional<std::chrono::milliseconds> ServerClock::now(Steady at) const {
    if (!anchor_) return std::nullopt;
    return anchor_->server +
           std::chrono::duration_cast<std::chrono::milliseconds>(at - anchor_->steady);
}

}  // namespace drover::api
