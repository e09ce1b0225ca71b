// Helpers shared by the job log tests: content whose every byte says where it belongs, a parser
// that splits a read into head, omitted count and tail, and looks at the files on disk. The
// parsers return values instead of asserting so threads (where Catch2 must not assert) can use
// them.
#pragma once
#include "server/jobs/job_log_store.hpp"
#include "store_test_util.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <set>
#include <string>

namespace drover::jobs::testing {

using drover::store::testing::TempDir;

constexpr std::uint64_t kAll = std::numeric_limits<std::uint64_t>::max();

inline std::string first_line(const std::string& id) {
    return "Log for Job: " + id + "\n";
}

inline std::string marker(std::uint64_t omitted) {
    return "\n[drover: log truncated: " + std::to_string(omitted) + " bytes omitted]\n";
}

// "000000 000001 ..." cut to n bytes: a byte stored at the wrong offset, twice or not at all
// shows as a broken sequence.
inline std::string numbered(std::size_t n) {
    std::string out;
    char record[16];
    for (std::size_t i = 0; out.size() < n; ++i) {
        std::snprintf(record, sizeof(record), "%06zu ", i);
        out += record;
    }
    out.resize(n);
    return out;
}

// A whole-log read split at its marker; omitted is empty when there is none.
struct View {
    std::string head;
    std::optional<std::uint64_t> omitted;
    std::string tail;
};

// nullopt when the bytes hold a malformed or a second marker.
inline std::optional<View> split_view(const std::string& bytes) {
    static const std::string open = "\n[drover: log truncated: ";
    static const std::string close = " bytes omitted]\n";
    std::size_t at = bytes.find(open);
    if (at == std::string::npos) return View{bytes, std::nullopt, {}};
    std::size_t digits = at + open.size();
    std::size_t end = bytes.find(close, digits);
    if (end == std::string::npos || end == digits) return std::nullopt;
    std::string count = bytes.substr(digits, end - digits);
    if (count.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    View view{bytes.substr(0, at), std::stoull(count), bytes.substr(end + close.size())};
    if (view.tail.find(open) != std::string::npos) return std::nullopt;
    return view;
}

// A whole-log read is `full` cut to the chunk's size, minus at most one middle that the marker
// counts exactly.
inline bool consistent_view(const LogChunk& chunk, const std::string& full) {
    auto view = split_view(chunk.bytes);
    if (!view || chunk.size > full.size() || chunk.next_offset != chunk.size) return false;
    if (!view->omitted) return chunk.bytes == full.substr(0, chunk.size) && !chunk.truncated;
    std::uint64_t tail_start = view->head.size() + *view->omitted;
    return chunk.truncated && view->head == full.substr(0, view->head.size()) &&
           tail_start + view->tail.size() == chunk.size &&
           view->tail == full.substr(tail_start, view->tail.size());
}

// Checks a truncated whole-log read against `full`: exactly `head` bytes of head, a tail of
// min_tail..max_tail bytes, the exact marker between them. Returns the tail's logical start.
inline std::uint64_t check_truncated(const LogChunk& chunk, const std::string& full,
                                     std::uint64_t head, std::uint64_t min_tail,
                                     std::uint64_t max_tail) {
    CHECK(chunk.truncated);
    CHECK(chunk.size == full.size());
    CHECK(chunk.next_offset == full.size());
    auto view = split_view(chunk.bytes);
    REQUIRE(view);
    REQUIRE(view->omitted);
    CHECK(view->head.size() == head);
    CHECK(view->tail.size() >= min_tail);
    CHECK(view->tail.size() <= max_tail);
    std::uint64_t tail_start = full.size() - view->tail.size();
    CHECK(*view->omitted == tail_start - head);
    CHECK(chunk.bytes ==
          full.substr(0, head) + marker(tail_start - head) + full.substr(tail_start));
    return tail_start;
}

inline std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// 0 for a missing file.
inline std::uint64_t size_on_disk(const std::string& path) {
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    return ec ? 0 : size;
}

inline std::set<std::string> files_in(const std::string& dir) {
    std::set<std::string> names;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
        names.insert(entry.path().filename().string());
    return names;
}

// Where the spec puts a log: <dir>/<first two characters>/<id>.log (and .tail).
inline std::string log_path(const std::string& dir, const std::string& id, const std::string& ext) {
    return dir + "/" + id.substr(0, 2) + "/" + id + ext;
}

}  // namespace drover::jobs::testing
