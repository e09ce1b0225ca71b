// The runner's child processes (spec 5.7 step 4). Each command leads a new process group, so a
// timeout or cancel can signal everything it started; stdin is /dev/null and stdout+stderr share
// one pipe that is read as output arrives; no other descriptor is inherited. Invariant: a
// ChildGroup's pid is reaped exactly once, by supervise() or else by the destructor after SIGKILL
// to the group, so no zombie is left.
#pragma once
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent/runner/log_sink.hpp"
#include "common/posix/unique_fd.hpp"

namespace drover::agent {

using posix::UniqueFd;

struct SpawnRequest {
    std::vector<std::string> argv;  // argv[0] without a '/' is looked up in the agent's PATH
    std::vector<std::string> env;   // NAME=value, the child's whole environment
    std::string cwd;
};

class ChildGroup {
  public:
    ChildGroup(pid_t pid, UniqueFd output) : pid_(pid), output_(std::move(output)) {}
    ~ChildGroup();
    ChildGroup(ChildGroup&& other) noexcept;
    ChildGroup& operator=(ChildGroup&&) = delete;
    ChildGroup(const ChildGroup&) = delete;
    ChildGroup& operator=(const ChildGroup&) = delete;

    pid_t pid() const { return pid_; }
    UniqueFd& output() { return output_; }
    // The wait status once the leader has exited (reaps it then); nullopt while it runs.
    std::optional<int> try_reap();
    int reap_blocking();
    // Signals every process of the group; harmless when it is already gone.
    void signal_group(int sig) const;
    // True while any process (zombies included) still belongs to the group.
    bool group_exists() const;

  private:
    pid_t pid_ = -1;
    bool reaped_ = false;
    UniqueFd output_;  // read end of the stdout+stderr pipe, non-blocking
};

struct SpawnResult {
    std::optional<ChildGroup> child;
    int error = 0;  // errno when the command could not be started
};

// Starts the command with default signal dispositions and an empty signal mask (the agent's own
// blocked or ignored signals must not leak into tasks). A file the kernel cannot execute
// (ENOEXEC: a script without a shebang) is run with /bin/sh, as a shell would.
SpawnResult spawn_group(const SpawnRequest& request);

enum class StopReason { None, Timeout, Cancel };

struct StopPolicy {
    std::optional<std::chrono::steady_clock::time_point> deadline;
    const std::atomic<bool>* cancel = nullptr;
    std::chrono::milliseconds kill_grace{10000};  // SIGTERM to the group, then SIGKILL
    // Called about once a second while the child runs, on the supervising thread: the caller's
    // chance to do its own upkeep during a long action (the agent renews its token).
    std::function<void()> heartbeat;
};

struct ChildExit {
    int wait_status = 0;
    StopReason stopped = StopReason::None;  // set when the runner killed the group
};

// Copies the child's output to `out` until the leader has exited and the pipe is closed (or, when
// a background process keeps the pipe open, for a short while after the exit). When the deadline
// passes or cancel is set, the group gets SIGTERM, then SIGKILL after the grace.
ChildExit supervise(ChildGroup& child, const StopPolicy& policy, LogSink& out);

}  // namespace drover::agent
