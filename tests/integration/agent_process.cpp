#include "agent_process.hpp"

#include "droverd_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace drover::testing {

AgentProcess::AgentProcess(int port, std::string machine, std::string state_dir,
                           std::vector<std::string> extra_args, std::vector<std::string> env) {
    log_path_ = state_dir + ".out";
    std::vector<std::string> args{
        DROVER_PATH, "agent", "-E",          "http://127.0.0.1:" + std::to_string(port),
        "--machine", machine, "--state-dir", state_dir};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::fflush(nullptr);
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        setenv("RS_KEY", kAdminKey.c_str(), 1);  // unless the test gives a token (RS_TOKEN)
        for (auto& e : env)
            putenv(e.data());
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
}

AgentProcess::~AgentProcess() {
    if (pid_ > 0) kill9();
}

int AgentProcess::wait(std::chrono::seconds limit) {
    if (pid_ <= 0) return -1;
    auto end = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > end) {
            kill9();
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void AgentProcess::kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

void AgentProcess::terminate() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
}

std::string AgentProcess::output() const {
    std::ifstream in(log_path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace drover::testing
