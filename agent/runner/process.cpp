#include "agent/runner/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <utility>

namespace drover::agent {

namespace {

using Clock = std::chrono::steady_clock;

// A background process that keeps the action's pipe open (e.g. `daemon &` without redirects)
// must not hold the task forever: its output is read this long after the leader's exit.
constexpr auto kDrainAfterExit = std::chrono::seconds(2);
// Output may still be in the pipe when the group has just been SIGKILLed.
constexpr auto kDrainAfterKill = std::chrono::seconds(1);
constexpr int kPollMillis = 50;  // how often cancel and deadlines are looked at
constexpr int kReapPollMillis = 10;
constexpr auto kHeartbeat = std::chrono::seconds(1);
constexpr std::size_t kReadChunk = 64 * 1024;

// glibc's posix_spawn types need init/destroy pairs; these own them.
struct FileActions {
    posix_spawn_file_actions_t fa;
    FileActions() { posix_spawn_file_actions_init(&fa); }
    ~FileActions() { posix_spawn_file_actions_destroy(&fa); }
    FileActions(const FileActions&) = delete;
    FileActions& operator=(const FileActions&) = delete;
};

struct SpawnAttr {
    posix_spawnattr_t attr;
    SpawnAttr() { posix_spawnattr_init(&attr); }
    ~SpawnAttr() { posix_spawnattr_destroy(&attr); }
    SpawnAttr(const SpawnAttr&) = delete;
    SpawnAttr& operator=(const SpawnAttr&) = delete;
};

std::vector<char*> c_strings(const std::vector<std::string>& in) {
    std::vector<char*> out;
    out.reserve(in.size() + 1);
    for (const auto& s : in)
        out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

int fill_file_actions(FileActions& f, int pipe_write, const std::string& cwd) {
    if (int rc = posix_spawn_file_actions_addopen(&f.fa, 0, "/dev/null", O_RDONLY, 0)) return rc;
    if (int rc = posix_spawn_file_actions_adddup2(&f.fa, pipe_write, 1)) return rc;
    if (int rc = posix_spawn_file_actions_adddup2(&f.fa, pipe_write, 2)) return rc;
    // Only 0-2 reach the task: an fd some library opened without O_CLOEXEC (a socket of the
    // agent's API client, say) must not leak into scripts or keep the log pipe open.
    if (int rc = posix_spawn_file_actions_addclosefrom_np(&f.fa, 3)) return rc;
    return posix_spawn_file_actions_addchdir_np(&f.fa, cwd.c_str());
}

int fill_attr(SpawnAttr& a) {
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (int rc = posix_spawnattr_setflags(&a.attr, flags)) return rc;
    if (int rc = posix_spawnattr_setpgroup(&a.attr, 0)) return rc;
    if (int rc = posix_spawnattr_setsigmask(&a.attr, &none)) return rc;
    return posix_spawnattr_setsigdefault(&a.attr, &all);
}

int spawn_once(const std::vector<std::string>& argv, const SpawnRequest& req, int pipe_write,
               pid_t& pid) {
    FileActions f;
    SpawnAttr a;
    if (int rc = fill_file_actions(f, pipe_write, req.cwd)) return rc;
    if (int rc = fill_attr(a)) return rc;
    auto args = c_strings(argv);
    auto envp = c_strings(req.env);
    return posix_spawnp(&pid, args[0], &f.fa, &a.attr, args.data(), envp.data());
}

}  // namespace

ChildGroup::~ChildGroup() {
    if (pid_ <= 0 || reaped_) return;
    signal_group(SIGKILL);
    reap_blocking();
}

ChildGroup::ChildGroup(ChildGroup&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      reaped_(std::exchange(other.reaped_, true)),
      output_(std::move(other.output_)) {}

std::optional<int> ChildGroup::try_reap() {
    int status = 0;
    pid_t r;
    do
        r = ::waitpid(pid_, &status, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == 0) return std::nullopt;
    reaped_ = true;
    // r < 0 (ECHILD) means the status was taken elsewhere (SIGCHLD ignored): count it a failure.
    return r == pid_ ? status : W_EXITCODE(255, 0);
}

int ChildGroup::reap_blocking() {
    int status = 0;
    pid_t r;
    do
        r = ::waitpid(pid_, &status, 0);
    while (r < 0 && errno == EINTR);
    reaped_ = true;
    return r == pid_ ? status : W_EXITCODE(255, 0);
}

void ChildGroup::signal_group(int sig) const {
    ::kill(-pid_, sig);
}

bool ChildGroup::group_exists() const {
    return ::kill(-pid_, 0) == 0 || errno == EPERM;
}

SpawnResult spawn_group(const SpawnRequest& request) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return {std::nullopt, errno};
    UniqueFd read_end(fds[0]), write_end(fds[1]);
    if (::fcntl(read_end.get(), F_SETFL, O_NONBLOCK) != 0) return {std::nullopt, errno};
    pid_t pid = -1;
    int rc = spawn_once(request.argv, request, write_end.get(), pid);
    if (rc == ENOEXEC) {
        std::vector<std::string> with_shell{"/bin/sh"};
        with_shell.insert(with_shell.end(), request.argv.begin(), request.argv.end());
        rc = spawn_once(with_shell, request, write_end.get(), pid);
    }
    if (rc != 0) return {std::nullopt, rc};
    SpawnResult out;
    out.child.emplace(pid, std::move(read_end));
    return out;
}

namespace {

// One supervised run: pumps output, watches the leader, and escalates a stop TERM -> KILL.
class Supervisor {
  public:
    Supervisor(ChildGroup& child, const StopPolicy& policy, LogSink& out)
        : child_(child), policy_(policy), out_(out) {}

