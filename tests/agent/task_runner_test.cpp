// The agent's runner (spec 5.7 steps 2-5, spec 2.5) with real processes in temp dirs: output
// capture, interpreters, file actions, the task environment, exit-code tables and folding,
// timeouts and cancel that kill whole process groups, and nothing left behind afterwards.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "agent/runner/task_runner.hpp"

namespace fs = std::filesystem;
using namespace drover;
using agent::run_task;
using agent::TaskOutcome;
using agent::TaskRun;
using model::ExitState;
using model::JobState;
using std::chrono::steady_clock;

namespace {

class StringSink : public agent::LogSink {
  public:
    void write(std::string_view bytes) override {
        std::lock_guard lock(mu_);
        text_.append(bytes);
    }
    void clear() {
        std::lock_guard lock(mu_);
        text_.clear();
    }
    std::string text() const {
        std::lock_guard lock(mu_);
        return text_;
    }

  private:
    mutable std::mutex mu_;
    std::string text_;
};

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "drover-runner-test-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()));
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::string read_file(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_executable(const fs::path& p, const std::string& text) {
    std::ofstream(p) << text;
    fs::permissions(p, fs::perms::owner_all);
}

model::JobAction script(std::string name, std::string content, std::string interpreter = "") {
    model::JobAction a;
    a.name = std::move(name);
    a.content = std::move(content);
    if (!interpreter.empty()) a.meta["Interpreter"] = interpreter;
    return a;
}

model::JobAction file(std::string name, std::string path, std::string content) {
    model::JobAction a;
    a.name = std::move(name);
    a.path = std::move(path);
    a.content = std::move(content);
    return a;
}

// A zombie (pid 1 in a container may never reap orphans) counts as gone: it runs nothing.
bool process_gone(pid_t pid) {
    if (::kill(pid, 0) != 0) return errno == ESRCH;
    std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    auto close_paren = stat.rfind(')');
    return close_paren != std::string::npos && stat.size() > close_paren + 2 &&
           stat[close_paren + 2] == 'Z';
}

pid_t read_pid(const fs::path& p) {
    std::string text = read_file(p);
    return text.empty() ? 0 : static_cast<pid_t>(std::stol(text));
}

std::size_t open_fd_count() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd"))
        ++n;
    return n;
}

// Every run: a fresh runner dir under a temp dir, a fake `drover` that records its arguments,
// and the checks that hold after any run (task dir removed, no child left unreaped).
struct Harness {
    TempDir tmp;
    agent::RunnerEnvironment env;
    StringSink log;
    std::atomic<bool> cancel{false};

    Harness() {
        env.runner_dir = (tmp.path / "runner").string();
        env.machine_uuid = "3e7031fe-3062-45f1-835c-92541bc9cbd3";
        env.endpoint = "https://127.0.0.1:8092";
        env.token = "tok3n";
        env.drover_path = (tmp.path / "fake drover").string();
        env.extra_env = {"JT=" + tmp.path.string(), "DROVER_TEST_EXTRA=extra value"};
        write_executable(
            env.drover_path,
            "#!/bin/sh\n"
            "echo \"drover $*\" >> \"$JT/drover.calls\"\n"
            "if [ \"$2\" = set ] && [ \"$7\" = - ]; then cat >> \"$JT/drover.calls\"; fi\n"
            "if [ \"$2\" = get ]; then echo '\"param value\"'; fi\n");
    }

    TaskOutcome run(TaskRun r) {
        std::size_t fds_before = open_fd_count();
        TaskOutcome out = run_task(r, env, log, cancel);
        CHECK(open_fd_count() == fds_before);
        check_clean();
        return out;
    }

    void check_clean() {
        CHECK((!fs::exists(env.runner_dir) || fs::is_empty(env.runner_dir)));
        int status = 0;
        CHECK(::waitpid(-1, &status, WNOHANG) == -1);
        CHECK(errno == ECHILD);
    }
};

TaskRun task(std::vector<model::JobAction> actions, std::string flags = "sane-exit-codes") {
    TaskRun r;
    r.task = "t";
    r.actions = std::move(actions);
    r.feature_flags = std::move(flags);
    r.kill_grace = std::chrono::milliseconds(200);
    return r;
}

void check_result(const TaskOutcome& out, JobState state, ExitState exit_state) {
    CHECK(model::to_string(out.result.state) == model::to_string(state));
    CHECK(model::to_string(out.result.exit_state) == model::to_string(exit_state));
}

}  // namespace

