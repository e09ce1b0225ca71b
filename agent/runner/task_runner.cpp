#include "agent/runner/task_runner.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>

#include "agent/runner/helper_script.hpp"
#include "agent/runner/process.hpp"
#include "agent/runner/task_dir.hpp"
#include "common/rules/durations.hpp"

namespace drover::agent {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Far enough for any real timeout, near enough that start + it cannot overflow the clock.
constexpr auto kMaxTimeout = std::chrono::hours(24 * 365 * 100);

rules::JobResult failed_result() {
    return rules::fold_actions({rules::ExitFlags{.failed = true}});
}

// Scripts run with cwd = task dir, so every path handed to them must be absolute.
fs::path absolute_dir(const std::string& dir) {
    std::error_code ec;
    fs::path p = fs::absolute(dir, ec).lexically_normal();
    if (!p.has_filename() && p != p.root_path())
        p = p.parent_path();  // "/x/runner/" -> "/x/runner"
    return p;
}

std::vector<std::string> split_words(std::string_view text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find(' ', pos);
        if (end == std::string_view::npos) end = text.size();
        if (end > pos) out.emplace_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    return out;
}

std::string join_words(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words)
        out += (out.empty() ? "" : " ") + w;
    return out;
}

// spec 5.7: the agent's environment plus the task's variables; `extra_env` has the last word.
std::vector<std::string> task_environment(const RunnerEnvironment& env, const fs::path& runner_dir,
                                          const fs::path& task_dir) {
    std::map<std::string, std::string> vars;
    auto put = [&vars](std::string_view assignment) {
        std::size_t eq = assignment.find('=');
        if (eq == std::string_view::npos || eq == 0) return;
        vars[std::string(assignment.substr(0, eq))] = std::string(assignment.substr(eq + 1));
    };
    for (char** e = environ; *e; ++e)
        put(*e);
    vars["TMPDIR"] = vars["TMP"] = runner_dir.parent_path().string();
    vars["RS_RUNNER_DIR"] = runner_dir.string();
    vars["RS_TASK_DIR"] = task_dir.string();
    vars["RS_UUID"] = env.machine_uuid;
    vars["RS_ENDPOINT"] = env.endpoint;
    vars["RS_TOKEN"] = env.token;
    if (vars["HOME"].empty()) vars["HOME"] = runner_dir.string();
    for (const auto& e : env.extra_env)
        put(e);
    std::vector<std::string> out;
    for (const auto& [name, value] : vars)
        out.push_back(name + "=" + value);
    return out;
}

std::string describe_status(int wait_status) {
    if (WIFSIGNALED(wait_status))
        return "Command killed by signal " + std::to_string(WTERMSIG(wait_status)) + "\n";
    return "Command exited with status " + std::to_string(WEXITSTATUS(wait_status)) + "\n";
}

