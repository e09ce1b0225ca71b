#include "server/ops/tar_archive.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>

namespace drover::ops {
namespace {

constexpr std::size_t kBlock = 512;
using Block = std::array<char, kBlock>;

struct Field {
    std::size_t offset;
    std::size_t length;
};
constexpr Field kName{0, 100}, kMode{100, 8}, kUid{108, 8}, kGid{116, 8}, kSize{124, 12},
    kMtime{136, 12}, kChecksum{148, 8}, kType{156, 1}, kMagic{257, 6}, kVersion{263, 2},
    kPrefix{345, 155};

// Octal, NUL-terminated, right-aligned with zeros; sizes past 8 GiB use GNU's base-256 form.
void put_number(Block& block, Field field, std::uint64_t value) {
    std::uint64_t octal_limit = std::uint64_t{1} << (3 * (field.length - 1));
    char* out = block.data() + field.offset;
    if (value < octal_limit) {
        for (std::size_t i = field.length - 1; i-- > 0; value >>= 3)
            out[i] = char('0' + (value & 7));
        out[field.length - 1] = '\0';
        return;
    }
    out[0] = char(0x80);
    for (std::size_t i = field.length; i-- > 1; value >>= 8)
        out[i] = char(value & 0xff);
}

bool get_number(const Block& block, Field field, std::uint64_t& value) {
    const auto* in = reinterpret_cast<const unsigned char*>(block.data() + field.offset);
    value = 0;
    if (in[0] == 0x80) {
        for (std::size_t i = 1; i < field.length; ++i) {
            if (value >> 56) return false;
            value = (value << 8) | in[i];
        }
        return true;
    }
    std::size_t i = 0;
    while (i < field.length && in[i] == ' ')
        ++i;
    bool any = false;
    for (; i < field.length && in[i] >= '0' && in[i] <= '7'; ++i, any = true) {
        if (value >> 60) return false;
        value = (value << 3) | (in[i] - '0');
    }
    return any && (i == field.length || in[i] == '\0' || in[i] == ' ');
}

std::uint64_t checksum_of(const Block& block) {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < kBlock; ++i) {
        bool in_field = i >= kChecksum.offset && i < kChecksum.offset + kChecksum.length;
        sum += in_field ? ' ' : static_cast<unsigned char>(block[i]);
    }
    return sum;
}

std::string field_text(const Block& block, Field field) {
    const char* start = block.data() + field.offset;
    return std::string(start, strnlen(start, field.length));
}

TarError os_error(std::string_view what) {
    return std::string(what) + ": " + std::strerror(errno);
}

// Reads exactly `size` bytes, or reports how the archive ended early.
TarError read_full(int fd, char* data, std::size_t size) {
    while (size > 0) {
        ssize_t n = ::read(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return os_error("reading the archive");
        if (n == 0) return "the archive is truncated";
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return {};
}

}  // namespace

bool safe_relative_name(std::string_view name) {
    if (name.empty() || name.front() == '/') return false;
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = name.find('/', start);
        if (end == std::string_view::npos) end = name.size();
        std::string_view part = name.substr(start, end - start);
        if (part.empty() || part == "." || part == "..") return false;
        start = end + 1;
    }
    return name.find('\0') == std::string_view::npos;
}

TarError TarWriter::write_bytes(const char* data, std::size_t size) {
    while (size > 0) {
        ssize_t n = ::write(fd_, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return os_error("writing the archive");
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return {};
}

TarError TarWriter::write_header(std::string_view name, unsigned mode, std::uint64_t size,
                                 char type) {
    if (!safe_relative_name(name)) return "unsafe name in archive: " + std::string(name);
    Block block{};
    std::string_view prefix;
    if (name.size() > kName.length) {
        std::size_t cut = name.rfind('/', kPrefix.length);
        if (cut == std::string_view::npos || name.size() - cut - 1 > kName.length)
            return "name too long for the archive: " + std::string(name);
        prefix = name.substr(0, cut);
        name = name.substr(cut + 1);
    }
    // std::copy, not memcpy: an empty prefix's data() is null, which memcpy may not be given.
    std::copy(name.begin(), name.end(), block.data() + kName.offset);
    std::copy(prefix.begin(), prefix.end(), block.data() + kPrefix.offset);
    put_number(block, kMode, mode & 07777);
    put_number(block, kUid, 0);
    put_number(block, kGid, 0);
    put_number(block, kSize, size);
    put_number(block, kMtime, static_cast<std::uint64_t>(std::time(nullptr)));
    block[kType.offset] = type;
    std::memcpy(block.data() + kMagic.offset, "ustar", 6);
    std::memcpy(block.data() + kVersion.offset, "00", 2);
    put_number(block, Field{kChecksum.offset, 7}, checksum_of(block));
    block[kChecksum.offset + 7] = ' ';
    return write_bytes(block.data(), block.size());
}

TarError TarWriter::add_file(std::string_view name, unsigned mode, int source_fd,
                             std::uint64_t size) {
    if (TarError e = write_header(name, mode, size, '0'); !e.empty()) return e;
    std::array<char, 1 << 16> buffer;
    for (std::uint64_t left = size; left > 0;) {
        ssize_t n = ::read(source_fd, buffer.data(), std::min<std::uint64_t>(left, buffer.size()));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return os_error("reading " + std::string(name));
        if (n == 0) return std::string(name) + " shrank while it was being archived";
        if (TarError e = write_bytes(buffer.data(), static_cast<std::size_t>(n)); !e.empty())
            return e;
        left -= static_cast<std::uint64_t>(n);
    }
    Block zeros{};
    std::size_t pad = (kBlock - size % kBlock) % kBlock;
    return write_bytes(zeros.data(), pad);
}

TarError TarWriter::add_directory(std::string_view name, unsigned mode) {
    return write_header(name, mode, 0, '5');
}

TarError TarWriter::finish() {
    std::array<char, 2 * kBlock> zeros{};
    return write_bytes(zeros.data(), zeros.size());
}

TarError read_tar(int fd, const TarVisitor& visit) {
    for (;;) {
        Block block;
        if (TarError e = read_full(fd, block.data(), kBlock); !e.empty()) return e;
        if (std::all_of(block.begin(), block.end(), [](char c) { return c == 0; })) return {};
        std::uint64_t stored = 0;
        if (!get_number(block, kChecksum, stored) || stored != checksum_of(block))
            return "the archive is damaged (bad header checksum)";
        TarEntry entry;
        std::string prefix = field_text(block, kPrefix);
        entry.name = (prefix.empty() ? "" : prefix + "/") + field_text(block, kName);
        while (!entry.name.empty() && entry.name.back() == '/')
            entry.name.pop_back();
        std::uint64_t mode = 0;
        if (!get_number(block, kMode, mode) || !get_number(block, kSize, entry.size))
            return "the archive is damaged (bad header numbers)";
        entry.mode = static_cast<unsigned>(mode & 0777);
        char type = block[kType.offset];
        entry.directory = type == '5';
        if (!entry.directory && type != '0' && type != '\0')
            return "unsupported entry type in archive: " + entry.name;
        if (!safe_relative_name(entry.name)) return "unsafe name in archive: " + entry.name;
        if (entry.directory) entry.size = 0;
        std::uint64_t left = entry.size;
        TarError read_error;
        TarReadData read_data = [&](char* buffer, std::size_t max) -> std::size_t {
            std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(max, left));
            if (n == 0 || !read_error.empty()) return 0;
            read_error = read_full(fd, buffer, n);
            if (!read_error.empty()) return 0;
            left -= n;
            return n;
        };
        if (TarError e = visit(entry, read_data); !e.empty()) return e;
        if (!read_error.empty()) return read_error;
        if (left != 0) return "entry not fully read: " + entry.name;
        Block pad;
        if (std::size_t rest = (kBlock - entry.size % kBlock) % kBlock; rest > 0)
            if (TarError e = read_full(fd, pad.data(), rest); !e.empty()) return e;
    }
}

}  // namespace drover::ops