TEST_CASE("runner: a shebang script's stdout and stderr arrive in order", "[runner]") {
    Harness h;
    auto out = h.run(task({script("a", "#!/bin/sh\necho one\necho two >&2\necho three\n")}));
    check_result(out, JobState::Finished, ExitState::Complete);
    CHECK_FALSE(out.result.make_not_runnable);
    std::string log = h.log.text();
    CHECK(log.find("Starting command ./t-a\n") != std::string::npos);
    CHECK(log.find("one\ntwo\nthree\n") != std::string::npos);
    CHECK(log.find("Command exited with status 0\nAction a finished\nTask t finished\n") !=
          std::string::npos);
}

TEST_CASE("runner: output reaches the log while the command still runs", "[runner]") {
    // The sink answers "early" by creating the file the script waits for; a runner that held
    // the output back until the exit would leave the script waiting until its timeout.
    struct AnsweringSink : StringSink {
        fs::path answer;
        void write(std::string_view bytes) override {
            StringSink::write(bytes);
            if (bytes.find("early") != std::string_view::npos) std::ofstream(answer) << "seen";
        }
    };
    Harness h;
    AnsweringSink sink;
    sink.answer = h.tmp.path / "seen";
    auto r = task({script("a",
                          "#!/bin/sh\necho early\n"
                          "while [ ! -f \"$JT/seen\" ]; do sleep 0.05; done\necho late\n")});
    r.timeout = "30s";
    auto out = run_task(r, h.env, sink, h.cancel);
    check_result(out, JobState::Finished, ExitState::Complete);
    CHECK(sink.text().find("early\nlate\n") != std::string::npos);
}

// The agent renews its token from the heartbeat, so it must come while a long action runs, on
// the runner's own thread (the agent's state is not shared with another), about once a second.
TEST_CASE("runner: the heartbeat comes while an action runs, on the runner's thread", "[runner]") {
    Harness h;
    const auto runner_thread = std::this_thread::get_id();
    int beats = 0;
    bool other_thread = false;
    auto heartbeat = [&] {
        ++beats;
        other_thread |= std::this_thread::get_id() != runner_thread;
    };
    const auto began = std::chrono::steady_clock::now();
    auto out =
        run_task(task({script("a", "#!/bin/sh\nsleep 2.5\n")}), h.env, h.log, h.cancel, heartbeat);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    check_result(out, JobState::Finished, ExitState::Complete);
    CHECK(beats >= 1);
    CHECK(beats <= static_cast<int>(seconds) + 1);  // not in a loop: at most one a second
    CHECK_FALSE(other_thread);
}

TEST_CASE("runner: large output arrives whole", "[runner]") {
    Harness h;
    auto out = h.run(task({script("a",
                                  "#!/bin/sh\nhead -c 3000000 /dev/zero | tr '\\0' @\n"
                                  "echo; echo end\n")}));
    check_result(out, JobState::Finished, ExitState::Complete);
    std::string log = h.log.text();
    CHECK(std::count(log.begin(), log.end(), '@') == 3000000);
    CHECK(log.find("\nend\nCommand exited with status 0\n") != std::string::npos);
}

TEST_CASE("runner: Meta.Interpreter runs the script, split on spaces", "[runner]") {
    Harness h;
    auto out = h.run(task({script(
        "a", "echo \"interp $0\"\ncase $- in *e*) echo errexit-on ;; esac\n", "/bin/sh  -e")}));
    check_result(out, JobState::Finished, ExitState::Complete);
    CHECK(h.log.text().find("Starting command /bin/sh -e ./t-a\n") != std::string::npos);
    CHECK(h.log.text().find("interp ./t-a\nerrexit-on\n") != std::string::npos);
}

