// The POSIX ustar format, just enough for droverd's backups: regular files and directories with
// short relative names, written and read sequentially through file descriptors. Reading checks
// every header's checksum and refuses names that could escape the directory being restored into.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace drover::ops {

// A failure's message; empty means success.
using TarError = std::string;

class TarWriter {
  public:
    explicit TarWriter(int fd) : fd_(fd) {}
    // Appends `size` bytes read from `source_fd` as the file `name` with permission bits `mode`.
    // Fails when the source ends early (it changed under us) or a write fails.
    TarError add_file(std::string_view name, unsigned mode, int source_fd, std::uint64_t size);
    TarError add_directory(std::string_view name, unsigned mode);
    // The two zero blocks that end an archive.
    TarError finish();

  private:
    TarError write_header(std::string_view name, unsigned mode, std::uint64_t size, char type);
    TarError write_bytes(const char* data, std::size_t size);
    int fd_;
};

struct TarEntry {
    std::string name;  // relative, normalised: no "..", no leading '/', no empty components
    unsigned mode = 0;
    bool directory = false;
    std::uint64_t size = 0;
};

// Called for each entry; for a file the callback must consume exactly entry.size bytes through
// `read_data` (which fills up to `max` bytes into `buffer` and returns the count, 0 at the end).
using TarReadData = std::function<std::size_t(char* buffer, std::size_t max)>;
using TarVisitor = std::function<TarError(const TarEntry& entry, const TarReadData& read_data)>;

// Reads the archive on `fd` to its end, calling `visit` per entry. Stops at the first error:
// a bad checksum, an unsafe name, an unsupported entry type, a truncated archive or the
// visitor's own error.
TarError read_tar(int fd, const TarVisitor& visit);

// True when `name` is a relative path with no "." or ".." components and no empty ones.
bool safe_relative_name(std::string_view name);

}  // namespace drover::ops
