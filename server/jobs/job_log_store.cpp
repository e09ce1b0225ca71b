#include "server/jobs/job_log_store.hpp"

#include "server/jobs/log_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <filesystem>
#include <functional>
#include <mutex>
#include <shared_mutex>

namespace drover::jobs {
namespace {

constexpr std::size_t kStripes = 64;
constexpr std::size_t kMaxIdLength = 64;
// Below this a truncated log could keep no head or no tail at all.
constexpr std::uint64_t kMinMaxBytes = 2;

}  // namespace

// One stripe's locks, shared by the logs whose ids hash to it. `append` serialises their appends,
// creates and removes; `layout` is held shared by readers and exclusively while files are renamed,
// cut back or removed, so nothing changes under a reader but bytes growing at the end.
// `pending_*` name the log whose append is in flight and its acknowledged size: readers clamp to
// it, as the bytes past it may yet be cut back.
struct LogStripe {
    std::mutex append;
    std::shared_mutex layout;
    std::mutex pending_mu;
    std::string pending_id;
    std::uint64_t pending_size = 0;
};

struct LogStripes {
    std::array<LogStripe, kStripes> stripes;
    // Held while a shard dir is created and synced, so no log is acknowledged in a shard whose
    // own name might not survive a power cut yet.
    std::mutex dirs;
};

namespace {

using files::IoStatus;

// What a log keeps once it outgrows max: its first `head` bytes and its newest `tail` bytes.
struct Limits {
    std::uint64_t max = 0;
    std::uint64_t head = 0;
    std::uint64_t tail = 0;
};

Limits limits_for(std::uint64_t max) {
    return {max, max / 2, max - max / 2};
}

LogStripe& stripe_for(LogStripes& stripes, std::string_view id) {
    return stripes.stripes[std::hash<std::string_view>{}(id) % kStripes];
}

// Marks an append in flight until its bytes are durable or cut back again.
class PendingAppend {
  public:
    PendingAppend(LogStripe& stripe, std::string_view id, std::uint64_t size) : stripe_(stripe) {
        std::lock_guard lock(stripe_.pending_mu);
        stripe_.pending_id = id;
        stripe_.pending_size = size;
    }
    ~PendingAppend() { clear(); }
    PendingAppend(const PendingAppend&) = delete;
    PendingAppend& operator=(const PendingAppend&) = delete;

    void clear() {
        std::lock_guard lock(stripe_.pending_mu);
        stripe_.pending_id.clear();
    }