    ChildExit run() {
        while (!finished()) {
            pump_output();
            if (!status_ && (status_ = child_.try_reap()))
                drain_until_ = Clock::now() + kDrainAfterExit;
            maybe_begin_stop();
            maybe_escalate();
            maybe_heartbeat();
        }
        drain_ready_output();
        return {*status_, stopped_};
    }

  private:
    bool finished() const {
        if (!status_) return false;
        // Once stopping, every member of the group gets its grace, not only the leader.
        if (stopping() && !killed_) return !child_.group_exists();
        return !child_.output().valid() || Clock::now() >= drain_until_;
    }

    bool stopping() const { return stopped_ != StopReason::None; }

    void pump_output() {
        UniqueFd& fd = child_.output();
        if (!fd.valid()) {
            ::poll(nullptr, 0, kReapPollMillis);
            return;
        }
        pollfd p{fd.get(), POLLIN, 0};
        if (::poll(&p, 1, kPollMillis) > 0) read_once();
    }

    // Reads what the pipe holds now; false when nothing more is there (or it was closed).
    bool read_once() {
        UniqueFd& fd = child_.output();
        char buf[kReadChunk];
        ssize_t n;
        do
            n = ::read(fd.get(), buf, sizeof buf);
        while (n < 0 && errno == EINTR);
        if (n > 0) {
            out_.write(std::string_view(buf, static_cast<std::size_t>(n)));
            return true;
        }
        if (n == 0 || errno != EAGAIN) fd.reset();
        return false;
    }

    void drain_ready_output() {
        while (child_.output().valid() && read_once()) {
        }
    }

    void maybe_begin_stop() {
        // A leader gone with its whole group has nothing left to stop.
        if (stopping() || (status_ && !child_.group_exists())) return;
        if (policy_.cancel && policy_.cancel->load())
            stopped_ = StopReason::Cancel;
        else if (policy_.deadline && Clock::now() >= *policy_.deadline)
            stopped_ = StopReason::Timeout;
        else
            return;
        child_.signal_group(SIGTERM);
        child_.signal_group(SIGCONT);  // a stopped process only acts on SIGTERM once continued
        kill_at_ = Clock::now() + policy_.kill_grace;
    }

    void maybe_heartbeat() {
        if (!policy_.heartbeat || Clock::now() < next_heartbeat_) return;
        policy_.heartbeat();
        next_heartbeat_ = Clock::now() + kHeartbeat;
    }

    void maybe_escalate() {
        if (!stopping() || killed_ || Clock::now() < kill_at_) return;
        child_.signal_group(SIGKILL);
        if (!status_) status_ = child_.reap_blocking();
        killed_ = true;
        drain_until_ = Clock::now() + kDrainAfterKill;
    }

    ChildGroup& child_;
    const StopPolicy& policy_;
    LogSink& out_;
    std::optional<int> status_;
    StopReason stopped_ = StopReason::None;
    bool killed_ = false;
    Clock::time_point kill_at_{};
    Clock::time_point drain_until_{};
    Clock::time_point next_heartbeat_ = Clock::now() + kHeartbeat;
};

}  // namespace

ChildExit supervise(ChildGroup& child, const StopPolicy& policy, LogSink& out) {
    return Supervisor(child, policy, out).run();
}

}  // namespace drover::agent
