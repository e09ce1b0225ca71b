// Ends a blocking stream (events watch, wait) when SIGINT arrives or a deadline passes. While a
// StopWatch lives, SIGINT is blocked in the creating thread and taken by a watcher thread with
// sigtimedwait, which records why and calls `on_stop` once (e.g. ApiClient::interrupt).
#pragma once
#include <signal.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <thread>

namespace drover::cli {

class StopWatch {
  public:
    enum class Reason { None, Interrupt, Timeout };
    using Clock = std::chrono::steady_clock;

    StopWatch(std::optional<Clock::time_point> deadline, std::function<void()> on_stop);
    ~StopWatch();
    StopWatch(const StopWatch&) = delete;
    StopWatch& operator=(const StopWatch&) = delete;

    Reason reason() const { return reason_; }
    bool stopped() const { return reason_ != Reason::None; }

  private:
    void watch();
    std::optional<Clock::time_point> deadline_;
    std::function<void()> on_stop_;
    std::atomic<Reason> reason_{Reason::None};
    std::atomic<bool> done_{false};
    sigset_t old_mask_;
    std::thread thread_;
};

}  // namespace drover::cli