bool regular_file_exists(const fs::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// One task run inside its task dir: the actions in order, folded as spec 2.5 says.
class Runner {
  public:
    Runner(const TaskRun& run, const RunnerEnvironment& env, LogSink& log,
           const std::atomic<bool>& cancel, const fs::path& runner_dir, const fs::path& task_dir,
           std::optional<Clock::time_point> deadline, std::function<void()> heartbeat)
        : run_(run),
          env_(env),
          log_(log),
          cancel_(cancel),
          task_dir_(task_dir),
          env_vars_(task_environment(env, runner_dir, task_dir)),
          stop_{deadline, &cancel, run.kill_grace, std::move(heartbeat)} {}

    TaskOutcome run(const std::vector<model::JobAction>& actions) {
        rules::JobResultFolder folder;
        for (std::size_t i = 0; i < actions.size(); ++i) {
            if (cancel_.load()) note_stop(StopReason::Cancel);
            if (outcome_.interrupted) break;
            const auto& action = actions[i];
            rules::ExitFlags flags =
                action.path.empty() ? script_action(action) : file_action(action);
            if (outcome_.interrupted) break;
            log("Action " + action.name + " finished\n");
            if (!folder.record(flags, i + 1 == actions.size()) || outcome_.timed_out) break;
        }
        outcome_.result = outcome_.interrupted ? rules::interrupted_result() : folder.result();
        log("Task " + run_.task + " " + model::to_string(outcome_.result.state) + "\n");
        return outcome_;
    }

  private:
    void log(std::string_view line) { log_.write(line); }

    // The runner's own failures go to the job log; the first is also the outcome's error.
    void fail(const std::string& message) {
        log(message + "\n");
        if (outcome_.error.empty()) outcome_.error = message;
    }

    void note_stop(StopReason reason) {
        if (reason == StopReason::Cancel) {
            outcome_.interrupted = true;
            log("Task " + run_.task + " interrupted\n");
        } else {
            outcome_.timed_out = true;
            log("Task " + run_.task + " timed out after " + run_.timeout +
                "; killed its processes\n");
        }
    }

    rules::ExitFlags file_action(const model::JobAction& action) {
        auto target = resolve_action_path(task_dir_, action.path);
        if (!target) {
            fail("Refusing to write " + action.name + ": " + action.path + " leaves the task dir");
            return rules::file_action_flags(false);
        }
        log(rules::format_rfc3339(rules::WallClock::now()) + ": Writing " + action.name + " to " +
            target->string() + "\n");
        std::string error = make_parent_dirs(*target);
        // Created 0644 under the umask like Go's WriteFile; an existing file keeps its mode, so
        // overwriting e.g. a 0600 secret does not widen it.
        if (error.empty()) error = write_file(*target, action.content, 0644, false);
        if (!error.empty()) fail("Failed to write " + action.name + ": " + error);
        return rules::file_action_flags(error.empty());
    }

    rules::ExitFlags script_action(const model::JobAction& action) {
        std::string base = file_component(run_.task + "-" + action.name);
        std::string error = write_helper_once();
        if (error.empty()) error = write_file(task_dir_ / base, action.content, 0700, true);
        if (!error.empty()) {
            fail("Failed to write " + action.name + ": " + error);
            return {.failed = true};
        }
        SpawnRequest request{command_argv(action, base), env_vars_, task_dir_.string()};
        log("Starting command " + join_words(request.argv) + "\n");
        SpawnResult spawned = spawn_group(request);
        if (!spawned.child) {
            fail("Command failed to start: " + std::string(std::strerror(spawned.error)));
            return {.failed = true};
        }
        log("Command running\n");
        ChildExit exit = supervise(*spawned.child, stop_, log_);
        log(describe_status(exit.wait_status));
        if (exit.stopped == StopReason::None) return classify(exit.wait_status);
        note_stop(exit.stopped);
        return {.failed = true};  // a timed-out action fails even if it exited 0 on SIGTERM
    }

    std::string write_helper_once() {
        if (helper_written_) return "";
        std::string error =
            write_file(task_dir_ / "helper", helper_script(env_.drover_path), 0600, true);
        helper_written_ = error.empty();
        return error;
    }

    // spec 5.7: Meta.Interpreter (split on spaces) before the script, else the script itself.
    static std::vector<std::string> command_argv(const model::JobAction& action,
                                                 const std::string& base) {
        std::vector<std::string> argv;
        if (auto it = action.meta.find("Interpreter"); it != action.meta.end())
            argv = split_words(it->second);
        argv.push_back("./" + base);
        return argv;
    }

    // spec 2.5, per action: the helper's marker may appear during any script.
    rules::ExitFlags classify(int wait_status) const {
        bool marker = regular_file_exists(task_dir_ / ".sane-exit-codes");
        int code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : rules::kKilledBySignal;
        return rules::classify_exit_code(code, rules::exit_code_mode(run_.feature_flags, marker));
    }

    const TaskRun& run_;
    const RunnerEnvironment& env_;
    LogSink& log_;
    const std::atomic<bool>& cancel_;
    fs::path task_dir_;
    std::vector<std::string> env_vars_;
    StopPolicy stop_;
    bool helper_written_ = false;
    TaskOutcome outcome_;
};

TaskOutcome setup_failure(const TaskRun& run, LogSink& log, const std::string& message) {
    log.write(message + "\n");
    log.write("Task " + run.task + " failed\n");
    return {failed_result(), false, false, message};
}

}  // namespace

TaskOutcome run_task(const TaskRun& run, const RunnerEnvironment& env, LogSink& log,
                     const std::atomic<bool>& cancel, std::function<void()> heartbeat) {
    const auto start = Clock::now();
    std::optional<Clock::time_point> deadline;
    if (!run.timeout.empty()) {
        auto timeout = rules::parse_timeout(run.timeout);
        if (!timeout) return setup_failure(run, log, "Invalid timeout " + run.timeout);
        if (timeout->count() > 0)
            deadline = start + std::chrono::duration_cast<Clock::duration>(
                                   std::min<std::chrono::nanoseconds>(*timeout, kMaxTimeout));
    }
    if (env.runner_dir.empty()) return setup_failure(run, log, "No runner dir");
    fs::path runner_dir = absolute_dir(env.runner_dir);
    std::error_code ec;
    fs::create_directories(runner_dir, ec);
    if (ec)
        return setup_failure(run, log,
                             "Cannot create " + runner_dir.string() + ": " + ec.message());
    std::string error;
    auto task_dir = TaskDir::create(runner_dir, run.task, error);
    if (!task_dir) return setup_failure(run, log, error);
    Runner runner(run, env, log, cancel, runner_dir, task_dir->path(), deadline,
                  std::move(heartbeat));
    return runner.run(model::filter_actions_for_os(run.actions, "linux"));
}

}  // namespace drover::agent