TEST_CASE("runner: a script without a shebang runs with /bin/sh", "[runner]") {
    Harness h;
    auto out = h.run(task({script("a", "echo no shebang; exit 16\n")}));
    check_result(out, JobState::Finished, ExitState::Stop);
    CHECK(h.log.text().find("no shebang\n") != std::string::npos);
}

TEST_CASE("runner: a missing interpreter fails the job", "[runner]") {
    Harness h;
    auto out = h.run(task({script("a", "echo hi\n", "/nonexistent/interp")}));
    check_result(out, JobState::Failed, ExitState::Failed);
    CHECK(out.error.find("Command failed to start") != std::string::npos);
}

TEST_CASE("runner: file actions, relative, absolute and escaping", "[runner]") {
    Harness h;
    fs::path absolute = h.tmp.path / "abs" / "deep" / "file.txt";
    SECTION("relative files land in the task dir, absolute ones where they say") {
        auto out = h.run(task({file("rel", "sub/../sub/dir/f.txt", "relative content"),
                               file("abs", absolute.string(), "absolute content"),
                               script("check",
                                      "#!/bin/sh\n"
                                      "test \"$(cat sub/dir/f.txt)\" = 'relative content'"
                                      " && test -f \"$RS_TASK_DIR/sub/dir/f.txt\"\n")}));
        check_result(out, JobState::Finished, ExitState::Complete);
        CHECK(read_file(absolute) == "absolute content");
        mode_t mask = ::umask(0);
        ::umask(mask);
        CHECK((fs::status(absolute).permissions() & fs::perms::all) ==
              static_cast<fs::perms>(0644 & ~mask));
        std::string log = h.log.text();
        CHECK(log.find("Z: Writing abs to " + absolute.string() + "\n") != std::string::npos);
        CHECK(log.find("/sub/dir/f.txt\n") != std::string::npos);
    }
    SECTION("a relative path escaping the task dir is refused and fails the job") {
        auto out =
            h.run(task({file("evil", "sub/../../evil", "x"), script("after", "echo ran\n")}));
        check_result(out, JobState::Failed, ExitState::Failed);
        CHECK(out.result.make_not_runnable);
        CHECK_FALSE(fs::exists(fs::path(h.env.runner_dir) / "evil"));
        CHECK(h.log.text().find("ran\n") == std::string::npos);
        CHECK(out.error.find("leaves the task dir") != std::string::npos);
    }
    SECTION("a write error fails the job") {
        auto out = h.run(task({file("bad", "/proc/no/such/dir/file", "x")}));
        check_result(out, JobState::Failed, ExitState::Failed);
        CHECK(out.error.find("Failed to write bad") != std::string::npos);
    }
}

TEST_CASE("runner: the task environment", "[runner]") {
    Harness h;
    auto out = h.run(task({script(
        "env",
        "#!/bin/sh\n"
        "for v in TMPDIR TMP RS_RUNNER_DIR RS_UUID RS_ENDPOINT RS_TOKEN DROVER_TEST_EXTRA; do\n"
        "  eval \"echo $v=\\$$v\"\n"
        "done\n"
        "test \"$RS_TASK_DIR\" = \"$(pwd)\" && echo task-dir-is-cwd\n"
        "case $RS_TASK_DIR in \"$RS_RUNNER_DIR\"/t-?\?\?\?\?\?) echo task-dir-named ;; esac\n"
        "test -n \"$PATH\" && echo has-path\n"
        "read line || echo stdin-empty\n")}));
    check_result(out, JobState::Finished, ExitState::Complete);
    std::string log = h.log.text();
    std::string runner = fs::path(h.env.runner_dir).string();
    std::vector<std::string> expected{"TMPDIR=" + h.tmp.path.string(),
                                      "TMP=" + h.tmp.path.string(),
                                      "RS_RUNNER_DIR=" + runner,
                                      "RS_UUID=" + h.env.machine_uuid,
                                      "RS_ENDPOINT=" + h.env.endpoint,
                                      "RS_TOKEN=tok3n",
                                      "DROVER_TEST_EXTRA=extra value",
                                      "task-dir-is-cwd",
                                      "task-dir-named",
                                      "has-path",
                                      "stdin-empty"};
    for (const auto& line : expected) {
        INFO(line);
        CHECK(log.find(line + "\n") != std::string::npos);
    }
}

