#include "server/security/private_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/posix/unique_fd.hpp"

namespace drover::security {

namespace {

using posix::UniqueFd;

std::string sys_error(const std::string& what, const std::string& path) {
    return what + " " + path + ": " + std::strerror(errno);
}

std::string parent_of(const std::string& path) {
    std::string parent = std::filesystem::path(path).parent_path().string();
    return parent.empty() ? "." : parent;
}

std::optional<std::string> fsync_dir(const std::string& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid() || ::fsync(fd.get()) != 0) return sys_error("cannot sync directory", dir);
    return std::nullopt;
}

std::optional<std::string> not_private(const struct stat& st, const std::string& path) {
    if ((st.st_mode & 077) == 0) return std::nullopt;
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return path + " is accessible by group or others (mode " + mode + "); chmod go-rwx it";
}

// Writes a fresh temp file next to `path` (mode 0600, synced) and returns its name.
api::Expected<std::string, std::string> write_temp(const std::string& path,
                                                   std::string_view bytes) {
    std::string tmp = path + ".tmp";
    ::unlink(tmp.c_str());  // a leftover from a crash
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid()) return api::unexpected(sys_error("cannot create", tmp));
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            std::string err = sys_error("cannot write", tmp);
            ::unlink(tmp.c_str());
            return api::unexpected(err);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) {
        std::string err = sys_error("cannot sync", tmp);
        ::unlink(tmp.c_str());
        return api::unexpected(err);
    }
    return tmp;
}

}  // namespace

std::optional<std::string> ensure_private_dir(const std::string& path) {
    if (::mkdir(path.c_str(), 0700) == 0) return fsync_dir(parent_of(path));
    if (errno != EEXIST) return sys_error("cannot create directory", path);
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return sys_error("cannot stat", path);
    if (!S_ISDIR(st.st_mode)) return path + " is not a directory";
    return not_private(st, path);
}

api::Expected<std::optional<std::string>, std::string> read_private_file(const std::string& path,
                                                                         std::size_t max_bytes) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) {
        if (errno == ENOENT) return std::optional<std::string>();
        return api::unexpected(sys_error("cannot open", path));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return api::unexpected(sys_error("cannot stat", path));
    if (!S_ISREG(st.st_mode)) return api::unexpected(path + " is not a regular file");
    if (auto err = not_private(st, path)) return api::unexpected(*err);
    if (static_cast<std::size_t>(st.st_size) > max_bytes)
        return api::unexpected(path + " is larger than " + std::to_string(max_bytes) + " bytes");
    std::string out(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t done = 0;
    while (done < out.size()) {
        ssize_t n = ::read(fd.get(), out.data() + done, out.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return api::unexpected(sys_error("cannot read", path));
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    out.resize(done);
    return std::optional<std::string>(std::move(out));
}

api::Expected<bool, std::string> create_private_file(const std::string& path,
                                                     std::string_view bytes) {
    auto tmp = write_temp(path, bytes);
    if (!tmp) return api::unexpected(tmp.error());
    // link() never replaces: an existing file wins and is left as it is.
    bool created = ::link(tmp->c_str(), path.c_str()) == 0;
    int link_errno = errno;
    ::unlink(tmp->c_str());
    if (!created) {
        if (link_errno == EEXIST) return false;
        errno = link_errno;
        return api::unexpected(sys_error("cannot create", path));
    }
    if (auto err = fsync_dir(parent_of(path))) return api::unexpected(*err);
    return true;
}

std::optional<std::string> replace_private_file(const std::string& path, std::string_view bytes) {
    auto tmp = write_temp(path, bytes);
    if (!tmp) return tmp.error();
    if (::rename(tmp->c_str(), path.c_str()) != 0) {
        std::string err = sys_error("cannot replace", path);
        ::unlink(tmp->c_str());
        return err;
    }
    return fsync_dir(parent_of(path));
}

}  // namespace drover::security
