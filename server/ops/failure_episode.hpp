// One warning when a failure that repeats for every request begins (a full disk refuses each
// write) and one info line when it ends, instead of a line per refusal. Thread-safe; a success
// outside an episode costs one atomic load.
#pragma once
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace drover::ops {

class FailureEpisode {
  public:
    // `began` and `ended` are the messages of the two lines; `subject` names what failed.
    FailureEpisode(std::string subject, std::string began, std::string ended);

    // Logs `began` at warn with `error` when no episode is open; otherwise only counts.
    void failed(std::string_view error);
    // Ends an open episode with `ended` at info and the number of failures it saw.
    void succeeded();

  private:
    std::string subject_;
    std::string began_;
    std::string ended_;
    std::atomic<bool> open_{false};
    std::mutex mu_;
    std::uint64_t failures_ = 0;  // in the open episode; under mu_
};

}  // namespace drover::ops
