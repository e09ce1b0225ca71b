// SIGTERM and SIGINT as a request to end a run cleanly: both are blocked in every thread (so no
// worker's system call sees EINTR) and taken by one thread with sigwait(), which only records
// that a stop was asked for. Construct it first in main, before any other thread exists.
#pragma once
#include <condition_variable>
#include <mutex>
#include <thread>

namespace drover::fleet {

class StopSignals {
  public:
    StopSignals();
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    bool received() const;
    void wait() const;  // until SIGTERM or SIGINT

  private:
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    bool received_ = false, closing_ = false;
    std::thread waiter_;
};

}  // namespace drover::fleet
