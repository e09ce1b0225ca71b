#include "stop_signals.hpp"

#include <pthread.h>
#include <signal.h>

namespace drover::fleet {

namespace {

sigset_t stop_set() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return set;
}

}  // namespace

StopSignals::StopSignals() {
    // A shell starts background jobs with SIGINT ignored, and an ignored signal never reaches
    // sigwait(): this program takes both itself.
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    sigset_t set = stop_set();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    waiter_ = std::thread([this, set] {
        for (;;) {
            int sig = 0;
            if (sigwait(&set, &sig) != 0) continue;
            std::lock_guard lock(mutex_);
            if (closing_) return;
            received_ = true;
            changed_.notify_all();
        }
    });
}

StopSignals::~StopSignals() {
    {
        std::lock_guard lock(mutex_);
        closing_ = true;
    }
    pthread_kill(waiter_.native_handle(), SIGTERM);
    waiter_.join();
}

bool StopSignals::received() const {
    std::lock_guard lock(mutex_);
    return received_;
}

void StopSignals::wait() const {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return received_; });
}

}  // namespace drover::fleet
