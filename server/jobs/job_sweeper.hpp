// A background thread that periodically fails jobs that overran their task's timeout (see
// JobEngine::fail_overdue_jobs). Stops promptly when destroyed.
#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace drover::jobs {

class JobEngine;

class JobSweeper {
  public:
    JobSweeper(JobEngine& engine, std::chrono::milliseconds interval);
    ~JobSweeper();
    JobSweeper(const JobSweeper&) = delete;
    JobSweeper& operator=(const JobSweeper&) = delete;

  private:
    void run();

    JobEngine& engine_;
    std::chrono::milliseconds interval_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace drover::jobs
