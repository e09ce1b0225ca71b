#include "agent/cli/systemd_service.hpp"

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "agent/cli/cli_session.hpp"

extern char** environ;

namespace drover::cli {

namespace {

bool on_path(const std::string& program) {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    for (std::size_t pos = 0; pos <= dirs.size();) {
        std::size_t end = std::min(dirs.find(':', pos), dirs.size());
        std::string dir = dirs.substr(pos, end - pos);
        if (::access(((dir.empty() ? "." : dir) + "/" + program).c_str(), X_OK) == 0) return true;
        pos = end + 1;
    }
    return false;
}

}  // namespace

std::string systemd_unavailable_reason() {
    if (!on_path("systemctl")) return "systemctl is not installed";
    // sd_booted()'s test: systemd creates this directory at boot.
    struct stat st {};
    if (::stat("/run/systemd/system", &st) != 0 || !S_ISDIR(st.st_mode))
        return "this system is not running systemd";
    return "";
}

void systemctl_now(const std::string& verb) {
    std::vector<std::string> args{"systemctl", verb, "--now", kAgentService};
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    int err = ::posix_spawnp(&pid, "systemctl", nullptr, nullptr, argv.data(), environ);
    if (err != 0) throw Failure(std::string("cannot run systemctl: ") + std::strerror(err));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw Failure("systemctl " + verb + " --now " + kAgentService + " failed (status " +
                      std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
}

}  // namespace drover::cli
