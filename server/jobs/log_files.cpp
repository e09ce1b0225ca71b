#include "server/jobs/log_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace drover::jobs::files {
namespace {

constexpr std::string_view kTailMagic = "DRVTAIL1";
constexpr std::size_t kCopyBlock = 64 * 1024;

IoStatus fail(std::string_view what, std::string_view path, int error = errno) {
    return {error, std::string(what) + " " + std::string(path) + ": " + std::strerror(error)};
}

void put_u64(std::string& out, std::uint64_t value) {
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::uint64_t get_u64(const std::string& in, std::size_t at) {
    std::uint64_t value = 0;
    for (int i = 7; i >= 0; --i)
        value = (value << 8) | static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)]);
    return value;
}

IoStatus file_size(int fd, const std::string& path, std::uint64_t& size) {
    struct stat st = {};
    if (::fstat(fd, &st) != 0) return fail("stat", path);
    size = static_cast<std::uint64_t>(st.st_size);
    return {};
}

IoStatus write_all(int fd, std::uint64_t offset, std::string_view data, std::string_view path) {
    while (!data.empty()) {
        ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail("writing", path);
        data.remove_prefix(static_cast<std::size_t>(n));
        offset += static_cast<std::uint64_t>(n);
    }
    return {};
}

// A tail's header is checked rather than trusted: a file from a newer drover, or a stray file
// under the same name, must not turn into reads of arbitrary offsets.
IoStatus read_tail_header(const OpenLog& log, const LogPaths& paths, std::uint64_t tail_size,
                          Layout& layout) {
    std::string header;
    if (tail_size < kTailHeaderSize) return fail("short tail header in", paths.tail, EIO);
    IoStatus status = read_exact(log.tail.get(), 0, kTailHeaderSize, header, paths.tail);
    if (!status.ok()) return status;
    layout.head_len = get_u64(header, 8);
    layout.tail_start = get_u64(header, 16);
    if (header.compare(0, kTailMagic.size(), kTailMagic) != 0 ||
        layout.tail_start < layout.head_len || layout.head_file_size < layout.head_len) {
        return fail("bad tail header in", paths.tail, EIO);
    }
    layout.size = layout.tail_start + (tail_size - kTailHeaderSize);
    return {};
}

IoStatus open_truncated(const LogPaths& paths, int flags, OpenLog& log) {
    log.head.reset(::open(paths.log.c_str(), flags | O_CLOEXEC));
    if (!log.head.valid()) return fail("opening the head of", paths.log);
    Layout layout{.exists = true, .truncated = true};
    std::uint64_t tail_size = 0;
    IoStatus status = file_size(log.head.get(), paths.log, layout.head_file_size);
    if (status.ok()) status = file_size(log.tail.get(), paths.tail, tail_size);
    if (status.ok()) status = read_tail_header(log, paths, tail_size, layout);
    if (status.ok()) log.layout = layout;
    return status;
}

IoStatus copy_range(int from, std::string_view source_path, std::uint64_t offset,
                    std::uint64_t length, int to, std::uint64_t to_offset, const LogPaths& paths) {
    std::string block;
    while (length > 0) {
        std::uint64_t n = std::min<std::uint64_t>(length, kCopyBlock);
        block.clear();
        IoStatus status = read_exact(from, offset, n, block, source_path);
        if (status.ok()) status = write_all(to, to_offset, block, paths.tmp);
        if (!status.ok()) return status;
        offset += n;
        to_offset += n;
        length -= n;
    }
    return {};
}

IoStatus fill_tmp(int fd, const LogPaths& paths, const TmpContents& contents) {
    std::uint64_t at = contents.prefix.size();
    IoStatus status = write_all(fd, 0, contents.prefix, paths.tmp);
    if (status.ok()) {
        status = copy_range(contents.source_fd, contents.source_path, contents.source_offset,
                            contents.source_length, fd, at, paths);
    }
    at += contents.source_length;
    if (status.ok()) status = write_all(fd, at, contents.chunk, paths.tmp);
    if (status.ok() && ::fsync(fd) != 0) status = fail("syncing", paths.tmp);
    return status;
}

}  // namespace

LogPaths paths_for(const std::string& dir, std::string_view id) {
    std::string shard = dir + "/" + std::string(id.substr(0, 2));
    std::string base = shard + "/" + std::string(id);
    return {shard, base + ".log", base + ".tail", base + ".tmp"};
}

IoStatus open_log(const LogPaths& paths, int flags, OpenLog& log) {
    log = OpenLog{};
    log.tail.reset(::open(paths.tail.c_str(), flags | O_CLOEXEC));
    if (log.tail.valid()) return open_truncated(paths, flags, log);
    if (errno != ENOENT) return fail("opening", paths.tail);
    log.head.reset(::open(paths.log.c_str(), flags | O_CLOEXEC));
    if (!log.head.valid()) return errno == ENOENT ? IoStatus{} : fail("opening", paths.log);
    Layout layout{.exists = true};
    IoStatus status = file_size(log.head.get(), paths.log, layout.head_file_size);
    layout.head_len = layout.tail_start = layout.size = layout.head_file_size;
    if (status.ok()) log.layout = layout;
    return status;
}

IoStatus write_durably(int fd, std::uint64_t offset, std::string_view data, std::string_view path) {
    IoStatus status = write_all(fd, offset, data, path);
    if (status.ok() && ::fdatasync(fd) != 0) status = fail("syncing", path);
    return status;
}

IoStatus read_exact(int fd, std::uint64_t offset, std::uint64_t n, std::string& out,
                    std::string_view path) {
    std::size_t at = out.size();
    out.resize(at + n);
    while (n > 0) {
        ssize_t got = ::pread(fd, out.data() + at, n, static_cast<off_t>(offset));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return fail("reading", path);
        if (got == 0) return fail("unexpected end of", path, EIO);
        at += static_cast<std::size_t>(got);
        offset += static_cast<std::uint64_t>(got);
        n -= static_cast<std::uint64_t>(got);
    }
    return {};
}

std::string tail_header(std::uint64_t head_len, std::uint64_t tail_start) {
    std::string header(kTailMagic);
    put_u64(header, head_len);
    put_u64(header, tail_start);
    return header;
}

IoStatus write_tmp(const LogPaths& paths, const TmpContents& contents) {
    Fd fd(::open(paths.tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.valid()) return fail("creating", paths.tmp);
    IoStatus status = fill_tmp(fd.get(), paths, contents);
    if (!status.ok()) (void)::unlink(paths.tmp.c_str());
    return status;
}

IoStatus rename_tmp(const LogPaths& paths, const std::string& target) {
    if (::rename(paths.tmp.c_str(), target.c_str()) == 0) return {};
    IoStatus status = fail("renaming into", target);
    (void)::unlink(paths.tmp.c_str());
    return status;
}

IoStatus sync_dir(const std::string& dir) {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) return fail("opening", dir);
    if (::fsync(fd.get()) != 0) return fail("syncing", dir);
    return {};
}

IoStatus remove_file(const std::string& path) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return fail("removing", path);
    return {};
}

}  // namespace drover::jobs::files
