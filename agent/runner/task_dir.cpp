#include "agent/runner/task_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "common/posix/unique_fd.hpp"

namespace drover::agent {

using posix::UniqueFd;

namespace fs = std::filesystem;

std::optional<TaskDir> TaskDir::create(const fs::path& runner_dir, std::string_view prefix,
                                       std::string& error) {
    std::string tmpl = (runner_dir / (file_component(prefix) + "-XXXXXX")).string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data())) {
        error = "cannot create task dir " + tmpl + ": " + std::strerror(errno);
        return std::nullopt;
    }
    return TaskDir(fs::path(buf.data()));
}

TaskDir::~TaskDir() {
    if (path_.empty()) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
}

std::string file_component(std::string_view name) {
    std::string out(name);
    for (char& c : out)
        if (c == '/' || c == '\0') c = '_';
    return out;
}

std::optional<fs::path> resolve_action_path(const fs::path& task_dir,
                                            std::string_view action_path) {
    fs::path p(action_path);
    if (p.is_absolute()) return p;
    fs::path clean = p.lexically_normal();
    if (clean.empty() || clean == "." || *clean.begin() == "..") return std::nullopt;
    return task_dir / clean;
}

std::string write_file(const fs::path& path, std::string_view content, mode_t mode,
                       bool force_mode) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (!fd.valid()) return "open " + path.string() + ": " + std::strerror(errno);
    if (force_mode && ::fchmod(fd.get(), mode) != 0)
        return "chmod " + path.string() + ": " + std::strerror(errno);
    while (!content.empty()) {
        ssize_t n = ::write(fd.get(), content.data(), content.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return "write " + path.string() + ": " + std::strerror(errno);
        content.remove_prefix(static_cast<std::size_t>(n));
    }
    // close() reports delayed write errors (NFS, full disks) that write() did not.
    if (::close(fd.release()) != 0) return "close " + path.string() + ": " + std::strerror(errno);
    return "";
}

std::string make_parent_dirs(const fs::path& path) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) return "mkdir " + path.parent_path().string() + ": " + ec.message();
    return "";
}

}  // namespace drover::agent