TEST_CASE("runner: HOME is inherited, else the runner dir", "[runner]") {
    Harness h;
    const char* inherited = std::getenv("HOME");
    std::string saved = inherited ? inherited : "";
    auto run_home = [&h] {
        h.log.clear();
        check_result(h.run(task({script("a", "echo \"home=$HOME\"\n")})), JobState::Finished,
                     ExitState::Complete);
        return h.log.text();
    };
    ::setenv("HOME", "/home/somebody", 1);
    CHECK(run_home().find("home=/home/somebody\n") != std::string::npos);
    ::unsetenv("HOME");
    std::string without = run_home();
    if (!saved.empty()) ::setenv("HOME", saved.c_str(), 1);
    CHECK(without.find("home=" + h.env.runner_dir + "\n") != std::string::npos);
}

TEST_CASE("runner: task and action names with '/' stay inside the task dir", "[runner]") {
    Harness h;
    auto r = task({script("x/y", "echo \"$0 in ${PWD##*/}\"\n")});
    r.task = "a/b";
    check_result(h.run(r), JobState::Finished, ExitState::Complete);
    CHECK(h.log.text().find("./a_b-x_y in a_b-") != std::string::npos);
}

TEST_CASE("runner: a script inherits only stdin, stdout and stderr", "[runner]") {
    Harness h;
    int leaky = ::open("/dev/null", O_RDONLY);  // as a library might, without O_CLOEXEC
    REQUIRE(leaky > 2);
    // ls, a child of the script with its output redirected there, lists the script's fds
    // without opening one in it (a $(...) would).
    auto out = h.run(task({script("a",
                                  "#!/bin/bash\n"
                                  "ls /proc/$$/fd > fds\n"
                                  "for fd in $(cat fds); do\n"
                                  "  case $fd in 0|1|2|255) ;; *) echo \"leaked fd $fd\" ;; esac\n"
                                  "done\n")}));
    ::close(leaky);
    check_result(out, JobState::Finished, ExitState::Complete);
    INFO(h.log.text());
    CHECK(h.log.text().find("leaked") == std::string::npos);
}

TEST_CASE("runner: sane and legacy exit codes", "[runner]") {
    Harness h;
    SECTION("sane by feature flag: 64 is reboot") {
        auto out = h.run(task({script("a", "exit 64\n")}, "sane-exit-codes"));
        check_result(out, JobState::Finished, ExitState::Reboot);
        CHECK(out.result.reboot);
        CHECK(out.result.make_not_runnable);
    }
    SECTION("legacy: 1 is reboot, 64 is failure") {
        check_result(h.run(task({script("a", "exit 1\n")}, "original-exit-codes")),
                     JobState::Finished, ExitState::Reboot);
        check_result(h.run(task({script("a", "exit 64\n")}, "original-exit-codes")),
                     JobState::Failed, ExitState::Failed);
        check_result(h.run(task({script("a", "exit 2\n")}, "")), JobState::Incomplete,
                     ExitState::Complete);
    }
    SECTION("the helper's marker makes a legacy task sane") {
        auto out = h.run(
            task({script("a", "#!/bin/bash\n. ./helper\nexit_reboot\n")}, "original-exit-codes"));
        check_result(out, JobState::Finished, ExitState::Reboot);
    }
    SECTION("the marker counts from the action that made it, not before") {
        auto out =
            h.run(task({script("a", "exit 2\n"), script("b", "exit 0\n")}, "original-exit-codes"));
        check_result(out, JobState::Finished, ExitState::Complete);  // legacy 2 on non-final
        auto sane =
            h.run(task({script("a", "#!/bin/bash\n. ./helper\nexit 0\n"), script("b", "exit 1\n")},
                       "original-exit-codes"));
        check_result(sane, JobState::Failed, ExitState::Failed);  // 1 is a failure when sane
    }
}

