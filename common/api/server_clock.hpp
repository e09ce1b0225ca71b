// The server's wall clock as a client can know it (issue 10, clock skew): from the times the
// server states in its answers (the HTTP `Date` header), each anchored to the client's steady
// clock when the answer arrived. A client compares times the server wrote (a token's expiry) only
// with this estimate, never with its own wall clock, which may be minutes or hours off, or be
// stepped by NTP while it runs. Pure: the caller passes the steady time points in.
//
// Precision: a Date names the whole second in which the server answered, so the estimate lags the
// server's clock by less than a second plus the answer's one-way latency, and never leads it. The
// latest observation wins, so a server whose clock is stepped is followed at its next answer.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>

namespace drover::api {

class ServerClock {
  public:
    using Steady = std::chrono::steady_clock::time_point;

    // The server said its clock read `server_seconds` (Unix seconds) in an answer that arrived at
    // `received`.
    void observe(std::int64_t server_seconds, Steady received);
    // The server's clock at `at`, in milliseconds since the Unix epoch; nullopt until an answer
    // said what it was.
    std::optional<std::chrono::milliseconds> now(Steady at) const;

  private:
    struct Anchor {
        std::chrono::milliseconds server;
        Steady steady;
    };
    std::optional<Anchor> anchor_;
};

}  // namespace drover::api
