#include "agent/client/private_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "common/posix/unique_fd.hpp"

namespace drover::client {

namespace {

using posix::UniqueFd;

std::string errno_text(const std::string& what, const std::string& path) {
    return what + " " + path + ": " + std::strerror(errno);
}

// A new file beside `path` (same directory, so link/rename stay on one file system), created
// with `mode` and O_EXCL, so it cannot be someone else's file or an older, wider one.
std::string create_temp(const std::string& path, mode_t mode, UniqueFd& out, std::string& temp) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        temp = path + ".new-" + std::to_string(::getpid()) + "-" + std::to_string(attempt);
        out.reset(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
        if (out.valid()) return {};
        if (errno != EEXIST) return errno_text("cannot create", temp);
    }
    return "cannot create a temporary file beside " + path;
}

std::string write_all(int fd, const std::string& content, const std::string& path) {
    for (std::size_t done = 0; done < content.size();) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno_text("cannot write", path);
        done += static_cast<std::size_t>(n);
    }
    return {};
}

std::string sync_directory_of(const std::string& path) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    UniqueFd d(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!d.valid() || ::fsync(d.get()) != 0) return errno_text("cannot sync directory", dir);
    return {};
}

std::string octal_mode(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

std::string install(const std::string& temp, const std::string& path, int fd, Overwrite overwrite,
                    const std::string& content) {
    if (auto e = write_all(fd, content, temp); !e.empty()) return e;
    if (::fsync(fd) != 0) return errno_text("cannot sync", temp);
    // link() refuses an existing target atomically: no window between a check and a write.
    if (overwrite == Overwrite::Refuse ? ::link(temp.c_str(), path.c_str()) != 0
                                       : ::rename(temp.c_str(), path.c_str()) != 0)
        return errno == EEXIST ? path + " already exists" : errno_text("cannot write", path);
    return {};
}

}  // namespace

std::string write_file_atomically(const std::string& path, const std::string& content, mode_t mode,
                                  Overwrite overwrite) {
    UniqueFd fd;
    std::string temp;
    if (auto e = create_temp(path, mode, fd, temp); !e.empty()) return e;
    std::string error = install(temp, path, fd.get(), overwrite, content);
    ::unlink(temp.c_str());  // after link(): the second name; after rename(): already gone
    return error.empty() ? sync_directory_of(path) : error;
}

api::Expected<std::string, std::string> read_private_file(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return api::unexpected(errno_text("cannot read", path));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return api::unexpected(errno_text("cannot stat", path));
    if (!S_ISREG(st.st_mode)) return api::unexpected(path + " is not a regular file");
    if (st.st_uid != 0 && st.st_uid != ::geteuid())
        return api::unexpected("refusing to read " + path +
                               ": it holds a token and is owned by uid " +
                               std::to_string(st.st_uid) + ", neither root nor this user");
    if ((st.st_mode & 077) != 0)
        return api::unexpected(
            "refusing to read " + path +
            ": it holds a token and group or others may read or change it (mode " +
            octal_mode(st.st_mode) + "); run: chmod 600 " + path);
    std::string content;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return api::unexpected(errno_text("cannot read", path));
        if (n == 0) return content;
        content.append(buf, static_cast<std::size_t>(n));
    }
}

}  // namespace drover::client
