#include "cli_process.hpp"

#include "droverd_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace drover::testing {

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

[[noreturn]] void exec_child(const std::vector<std::string>& args, const CliOptions& o,
                             const std::string& dir) {
    int in = open((dir + "/stdin").c_str(), O_RDONLY);
    int out = open((dir + "/stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open((dir + "/stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(in, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    for (const char* v : {"RS_ENDPOINT", "RS_TOKEN", "RS_KEY", "RS_FORMAT"})
        unsetenv(v);
    setenv("RS_KEY", kAdminKey.c_str(), 1);  // a test that means other credentials says so
    for (const auto& [k, v] : o.env)         // an empty value removes the variable
        v.empty() ? unsetenv(k.c_str()) : setenv(k.c_str(), v.c_str(), 1);
    std::vector<std::string> all{o.program};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(o.program.c_str(), argv.data());
    _exit(127);
}

// Whether the process's main thread blocks SIGINT (/proc/<pid>/status SigBlk, bit 2).
bool blocks_sigint(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("SigBlk:", 0) == 0)
            return (std::stoull(line.substr(7), nullptr, 16) & (1ull << (SIGINT - 1))) != 0;
    return false;
}

}  // namespace

CliProcess::CliProcess(const std::vector<std::string>& args, const CliOptions& options) {
    char tmpl[] = "/tmp/drover-cli-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    std::ofstream(dir_ + "/stdin", std::ios::binary) << options.stdin_text;
    std::fflush(nullptr);
    pid_ = fork();
    if (pid_ == 0) exec_child(args, options, dir_);
}

CliProcess::~CliProcess() {
    if (pid_ > 0) wait(std::chrono::seconds(0));
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

bool CliProcess::running() {
    if (pid_ <= 0) return false;
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == 0) return true;
    status_ = r == pid_ && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    pid_ = -1;
    return false;
}

void CliProcess::wait_until_watching() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (running() && !blocks_sigint(pid_) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void CliProcess::interrupt() {
    wait_until_watching();
    if (running()) kill(pid_, SIGINT);
}

CliResult CliProcess::wait(std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (running() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (running()) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
        status_ = -1;
    }
    return CliResult{status_, slurp(dir_ + "/stdout"), slurp(dir_ + "/stderr")};
}

std::string CliProcess::out_so_far() const {
    return slurp(dir_ + "/stdout");
}

CliResult run_cli(const std::vector<std::string>& args, const CliOptions& options) {
    return CliProcess(args, options).wait();
}

std::string drpcli_path() {
    return (std::filesystem::path(DROVER_PATH).parent_path() / "drpcli").string();
}

}  // namespace drover::testing
