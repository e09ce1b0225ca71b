#include "server/jobs/job_sweeper.hpp"

#include "server/jobs/job_engine.hpp"

namespace drover::jobs {

JobSweeper::JobSweeper(JobEngine& engine, std::chrono::milliseconds interval)
    : engine_(engine), interval_(interval), thread_([this] { run(); }) {}

JobSweeper::~JobSweeper() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void JobSweeper::run() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
        lock.unlock();
        engine_.fail_overdue_jobs();
        lock.lock();
    }
}

}  // namespace drover::jobs
