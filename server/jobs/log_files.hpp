// The on-disk form of one job log, used by JobLogStore under its locks: `<uuid>.log` holds the
// head (the whole log until it first outgrows max_bytes), `<uuid>.tail` the newest bytes after a
// fixed header naming the head's length and the tail's logical start. Invariant: a tail file is
// only installed by rename after fsync and its header is never rewritten, so the logical size is
// always tail_start + the tail's data length and a plain append needs exactly one fdatasync.
#pragma once
#include "common/posix/unique_fd.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace drover::jobs::files {

using posix::UniqueFd;

using Fd = posix::UniqueFd;

// "DRVTAIL1", the head's length and the tail's logical start, both little-endian u64.
constexpr std::uint64_t kTailHeaderSize = 24;

// A failed system call's errno (0 on success) and a message naming the call and the path.
struct IoStatus {
    int error = 0;
    std::string message;
    bool ok() const { return error == 0; }
};

struct LogPaths {
    std::string shard;  // <dir>/<the id's first two characters>
    std::string log;
    std::string tail;
    std::string tmp;  // a file being built before it is renamed into place
};
LogPaths paths_for(const std::string& dir, std::string_view id);

// What the files say about one log, in logical offsets: [0, head_len) is the start of the .log
// file, [head_len, tail_start) was dropped, [tail_start, size) is the tail's data. A log that never
// outgrew max_bytes has head_len == tail_start == size.
struct Layout {
    bool exists = false;
    bool truncated = false;
    std::uint64_t head_len = 0;
    std::uint64_t tail_start = 0;
    std::uint64_t size = 0;
    std::uint64_t head_file_size = 0;  // exceeds head_len after a crash before the head was cut
};

struct OpenLog {
    Layout layout;
    Fd head;
    Fd tail;  // open only when truncated
};

// Opens a log's files with `flags` (O_RDONLY or O_RDWR); a missing log is not an error.
IoStatus open_log(const LogPaths& paths, int flags, OpenLog& log);

// Writes all of `data` at `offset` (through short writes and EINTR), then fdatasync. A failure
// can leave part of `data` in the file: cutting it back is the caller's, who knows the readers.
IoStatus write_durably(int fd, std::uint64_t offset, std::string_view data, std::string_view path);

// Appends exactly `n` bytes read at `offset` to `out`; a file shorter than that is an error.
IoStatus read_exact(int fd, std::uint64_t offset, std::uint64_t n, std::string& out,
                    std::string_view path);

std::string tail_header(std::uint64_t head_len, std::uint64_t tail_start);

// The contents of a file built in paths.tmp: a prefix, a range of an existing file, a chunk.
struct TmpContents {
    std::string_view prefix;
    int source_fd = -1;
    std::string_view source_path;  // for error messages
    std::uint64_t source_offset = 0;
    std::uint64_t source_length = 0;
    std::string_view chunk;
};
// Writes and fsyncs paths.tmp; removes it again on failure.
IoStatus write_tmp(const LogPaths& paths, const TmpContents& contents);
// Renames paths.tmp to `target`; on failure removes it and leaves `target` as it was. Only a
// sync_dir of the shard afterwards makes the rename survive a power cut.
IoStatus rename_tmp(const LogPaths& paths, const std::string& target);

IoStatus sync_dir(const std::string& dir);
// unlink(2), where a file that is already gone counts as success.
IoStatus remove_file(const std::string& path);

}  // namespace drover::jobs::files
