// Exclusive ownership of a data dir: an flock'd `droverd.lock` holding the owner's pid. flock
// locks belong to the open file, so a second open in the same process is refused too, which
// also keeps LMDB from ever opening one environment twice in a process (it must not).
// Invariant: while a DataDirLock lives, no other DataDirLock on the same dir can be acquired.
#pragma once
#include "server/store/store.hpp"

#include <optional>
#include <string>

namespace drover::store {

class DataDirLock {
  public:
    static constexpr const char* kFileName = "droverd.lock";

    // Locked (naming the holder's pid when it can be read) or Io on failure.
    static std::optional<DataDirLock> acquire(const std::string& data_dir, Status& status);

    DataDirLock(DataDirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    DataDirLock& operator=(DataDirLock&& other) noexcept;
    DataDirLock(const DataDirLock&) = delete;
    DataDirLock& operator=(const DataDirLock&) = delete;
    ~DataDirLock();

  private:
    explicit DataDirLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace drover::store