  private:
    LogStripe& stripe_;
};

// Called under the shared layout lock after the files were looked at. An append in flight then
// may have written past its base. One that ended since succeeded or cut its bytes back before we
// looked (cutting needs the exclusive lock), and one that started later cannot show at all.
void clamp_to_acknowledged(LogStripe& stripe, std::string_view id, files::Layout& layout) {
    std::lock_guard lock(stripe.pending_mu);
    if (stripe.pending_id != id) return;
    layout.size = std::min(layout.size, stripe.pending_size);
    if (!layout.truncated) layout.head_len = layout.tail_start = layout.size;
}

LogResult failure(const IoStatus& status, std::uint64_t size) {
    bool full = status.error == ENOSPC || status.error == EDQUOT;
    return {full ? LogOutcome::NoSpace : LogOutcome::Io, size, status.message};
}

LogResult bad_id() {
    return {LogOutcome::BadId, 0, "a job id is 1 to 64 characters of 0-9, a-z, A-Z and '-'"};
}

std::string truncation_marker(std::uint64_t omitted) {
    return "\n[drover: log truncated: " + std::to_string(omitted) + " bytes omitted]\n";
}

std::string parent_of(const std::string& dir) {
    std::error_code ec;
    std::filesystem::path path = std::filesystem::absolute(dir, ec);
    if (!path.has_filename()) path = path.parent_path();  // "a/b/" names "a/b"
    return path.parent_path().string();
}

// A new directory's name lives in its parent, which must be synced before a log in it counts.
IoStatus ensure_shard(LogStripes& stripes, const std::string& dir, const files::LogPaths& paths) {
    std::lock_guard lock(stripes.dirs);
    std::error_code ec;
    if (std::filesystem::is_directory(paths.shard, ec)) return {};
    bool had_dir = std::filesystem::is_directory(dir, ec);
    std::filesystem::create_directories(paths.shard, ec);
    if (ec) return {ec.value(), "creating " + paths.shard + ": " + ec.message()};
    IoStatus status = files::sync_dir(dir);
    if (status.ok() && !had_dir) status = files::sync_dir(parent_of(dir));
    return status;
}

std::string first_line(std::string_view id) {
    return "Log for Job: " + std::string(id) + "\n";
}

// The first line is built in a temp file and renamed into place: a .log never exists without it.
IoStatus create_log(LogStripes& stripes, LogStripe& stripe, const std::string& dir,
                    const files::LogPaths& paths, std::string_view id,
                    std::string_view opening = {}) {
    IoStatus status = ensure_shard(stripes, dir, paths);
    const std::string line = first_line(id);
    files::TmpContents contents;
    contents.prefix = line;
    contents.chunk = opening;
    if (status.ok()) status = files::write_tmp(paths, contents);
    if (!status.ok()) return status;
    std::unique_lock lock(stripe.layout);
    status = files::rename_tmp(paths, paths.log);
    if (status.ok()) status = files::sync_dir(paths.shard);
    return status;
}

IoStatus open_or_create(LogStripes& stripes, LogStripe& stripe, const std::string& dir,
                        const files::LogPaths& paths, std::string_view id, files::OpenLog& log) {
    IoStatus status = files::open_log(paths, O_RDWR, log);
    if (!status.ok() || log.layout.exists) return status;
    status = create_log(stripes, stripe, dir, paths, id);
    if (status.ok()) status = files::open_log(paths, O_RDWR, log);
    return status;
}

IoStatus write_tail_tmp(const files::LogPaths& paths, const files::OpenLog& log,
                        std::string_view chunk, std::uint64_t head_len, std::uint64_t tail_start) {
    const files::Layout& layout = log.layout;
    std::uint64_t from = std::min(tail_start, layout.size);  // kept bytes the files hold
    std::string header = files::tail_header(head_len, tail_start);
    bool in_tail = layout.truncated;
    return files::write_tmp(
        paths,
        {.prefix = header,
         .source_fd = in_tail ? log.tail.get() : log.head.get(),
         .source_path = in_tail ? paths.tail : paths.log,
         .source_offset = in_tail ? files::kTailHeaderSize + (from - layout.tail_start) : from,
         .source_length = layout.size - from,
         .chunk = chunk.substr(tail_start - from)});
}

// Writes the chunk at `at` and syncs it. A failure cuts the file back under the exclusive layout
// lock: a reader that saw the doomed bytes holds the shared lock until it has also seen this
// append pending, and clamps them away.
IoStatus append_at(LogStripe& stripe, int fd, std::uint64_t at, std::string_view chunk,
                   const std::string& path) {
    IoStatus status = files::write_durably(fd, at, chunk, path);
    if (!status.ok()) {
        std::unique_lock lock(stripe.layout);
        // Should the cut fail too, the extra bytes are still what the uploader sent for those
        // offsets; the error reported here is the one that matters.
        (void)::ftruncate(fd, static_cast<off_t>(at));
    }
    return status;
}

// Under the exclusive layout lock readers see the old log or the new one, never a mix.
IoStatus install_tail(LogStripe& stripe, const files::LogPaths& paths, const files::OpenLog& log,
                      std::uint64_t head_len, PendingAppend& pending) {
    std::unique_lock lock(stripe.layout);
    IoStatus status = files::rename_tmp(paths, paths.tail);
    if (!status.ok()) {
        // Still the old log: a share of the chunk written to its head must go again.
        (void)::ftruncate(log.head.get(), static_cast<off_t>(log.layout.head_file_size));
        return status;
    }
    pending.clear();  // the new tail is the log now, even if the sync below fails
    status = files::sync_dir(paths.shard);
    // Cut only once the rename is durable, or a crash could bring back the old log with its head
    // cut. A failed cut costs disk until the next compaction retries it, nothing else.
    if (status.ok() && log.layout.head_file_size > head_len) {
        (void)::ftruncate(log.head.get(), static_cast<off_t>(head_len));
    }
    return status;
}

// Replaces the tail with one starting at logical `tail_start`: what the files hold of
// [tail_start, size), then the chunk. The old files stay intact until the rename, so a crash or a
// full disk before it leaves the old log, and after it the new one.
IoStatus rewrite_tail(LogStripe& stripe, const files::LogPaths& paths, const files::OpenLog& log,
                      std::string_view chunk, std::uint64_t head_len, std::uint64_t tail_start,
                      PendingAppend& pending) {
    std::uint64_t size = log.layout.size;
    IoStatus status = write_tail_tmp(paths, log, chunk, head_len, tail_start);
    // A log that outgrows max in one chunk takes the rest of its head from that chunk.
    if (status.ok() && size < head_len) {
        status =
            append_at(stripe, log.head.get(), size, chunk.substr(0, head_len - size), paths.log);
        if (!status.ok()) (void)files::remove_file(paths.tmp);
    }
    if (!status.ok()) return status;
    return install_tail(stripe, paths, log, head_len, pending);
}

// Appends in place while the log (or its tail) stays within max; past it the tail is rewritten
// to the newest limits.tail bytes, so disk use stays within head + max + a header.
IoStatus write_chunk(LogStripe& stripe, const files::LogPaths& paths, const files::OpenLog& log,
                     std::string_view chunk, const Limits& limits, PendingAppend& pending) {
    const files::Layout& layout = log.layout;
    std::uint64_t end = layout.size + chunk.size();
    if (!layout.truncated && end <= limits.max) {
        return append_at(stripe, log.head.get(), layout.size, chunk, paths.log);
    }
    if (layout.truncated && end - layout.tail_start <= limits.max) {
        std::uint64_t at = files::kTailHeaderSize + (layout.size - layout.tail_start);
        return append_at(stripe, log.tail.get(), at, chunk, paths.tail);
    }
    // A head written under another max_bytes stays as it is.
    std::uint64_t head_len = layout.truncated ? layout.head_len : limits.head;
    return rewrite_tail(stripe, paths, log, chunk, head_len, end - limits.tail, pending);
}

// Up to `max` log bytes from `from`: head bytes, the marker once for the dropped middle, then
// tail bytes. The marker is not counted in `max`, so a read starting at the gap always progresses.
std::optional<LogChunk> read_range(const files::OpenLog& log, const files::LogPaths& paths,
                                   std::uint64_t from, std::uint64_t max) {
    const files::Layout& layout = log.layout;
    LogChunk chunk;
    chunk.size = layout.size;
    chunk.truncated = layout.truncated;
    std::uint64_t pos = std::min(from, layout.size);
    if (pos < layout.head_len) {
        std::uint64_t n = std::min(layout.head_len - pos, max);
        if (!files::read_exact(log.head.get(), pos, n, chunk.bytes, paths.log).ok()) {
            return std::nullopt;
        }
        pos += n;
        max -= n;
    }
    if (pos < layout.tail_start && max > 0) {
        chunk.bytes += truncation_marker(layout.tail_start - layout.head_len);
        pos = layout.tail_start;
    }
    if (pos < layout.size && max > 0) {
        std::uint64_t n = std::min(layout.size - pos, max);
        std::uint64_t at = files::kTailHeaderSize + (pos - layout.tail_start);
        if (!files::read_exact(log.tail.get(), at, n, chunk.bytes, paths.tail).ok()) {
            return std::nullopt;
        }
        pos += n;
    }
    chunk.next_offset = pos;
    return chunk;
}

}  // namespace

JobLogStore::JobLogStore(JobLogOptions options)
    : options_(std::move(options)), stripes_(std::make_unique<LogStripes>()) {
    options_.max_bytes = std::max(options_.max_bytes, kMinMaxBytes);
}

JobLogStore::~JobLogStore() = default;

bool JobLogStore::valid_id(std::string_view id) {
    auto safe = [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '-';
    };
    return !id.empty() && id.size() <= kMaxIdLength && std::all_of(id.begin(), id.end(), safe);
}

LogResult JobLogStore::noted(LogResult result) {
    if (result.outcome == LogOutcome::NoSpace) disk_full_.failed(result.message);
    if (result.outcome == LogOutcome::Ok) disk_full_.succeeded();
    return result;
}

LogResult JobLogStore::create(std::string_view id, std::string_view opening) {
    return noted(create_log_file(id, opening));
}

LogResult JobLogStore::append(std::string_view id, std::optional<std::uint64_t> offset,
                              std::string_view bytes) {
    return noted(append_chunk(id, offset, bytes));
}

LogResult JobLogStore::create_log_file(std::string_view id, std::string_view opening) {
    if (!valid_id(id)) return bad_id();
    std::uint64_t line_size = first_line(id).size();
    if (line_size + opening.size() > options_.max_bytes) {
        LogResult created = create_log_file(id, {});
        return created.outcome == LogOutcome::Ok ? append_chunk(id, std::nullopt, opening)
                                                 : created;
    }
    LogStripe& stripe = stripe_for(*stripes_, id);
    std::lock_guard lock(stripe.append);
    files::LogPaths paths = files::paths_for(options_.dir, id);
    files::OpenLog log;
    // One file written and synced for a new job's log, not a create and then an append: this is
    // on every POST /jobs that makes a job.
    IoStatus status = files::open_log(paths, O_RDONLY, log);
    if (status.ok() && !log.layout.exists) {
        status = create_log(*stripes_, stripe, options_.dir, paths, id, opening);
        if (status.ok()) {
            bytes_appended_.fetch_add(opening.size(), std::memory_order_relaxed);
            return {LogOutcome::Ok, line_size + opening.size(), {}};
        }
    }
    if (!status.ok()) return failure(status, 0);
    return {LogOutcome::Ok, log.layout.size, {}};
}

LogResult JobLogStore::append_chunk(std::string_view id, std::optional<std::uint64_t> offset,
                                    std::string_view bytes) {
    if (!valid_id(id)) return bad_id();
    LogStripe& stripe = stripe_for(*stripes_, id);
    std::lock_guard lock(stripe.append);
    files::LogPaths paths = files::paths_for(options_.dir, id);
    files::OpenLog log;
    IoStatus status = open_or_create(*stripes_, stripe, options_.dir, paths, id, log);
    if (!status.ok()) return failure(status, 0);
    std::uint64_t size = log.layout.size;
    std::uint64_t start = offset.value_or(size);
    if (start > size) {
        return {
            LogOutcome::Gap, size,
            "offset " + std::to_string(start) + " is past the log's size " + std::to_string(size)};
    }
    std::uint64_t stored = size - start;  // leading bytes of the chunk the log already has
    if (stored >= bytes.size()) {
        return {bytes.empty() ? LogOutcome::Ok : LogOutcome::Duplicate, size, {}};
    }
    bytes.remove_prefix(stored);
    PendingAppend pending(stripe, id, size);
    status = write_chunk(stripe, paths, log, bytes, limits_for(options_.max_bytes), pending);
    if (!status.ok()) return failure(status, size);
    bytes_appended_.fetch_add(bytes.size(), std::memory_order_relaxed);
    return {LogOutcome::Ok, size + bytes.size(), {}};
}

std::uint64_t JobLogStore::bytes_appended() const {
    return bytes_appended_.load(std::memory_order_relaxed);
}

std::optional<LogChunk> JobLogStore::read(std::string_view id, std::uint64_t from,
                                          std::uint64_t max_bytes) const {
    if (!valid_id(id)) return std::nullopt;
    LogStripe& stripe = stripe_for(*stripes_, id);
    files::LogPaths paths = files::paths_for(options_.dir, id);
    std::shared_lock lock(stripe.layout);
    files::OpenLog log;
    if (!files::open_log(paths, O_RDONLY, log).ok() || !log.layout.exists) return std::nullopt;
    clamp_to_acknowledged(stripe, id, log.layout);
    return read_range(log, paths, from, max_bytes);
}

std::optional<LogChunk> JobLogStore::read_job_log(std::string_view id, std::uint64_t from,
                                                  std::uint64_t max_bytes) {
    if (size(id)) return read(id, from, max_bytes);
    LogResult created = create(id);
    if (created.ok()) return read(id, from, max_bytes);
    if (created.outcome != LogOutcome::NoSpace) return std::nullopt;
    const std::string line = first_line(id);
    LogChunk chunk;
    chunk.size = line.size();
    chunk.next_offset = std::min<std::uint64_t>(from, line.size());
    chunk.bytes = line.substr(chunk.next_offset, max_bytes);
    chunk.next_offset += chunk.bytes.size();
    return chunk;
}

std::optional<std::uint64_t> JobLogStore::size(std::string_view id) const {
    if (!valid_id(id)) return std::nullopt;
    LogStripe& stripe = stripe_for(*stripes_, id);
    files::LogPaths paths = files::paths_for(options_.dir, id);
    std::shared_lock lock(stripe.layout);
    files::OpenLog log;
    if (!files::open_log(paths, O_RDONLY, log).ok() || !log.layout.exists) return std::nullopt;
    clamp_to_acknowledged(stripe, id, log.layout);
    return log.layout.size;
}

LogResult JobLogStore::remove(std::string_view id) {
    if (!valid_id(id)) return bad_id();
    LogStripe& stripe = stripe_for(*stripes_, id);
    std::lock_guard append_lock(stripe.append);
    std::unique_lock layout_lock(stripe.layout);
    files::LogPaths paths = files::paths_for(options_.dir, id);
    // The tail goes first: a crash in between leaves a shorter but whole log, never a tail
    // without its head. The shard dir is not synced: a removed log that comes back after a
    // power cut is only clutter.
    for (const std::string* path : {&paths.tail, &paths.log, &paths.tmp}) {
        IoStatus status = files::remove_file(*path);
        if (!status.ok()) return failure(status, 0);
    }
    return {LogOutcome::Ok, 0, {}};
}

}  // namespace drover::jobs
