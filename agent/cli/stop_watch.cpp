#include "agent/cli/stop_watch.hpp"

#include <pthread.h>

namespace drover::cli {

namespace {

sigset_t sigint_set() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    return set;
}

}  // namespace

StopWatch::StopWatch(std::optional<Clock::time_point> deadline, std::function<void()> on_stop)
    : deadline_(deadline), on_stop_(std::move(on_stop)) {
    sigset_t set = sigint_set();
    pthread_sigmask(SIG_BLOCK, &set, &old_mask_);
    thread_ = std::thread([this] { watch(); });  // inherits the blocked SIGINT
}

StopWatch::~StopWatch() {
    done_ = true;
    thread_.join();
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

void StopWatch::watch() {
    sigset_t set = sigint_set();
    while (!done_) {
        timespec tick{0, 100'000'000};
        Reason why = Reason::None;
        if (sigtimedwait(&set, nullptr, &tick) == SIGINT)
            why = Reason::Interrupt;
        else if (deadline_ && Clock::now() >= *deadline_)
            why = Reason::Timeout;
        if (why == Reason::None) continue;
        reason_ = why;
        on_stop_();
        return;
    }
}

}  // namespace drover::cli
