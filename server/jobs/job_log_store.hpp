// Per-job logs (the server side of DRP's PUT/GET /api/v3/jobs/<uuid>/log, made resumable by
// logical offsets): plain files under one dir, sharded by the uuid's first two characters.
// Invariants: an append that returns Ok is on disk before it returns and readers never see bytes
// past the acknowledged size; the files alone define a log, so a restart loses nothing; a log past
// max_bytes keeps its head and newest tail and drops the middle (disk use <= ~1.5x max_bytes).
#pragma once
#include "server/ops/failure_episode.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace drover::jobs {

enum class LogOutcome {
    Ok,         // the bytes are durable (or there were none to write)
    Duplicate,  // every byte was already stored (a retried chunk); nothing written
    Gap,        // the offset is past the stored size; nothing written, `size` says where to resume
    NoSpace,    // the disk is full; nothing of the chunk was kept
    Io,         // any other storage failure
    BadId,      // the uuid is not a safe file name; the filesystem was not touched
};

struct LogResult {
    LogOutcome outcome = LogOutcome::Ok;
    std::uint64_t size = 0;  // the logical size afterwards; for failures the stored size if known
    std::string message;     // why, for every outcome but Ok and Duplicate
    // The caller may acknowledge the chunk.
    bool ok() const { return outcome == LogOutcome::Ok || outcome == LogOutcome::Duplicate; }
};

struct LogChunk {
    std::string bytes;
    std::uint64_t next_offset = 0;  // the logical offset to continue reading from
    std::uint64_t size = 0;         // the log's acknowledged logical size when it was read
    bool truncated = false;         // the log has dropped its middle
};

struct JobLogOptions {
    std::string dir;  // e.g. <data-dir>/logs; created on first use (its parent must exist)
    // Past this a log keeps its first max_bytes/2 bytes and at least its newest max_bytes/2.
    std::uint64_t max_bytes = std::uint64_t{64} << 20;
};

struct LogStripes;  // the per-stripe locks, defined with the store

// Many threads may use one store: appends to one log are serialised, everything else runs
// concurrently. Logical offsets count every byte ever accepted, including the first line.
class JobLogStore {
  public:
    explicit JobLogStore(JobLogOptions options);
    ~JobLogStore();
    JobLogStore(const JobLogStore&) = delete;
    JobLogStore& operator=(const JobLogStore&) = delete;

    // 1..64 characters of [0-9a-zA-Z-]: anything else could name a path outside the dir.
    static bool valid_id(std::string_view id);

    // Creates the log with its first line `Log for Job: <id>\n` followed by `opening` (a note of
    // the engine's), in one durable write; Ok if the log exists already, which is then left as it
    // is. An opening that would not fit in max_bytes goes in as an append.
    LogResult create(std::string_view id, std::string_view opening = {});
    // Without an offset the bytes go at the end. With one, bytes already stored are dropped
    // (Duplicate if that is all of them) and an offset past the end is a Gap. Creates the log if
    // needed. Durable (fdatasync'd) before it returns Ok.
    LogResult append(std::string_view id, std::optional<std::uint64_t> offset,
                     std::string_view bytes);
    // Up to `max_bytes` log bytes from logical offset `from`. A dropped middle that the range
    // starts in or spans reads as one `\n[drover: log truncated: <N> bytes omitted]\n` line
    // (not counted in max_bytes), after which the chunk continues at the tail. nullopt when the
    // log does not exist or cannot be read.
    std::optional<LogChunk> read(std::string_view id, std::uint64_t from,
                                 std::uint64_t max_bytes) const;
    // read() of the log of a job that exists. Its file is missing when the job was committed but
    // its first line never written (a crash in between, a full disk): it is created now, and
    // while the disk is too full for that, the log reads as that first line alone.
    std::optional<LogChunk> read_job_log(std::string_view id, std::uint64_t from,
                                         std::uint64_t max_bytes);
    std::optional<std::uint64_t> size(std::string_view id) const;
    // Deletes the log's files; Ok if there were none.
    LogResult remove(std::string_view id);
    // Bytes append() has stored since start (retried bytes already stored are not counted).
    std::uint64_t bytes_appended() const;

  private:
    LogResult create_log_file(std::string_view id, std::string_view opening);
    LogResult append_chunk(std::string_view id, std::optional<std::uint64_t> offset,
                           std::string_view bytes);
    // Logs the start and the end of a full disk once each.
    LogResult noted(LogResult result);

    JobLogOptions options_;
    std::unique_ptr<LogStripes> stripes_;
    std::atomic<std::uint64_t> bytes_appended_{0};
    ops::FailureEpisode disk_full_{"job-logs",
                                   "the disk is full: job log uploads are refused until space is "
                                   "freed",
                                   "disk space is back: job log uploads are accepted again"};
};

}  // namespace drover::jobs
