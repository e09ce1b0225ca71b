#include "agent/cli/private_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "agent/cli/cli_session.hpp"

namespace drover::cli {

namespace {

[[noreturn]] void fail_errno(const std::string& what, const std::string& path) {
    throw Failure(what + " " + path + ": " + std::strerror(errno));
}

// Closes on every path out, including the throwing ones.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

// A new file beside `path` (same directory, so link/rename stay on one file system), created
// with `mode` and O_EXCL, so it cannot be someone else's file or an older, wider one.
std::string create_temp(const std::string& path, mode_t mode, Fd& out) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::string temp =
            path + ".new-" + std::to_string(::getpid()) + "-" + std::to_string(attempt);
        out.fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (out.fd >= 0) return temp;
        if (errno != EEXIST) fail_errno("cannot create", temp);
    }
    throw Failure("cannot create a temporary file beside " + path);
}

void write_all(int fd, const std::string& content, const std::string& path) {
    for (std::size_t done = 0; done < content.size();) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail_errno("cannot write", path);
        done += static_cast<std::size_t>(n);
    }
}

void sync_directory_of(const std::string& path) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    Fd d{::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (d.fd < 0 || ::fsync(d.fd) != 0) fail_errno("cannot sync directory", dir);
}

std::string octal_mode(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& content, mode_t mode,
                           Overwrite overwrite) {
    Fd fd;
    std::string temp = create_temp(path, mode, fd);
    try {
        write_all(fd.fd, content, temp);
        if (::fsync(fd.fd) != 0) fail_errno("cannot sync", temp);
        // link() refuses an existing target atomically: no window between a check and a write.
        if (overwrite == Overwrite::Refuse ? ::link(temp.c_str(), path.c_str()) != 0
                                           : ::rename(temp.c_str(), path.c_str()) != 0) {
            if (errno == EEXIST) throw Failure(path + " already exists");
            fail_errno("cannot write", path);
        }
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
    ::unlink(temp.c_str());  // after link(): the second name; after rename(): already gone
    sync_directory_of(path);
}

std::string read_private_file(const std::string& path) {
    Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (fd.fd < 0) fail_errno("cannot read", path);
    struct stat st {};
    if (::fstat(fd.fd, &st) != 0) fail_errno("cannot stat", path);
    if (!S_ISREG(st.st_mode)) throw Failure(path + " is not a regular file");
    if (st.st_uid != 0 && st.st_uid != ::geteuid())
        throw Failure("refusing to read " + path + ": it holds a token and is owned by uid " +
                      std::to_string(st.st_uid) + ", neither root nor this user");
    if ((st.st_mode & 077) != 0)
        throw Failure("refusing to read " + path +
                      ": it holds a token and group or others may read or change it (mode " +
                      octal_mode(st.st_mode) + "); run: chmod 600 " + path);
    std::string content;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail_errno("cannot read", path);
        if (n == 0) return content;
        content.append(buf, static_cast<std::size_t>(n));
    }
}

}  // namespace drover::cli
