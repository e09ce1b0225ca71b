// Runs the real `drover agent` for integration tests: its own state dir, the endpoint of a
// DroverdProcess, extra flags and environment; waits with a bound (a hung agent fails the test
// instead of hanging it), or is killed with SIGKILL mid-job. stderr is kept for failure messages.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace drover::testing {

class AgentProcess {
  public:
    AgentProcess(int port, std::string machine, std::string state_dir,
                 std::vector<std::string> extra_args = {}, std::vector<std::string> env = {});
    ~AgentProcess();
    AgentProcess(const AgentProcess&) = delete;
    AgentProcess& operator=(const AgentProcess&) = delete;

    // The exit status (or 128+signal), or -1 if it was still running after `limit` (then killed).
    int wait(std::chrono::seconds limit = std::chrono::seconds(60));
    void kill9();
    void terminate();            // SIGTERM, as systemd stops the unit; wait() for the exit
    std::string output() const;  // what it wrote to stderr and stdout

  private:
    pid_t pid_ = -1;
    std::string log_path_;
};

}  // namespace drover::testing