TEST_CASE("runner: folding across actions", "[runner]") {
    Harness h;
    SECTION("128 on a non-final action skips the rest: finished") {
        auto out = h.run(task({script("a", "exit 128\n"), script("b", "echo second ran\n")}));
        check_result(out, JobState::Finished, ExitState::Complete);
        CHECK(h.log.text().find("second ran") == std::string::npos);
        CHECK_FALSE(out.result.make_not_runnable);
    }
    SECTION("128 on the final action: incomplete") {
        auto out = h.run(task({script("a", "echo first\n"), script("b", "exit 128\n")}));
        check_result(out, JobState::Incomplete, ExitState::Complete);
        CHECK(out.result.make_not_runnable);
    }
    SECTION("64 on the first of two stops there: incomplete/reboot") {
        auto out = h.run(task({script("a", "exit 64\n"), script("b", "echo second ran\n")}));
        check_result(out, JobState::Incomplete, ExitState::Reboot);
        CHECK(h.log.text().find("second ran") == std::string::npos);
    }
    SECTION("a failure stops the task") {
        auto out = h.run(task({script("a", "exit 3\n"), script("b", "echo second ran\n")}));
        check_result(out, JobState::Failed, ExitState::Failed);
        CHECK(h.log.text().find("second ran") == std::string::npos);
        CHECK(h.log.text().find("Action a finished\nTask t failed\n") != std::string::npos);
    }
    SECTION("actions for another OS are skipped") {
        auto other = script("win", "exit 3\n");
        other.meta["OS"] = "windows";
        auto linux_only = script("lin", "echo linux ran\n");
        linux_only.meta["OS"] = "linux,darwin";
        auto out = h.run(task({linux_only, other}));
        check_result(out, JobState::Finished, ExitState::Complete);
        CHECK(h.log.text().find("linux ran\n") != std::string::npos);
    }
}

TEST_CASE("runner: the helper library", "[runner]") {
    Harness h;
    auto out = h.run(task({script("a",
                                  "#!/bin/bash\nset -u  # the helper must cope with it\n"
                                  ". ./helper\n"
                                  "echo \"os=$OS_TYPE family=$OS_FAMILY name=$OS_NAME\"\n"
                                  "echo \"lang=$LANG path=$PATH\"\n"
                                  "echo \"got $(get_param some/param)\"\n"
                                  "set_param p1 '\"v1\"'\n"
                                  "echo '{\"a\":1}' | set_param p2\n"
                                  "false | true || echo pipefail-on\n"
                                  "exit_incomplete_reboot\n")},
                          "original-exit-codes"));
    check_result(out, JobState::Incomplete, ExitState::Reboot);
    std::string log = h.log.text();
    CHECK(log.find("lang=C path=") != std::string::npos);
    CHECK(log.find("/usr/sbin") != std::string::npos);
    CHECK(log.find("got \"param value\"\n") != std::string::npos);
    CHECK(log.find("pipefail-on\n") != std::string::npos);
    CHECK(log.find("os= ") == std::string::npos);
    std::string uuid = h.env.machine_uuid;
    CHECK(read_file(h.tmp.path / "drover.calls") ==
          "drover machines get " + uuid + " param some/param --aggregate\n" +
              "drover machines set " + uuid + " param p1 to \"v1\"\n" + "drover machines set " +
              uuid + " param p2 to -\n{\"a\":1}\n");
}

TEST_CASE("runner: a timeout kills the action's whole process group", "[runner]") {
    Harness h;
    auto r = task({script("a",
                          "#!/bin/sh\nsleep 600 &\necho $! > \"$JT/child.pid\"\n"
                          "echo $$ > \"$JT/main.pid\"\nsleep 600\n"),
                   script("b", "echo never\n")});
    r.timeout = "3s";
    auto start = steady_clock::now();
    auto out = h.run(r);
    CHECK(steady_clock::now() - start < std::chrono::seconds(60));
    check_result(out, JobState::Failed, ExitState::Failed);
    CHECK(out.timed_out);
    CHECK(out.result.make_not_runnable);
    std::string log = h.log.text();
    CHECK(log.find("Task t timed out after 3s; killed its processes\n") != std::string::npos);
    CHECK(log.find("Command killed by signal 15\n") != std::string::npos);
    CHECK(log.find("never") == std::string::npos);
    pid_t child = read_pid(h.tmp.path / "child.pid"), main = read_pid(h.tmp.path / "main.pid");
    REQUIRE(child > 0);
    REQUIRE(main > 0);
    CHECK(process_gone(child));
    CHECK(process_gone(main));
}

