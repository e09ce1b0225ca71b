// Runs the real `drover` binary (or its `drpcli` symlink) as a subprocess for the CLI's
// integration tests: arguments, extra environment and stdin in; exit status, stdout and stderr
// out. A background run can be sent SIGINT once the CLI has blocked it (it is then listening).
#pragma once
#include <sys/types.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace drover::testing {

struct CliResult {
    int status = -1;  // exit status; -1 if killed by a signal or not finished in time
    std::string out, err;
};

struct CliOptions {
    std::string program = DROVER_PATH;  // or the drpcli symlink beside it
    // Set over RS_KEY=admin:<the test password>; an empty value removes a variable.
    std::vector<std::pair<std::string, std::string>> env;
    std::string stdin_text;
};

class CliProcess {
  public:
    CliProcess(const std::vector<std::string>& args, const CliOptions& options = {});
    ~CliProcess();
    CliProcess(const CliProcess&) = delete;
    CliProcess& operator=(const CliProcess&) = delete;

    // Waits (at most 10 s) until the CLI blocks SIGINT: its stream is open and watched.
    void wait_until_watching();
    // wait_until_watching, then SIGINT.
    void interrupt();
    bool running();
    // Waits for the exit; past `limit` the process is killed and status is -1.
    CliResult wait(std::chrono::seconds limit = std::chrono::seconds(30));
    std::string out_so_far() const;

  private:
    pid_t pid_ = -1;
    int status_ = -1;
    std::string dir_;
};

// Runs to completion (at most 30 s).
CliResult run_cli(const std::vector<std::string>& args, const CliOptions& options = {});

// The drpcli symlink the build makes beside drover.
std::string drpcli_path();

}  // namespace drover::testing
