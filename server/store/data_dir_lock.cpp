#include "server/store/data_dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace drover::store {
namespace {

std::string holder_pid(int fd) {
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
    std::string pid(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' '))
        pid.pop_back();
    return pid;
}

Status errno_status(const std::string& what) {
    return {StoreCode::Io, what + ": " + std::strerror(errno)};
}

}  // namespace

std::optional<DataDirLock> DataDirLock::acquire(const std::string& data_dir, Status& status) {
    std::string path = data_dir + "/" + kFileName;
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        status = errno_status("opening " + path);
        return std::nullopt;
    }
    DataDirLock lock(fd);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK) {
            status = errno_status("locking " + path);
            return std::nullopt;
        }
        std::string pid = holder_pid(fd);
        status = {StoreCode::Locked,
                  "the data dir " + data_dir + " is in use by another droverd (pid " +
                      (pid.empty() ? std::string("unknown") : pid) + ", lock file " + path + ")"};
        return std::nullopt;
    }
    // The pid only helps a second droverd name the holder: failing to write it (a full disk)
    // must not keep the server from starting.
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, pid.data(), pid.size(), 0);
    status = {};
    return lock;
}

DataDirLock& DataDirLock::operator=(DataDirLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

DataDirLock::~DataDirLock() {
    // Closing the descriptor releases the flock; the file stays so its pid helps diagnose.
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace drover::store