TEST_CASE("runner: a script that traps SIGTERM is SIGKILLed after the grace", "[runner]") {
    Harness h;
    auto r = task({script("a",
                          "#!/bin/sh\ntrap 'echo got TERM' TERM\necho $$ > \"$JT/main.pid\"\n"
                          "while :; do sleep 0.05; done\n")});
    r.timeout = "2";
    auto start = steady_clock::now();
    auto out = h.run(r);
    CHECK(steady_clock::now() - start < std::chrono::seconds(60));
    check_result(out, JobState::Failed, ExitState::Failed);
    CHECK(out.timed_out);
    CHECK(h.log.text().find("Command killed by signal 9\n") != std::string::npos);
    pid_t main = read_pid(h.tmp.path / "main.pid");
    REQUIRE(main > 0);
    CHECK(process_gone(main));
}

TEST_CASE("runner: a zero timeout means none", "[runner]") {
    Harness h;
    auto r = task({script("a", "echo ran\n")});
    r.timeout = "0s";
    auto out = h.run(r);
    check_result(out, JobState::Finished, ExitState::Complete);
    CHECK_FALSE(out.timed_out);
}

TEST_CASE("runner: an invalid timeout fails the job before anything runs", "[runner]") {
    Harness h;
    auto r = task({script("a", "echo ran\n")});
    r.timeout = "soon";
    auto out = h.run(r);
    check_result(out, JobState::Failed, ExitState::Failed);
    CHECK(out.error == "Invalid timeout soon");
    CHECK(h.log.text().find("ran\n") == std::string::npos);
}

TEST_CASE("runner: cancel kills the running action and leaves the job incomplete", "[runner]") {
    Harness h;
    fs::path started = h.tmp.path / "started";
    std::thread canceller([&] {
        auto give_up = steady_clock::now() + std::chrono::seconds(30);
        while (!fs::exists(started) && steady_clock::now() < give_up)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        h.cancel = true;
    });
    auto start = steady_clock::now();
    auto out = h.run(task({script("a",
                                  "#!/bin/sh\nsleep 600 &\necho $! > \"$JT/child.pid\"\n"
                                  "touch \"$JT/started\"\nwait\n"),
                           script("b", "echo never\n")}));
    canceller.join();
    CHECK(steady_clock::now() - start < std::chrono::seconds(60));
    CHECK(out.interrupted);
    CHECK_FALSE(out.timed_out);
    CHECK(out.result == rules::interrupted_result());
    CHECK(h.log.text().find("never") == std::string::npos);
    CHECK(h.log.text().find("Task t incomplete\n") != std::string::npos);
    pid_t child = read_pid(h.tmp.path / "child.pid");
    REQUIRE(child > 0);
    CHECK(process_gone(child));
}

TEST_CASE("runner: a background process holding the output pipe does not hang the task",
          "[runner]") {
    Harness h;
    auto start = steady_clock::now();
    auto out = h.run(task({script("a",
                                  "#!/bin/sh\nsleep 30 &\necho $! > \"$JT/child.pid\"\n"
                                  "echo main done\n")}));
    CHECK(steady_clock::now() - start < std::chrono::seconds(20));
    check_result(out, JobState::Finished, ExitState::Complete);
    CHECK(h.log.text().find("main done\n") != std::string::npos);
    pid_t child = read_pid(h.tmp.path / "child.pid");
    REQUIRE(child > 0);
    ::kill(child, SIGKILL);  // left running on purpose by the runner; not ours to wait for
}
