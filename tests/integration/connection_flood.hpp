// Many idle TCP connections to 127.0.0.1:port, opened with non-blocking connects and held open
// until destruction: the descriptor load an event-stream fleet (or an attacker) puts on droverd.
// The count is bounded by this process's descriptor limit, which is raised to its hard limit.
#pragma once
#include <chrono>
#include <cstddef>
#include <vector>

namespace drover::testing {

class ConnectionFlood {
  public:
    // Opens up to `wanted` connections (fewer when the descriptor limit leaves less room than
    // `wanted` plus a reserve for the test's own clients), giving up on stragglers after `budget`.
    ConnectionFlood(int port, std::size_t wanted, std::chrono::seconds budget);
    ~ConnectionFlood();
    ConnectionFlood(const ConnectionFlood&) = delete;
    ConnectionFlood& operator=(const ConnectionFlood&) = delete;

    // `wanted` as the descriptor limit allowed it.
    std::size_t attempted() const { return attempted_; }
    std::size_t established() const { return open_.size(); }
    // How many of them the server has not closed (no EOF, reset or error pending).
    std::size_t still_open() const;

  private:
    void open_batch(int port, std::size_t count, std::chrono::steady_clock::time_point until);

    std::size_t attempted_ = 0;
    std::vector<int> open_;
};

}  // namespace drover::testing
