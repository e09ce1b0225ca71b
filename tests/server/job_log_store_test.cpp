// JobLogStore on real files in temp dirs: the first line, offset-addressed appends (exact,
// duplicate, overlap, gap), restarts, head/tail truncation with its marker, bounded disk use,
// leftovers of a crash, id checks and removal. Concurrency and failures: job_log_durability_test.
#include "job_log_test_util.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

using namespace drover::jobs;
using namespace drover::jobs::testing;

namespace {

const std::string kId = "0f8e2b7a-3c1d-4e5f-9a6b-7c8d9e0f1a2b";

std::string read_all(const JobLogStore& store, const std::string& id) {
    auto chunk = store.read(id, 0, kAll);
    REQUIRE(chunk);
    return chunk->bytes;
}

// Appends `content` in `piece`-sized chunks without offsets, checking each returned size.
void append_pieces(JobLogStore& store, const std::string& id, std::string& full,
                   const std::string& content, std::size_t piece) {
    for (std::size_t at = 0; at < content.size(); at += piece) {
        std::string chunk = content.substr(at, piece);
        LogResult result = store.append(id, std::nullopt, chunk);
        INFO(result.message);
        REQUIRE(result.outcome == LogOutcome::Ok);
        full += chunk;
        REQUIRE(result.size == full.size());
    }
}

}  // namespace

TEST_CASE("job log: create writes the first line once, in the id's shard", "[joblog]") {
    TempDir tmp;
    JobLogStore store({tmp.path + "/logs", 1 << 20});
    CHECK_FALSE(store.size(kId));
    CHECK_FALSE(store.read(kId, 0, kAll));

    LogResult created = store.create(kId);
    REQUIRE(created.outcome == LogOutcome::Ok);
    const std::string line = "Log for Job: 0f8e2b7a-3c1d-4e5f-9a6b-7c8d9e0f1a2b\n";
    CHECK(created.size == line.size());
    CHECK(file_bytes(tmp.path + "/logs/0f/" + kId + ".log") == line);
    auto chunk = store.read(kId, 0, kAll);
    REQUIRE(chunk);
    CHECK(chunk->bytes == line);
    CHECK(chunk->next_offset == line.size());
    CHECK(chunk->size == line.size());
    CHECK_FALSE(chunk->truncated);

    REQUIRE(store.append(kId, std::nullopt, "more").ok());
    LogResult again = store.create(kId);
    CHECK(again.outcome == LogOutcome::Ok);
    CHECK(again.size == line.size() + 4);
    CHECK(read_all(store, kId) == line + "more");
}

TEST_CASE("job log: create writes an opening note with the first line, once", "[joblog]") {
    TempDir tmp;
    JobLogStore store({tmp.path + "/logs", 1 << 20});
    const std::string line = "Log for Job: " + kId + "\n";
    LogResult created = store.create(kId, "decided: task 1 of 3\n");
    REQUIRE(created.outcome == LogOutcome::Ok);
    CHECK(created.size == line.size() + 21);
    CHECK(file_bytes(tmp.path + "/logs/0f/" + kId + ".log") == line + "decided: task 1 of 3\n");
    CHECK(store.bytes_appended() == 21);

    // An existing log is left alone: the opening is for a log made now.
    LogResult again = store.create(kId, "another note\n");
    CHECK(again.size == created.size);
    CHECK(read_all(store, kId) == line + "decided: task 1 of 3\n");
}

TEST_CASE("job log: an opening past max_bytes is cut like any append", "[joblog][truncate]") {
    TempDir tmp;
    JobLogStore store({tmp.path + "/logs", 100});
    const std::string note(200, 'n');
    LogResult created = store.create(kId, note);
    REQUIRE(created.outcome == LogOutcome::Ok);
    const std::string line = "Log for Job: " + kId + "\n";
    CHECK(created.size == line.size() + note.size());
    auto chunk = store.read(kId, 0, kAll);
    REQUIRE(chunk);
    CHECK(chunk->truncated);
    CHECK(chunk->bytes.rfind(line, 0) == 0);
}

TEST_CASE("job log: appends without an offset go at the end", "[joblog]") {
    TempDir tmp;
    JobLogStore store({tmp.path + "/logs", 1 << 20});
    const std::uint64_t start = store.create(kId).size;
    LogResult one = store.append(kId, std::nullopt, "one\n");
    CHECK(one.outcome == LogOutcome::Ok);
    CHECK(one.size == start + 4);
    LogResult two = store.append(kId, std::nullopt, "two\n");
    CHECK(two.size == start + 8);
    LogResult none = store.append(kId, std::nullopt, "");
    CHECK(none.outcome == LogOutcome::Ok);
    CHECK(none.size == start + 8);
    CHECK(read_all(store, kId) == first_line(kId) + "one\ntwo\n");
    CHECK(store.size(kId) == start + 8);
}

TEST_CASE("job log: offsets append exactly, drop duplicates and overlaps, refuse gaps",
          "[joblog]") {
    TempDir tmp;
    JobLogStore store({tmp.path + "/logs", 1 << 20});
    const std::uint64_t start = store.create(kId).size;
    const std::string path = log_path(tmp.path + "/logs", kId, ".log");

    LogResult exact = store.append(kId, start, "hello");
    CHECK(exact.outcome == LogOutcome::Ok);
    CHECK(exact.size == start + 5);

    CHECK(store.append(kId, start, "hello").outcome == LogOutcome::Duplicate);
    CHECK(store.append(kId, start + 1, "ell").outcome == LogOutcome::Duplicate);
    LogResult line = store.append(kId, 0, first_line(kId));
    CHECK(line.outcome == LogOutcome::Duplicate);
    CHECK(line.size == start + 5);
    CHECK(read_all(store, kId) == first_line(kId) + "hello");

    // The overlapping bytes differ on purpose: only the part past the stored size is written.
    LogResult overlap = store.append(kId, start + 3, "XXworld");
    CHECK(overlap.outcome == LogOutcome::Ok);
    CHECK(overlap.size == start + 10);
    CHECK(read_all(store, kId) == first_line(kId) + "helloworld");

    LogResult gap = store.append(kId, start + 11, "late");
    CHECK(gap.outcome == LogOutcome::Gap);
    CHECK(gap.size == start + 10);
    CHECK_FALSE(gap.message.empty());
    CHECK_FALSE(gap.ok());
    CHECK(size_on_disk(path) == start + 10);
    CHECK(read_all(store, kId) == first_line(kId) + "helloworld");

    LogResult at_end = store.append(kId, start + 10, "!");
    CHECK(at_end.outcome == LogOutcome::Ok);
    CHECK(read_all(store, kId) == first_line(kId) + "helloworld!");
}

TEST_CASE("job log: append creates the log with its first line", "[joblog]") {
    TempDir tmp;
    JobLogStore store({tmp.path + "/logs", 1 << 20});
    LogResult plain = store.append(kId, std::nullopt, "x");
    CHECK(plain.outcome == LogOutcome::Ok);
    CHECK(plain.size == first_line(kId).size() + 1);
    CHECK(read_all(store, kId) == first_line(kId) + "x");

    // A gap still creates the log, so the caller learns the size to resume from.
    LogResult gap = store.append("ab12", 1000, "y");
    CHECK(gap.outcome == LogOutcome::Gap);
    CHECK(gap.size == first_line("ab12").size());
    CHECK(read_all(store, "ab12") == first_line("ab12"));

    // An uploader that starts at offset 0 with the first line itself duplicates only that.
    LogResult from_zero = store.append("cd34", 0, first_line("cd34") + "abc");
    CHECK(from_zero.outcome == LogOutcome::Ok);
    CHECK(read_all(store, "cd34") == first_line("cd34") + "abc");
}

TEST_CASE("job log: sizes and contents survive a restart", "[joblog]") {
    TempDir tmp;
    const JobLogOptions options{tmp.path + "/logs", 1 << 20};
    {
        JobLogStore store(options);
        REQUIRE(store.append(kId, std::nullopt, "before\n").ok());
        REQUIRE(store.append("ab12", std::nullopt, "other\n").ok());
    }
    JobLogStore store(options);
    const std::uint64_t size = first_line(kId).size() + 7;
    CHECK(store.size(kId) == size);
    CHECK(read_all(store, kId) == first_line(kId) + "before\n");
    CHECK(read_all(store, "ab12") == first_line("ab12") + "other\n");
    CHECK(store.append(kId, size - 7, "before\n").outcome == LogOutcome::Duplicate);
    CHECK(store.append(kId, size, "after\n").size == size + 6);
    CHECK(read_all(store, kId) == first_line(kId) + "before\nafter\n");
}

TEST_CASE("job log: past max_bytes the head and tail stay and the middle reads as one marker",
          "[joblog][truncate]") {
    TempDir tmp;
    const std::string dir = tmp.path + "/logs";
    JobLogStore store({dir, 100});
    const std::string id = "ab12";
    std::string full = first_line(id);  // 18 bytes: the 50-byte head holds 32 more
    append_pieces(store, id, full, numbered(300), 10);
    REQUIRE(full.size() == 318);

    auto whole = store.read(id, 0, kAll);
    REQUIRE(whole);
    const std::uint64_t ts = check_truncated(*whole, full, 50, 50, 100);
    const std::string mark = marker(ts - 50);
    CHECK(files_in(dir + "/ab") == std::set<std::string>{"ab12.log", "ab12.tail"});

    auto read = [&](std::uint64_t from, std::uint64_t max) {
        auto chunk = store.read(id, from, max);
        REQUIRE(chunk);
        CHECK(chunk->size == 318);
        CHECK(chunk->truncated);
        return *chunk;
    };
    LogChunk before = read(40, kAll);
    CHECK(before.bytes == full.substr(40, 10) + mark + full.substr(ts));
    CHECK(before.next_offset == 318);
    CHECK(read(50, kAll).bytes == mark + full.substr(ts));
    CHECK(read(ts - 1, kAll).bytes == mark + full.substr(ts));
    CHECK(read(ts, kAll).bytes == full.substr(ts));
    LogChunk after = read(ts + 5, 3);
    CHECK(after.bytes == full.substr(ts + 5, 3));
    CHECK(after.next_offset == ts + 8);

    LogChunk head_end = read(45, 5);
    CHECK(head_end.bytes == full.substr(45, 5));
    CHECK(head_end.next_offset == 50);
    LogChunk gap_start = read(50, 4);
    CHECK(gap_start.bytes == mark + full.substr(ts, 4));
    CHECK(gap_start.next_offset == ts + 4);
    LogChunk at_end = read(318, 10);
    CHECK(at_end.bytes.empty());
    CHECK(at_end.next_offset == 318);
    CHECK(read(1000, 10).next_offset == 318);

    std::string paged;
    for (std::uint64_t from = 0; from < 318;) {
        LogChunk page = read(from, 7);
        REQUIRE(page.next_offset > from);
        paged += page.bytes;
        from = page.next_offset;
    }
    CHECK(paged == whole->bytes);
}

TEST_CASE("job log: a truncated log keeps counting and honouring offsets", "[joblog][truncate]") {
    TempDir tmp;
    JobLogStore store({tmp.path + "/logs", 100});
    const std::string id = "ab12";
    std::string full = first_line(id);
    const std::string content = numbered(400);
    append_pieces(store, id, full, content.substr(0, 300), 10);

    // Offset 60 lies in the dropped middle: still a duplicate, not a rewrite.
    CHECK(store.append(id, 60, full.substr(60, 10)).outcome == LogOutcome::Duplicate);
    LogResult overlap = store.append(id, 313, full.substr(313) + content.substr(300, 20));
    CHECK(overlap.outcome == LogOutcome::Ok);
    full += content.substr(300, 20);
    CHECK(overlap.size == full.size());
    LogResult gap = store.append(id, full.size() + 1, "x");
    CHECK(gap.outcome == LogOutcome::Gap);
    CHECK(gap.size == full.size());
    append_pieces(store, id, full, content.substr(320), 7);
    CHECK(store.size(id) == full.size());
    auto chunk = store.read(id, 0, kAll);
    REQUIRE(chunk);
    check_truncated(*chunk, full, 50, 50, 100);
}

TEST_CASE("job log: disk use stays within 1.5x max_bytes however long the log grows",
          "[joblog][truncate]") {
    TempDir tmp;
    const std::string dir = tmp.path + "/logs";
    // Small pieces compact every few appends; large ones copy tails over several blocks.
    auto [max, piece, pieces] = GENERATE(table<std::uint64_t, std::size_t, std::size_t>(
        {{100, 37, 400}, {std::uint64_t{256} << 10, 5000, 150}}));
    JobLogStore store({dir, max});
    const std::string id = "ab12";
    const std::string content = numbered(piece * pieces);
    std::string full = first_line(id);
    for (std::size_t i = 0; i < pieces; ++i) {
        append_pieces(store, id, full, content.substr(i * piece, piece), piece);
        std::uint64_t head = size_on_disk(log_path(dir, id, ".log"));
        std::uint64_t tail = size_on_disk(log_path(dir, id, ".tail"));
        REQUIRE(head <= max);
        REQUIRE(head + tail <= max + max / 2 + 64);
        if (tail > 0) REQUIRE(head == max / 2);
        auto chunk = store.read(id, 0, kAll);
        REQUIRE(chunk);
        REQUIRE(consistent_view(*chunk, full));
        REQUIRE(split_view(chunk->bytes)->tail.size() >= (chunk->truncated ? max / 2 : 0));
    }
    CHECK(files_in(dir + "/ab") == std::set<std::string>{"ab12.log", "ab12.tail"});
    auto chunk = store.read(id, 0, kAll);
    REQUIRE(chunk);
    check_truncated(*chunk, full, max / 2, max / 2, max);
}

TEST_CASE("job log: one chunk larger than max_bytes is cut like many small ones",
          "[joblog][truncate]") {
    TempDir tmp;
    const std::string dir = tmp.path + "/logs";
    JobLogStore store({dir, 100});
    const std::string id = "ab12";
    const std::string content = numbered(2000);
    std::string full = first_line(id);
    append_pieces(store, id, full, content.substr(0, 1000), 1000);  // the head takes 32 of it
    CHECK(size_on_disk(log_path(dir, id, ".log")) == 50);
    CHECK(size_on_disk(log_path(dir, id, ".tail")) <= 100 + 64);
    auto first = store.read(id, 0, kAll);
    REQUIRE(first);
    check_truncated(*first, full, 50, 50, 100);

    append_pieces(store, id, full, content.substr(1000), 1000);
    auto second = store.read(id, 0, kAll);
    REQUIRE(second);
    check_truncated(*second, full, 50, 50, 100);
    CHECK(size_on_disk(log_path(dir, id, ".tail")) <= 100 + 64);
}

TEST_CASE("job log: a truncated log survives a restart, even under another max_bytes",
          "[joblog][truncate]") {
    TempDir tmp;
    const std::string dir = tmp.path + "/logs";
    const std::string id = "ab12";
    const std::string content = numbered(2500);
    std::string full = first_line(id);
    std::string before;
    {
        JobLogStore store({dir, 100});
        append_pieces(store, id, full, content.substr(0, 300), 10);
        before = read_all(store, id);
    }
    {
        JobLogStore store({dir, 100});
        CHECK(store.size(id) == full.size());
        CHECK(read_all(store, id) == before);
        append_pieces(store, id, full, content.substr(300, 200), 10);
        auto chunk = store.read(id, 0, kAll);
        REQUIRE(chunk);
        check_truncated(*chunk, full, 50, 50, 100);
    }
    // A larger max keeps the head that was written, also through compactions under the new max.
    JobLogStore store({dir, 1000});
    append_pieces(store, id, full, content.substr(500), 10);
    auto chunk = store.read(id, 0, kAll);
    REQUIRE(chunk);
    check_truncated(*chunk, full, 50, 500, 1000);
}

TEST_CASE("job log: leftovers of a crash in mid-compaction do not change what is read",
          "[joblog][truncate]") {
    TempDir tmp;
    const std::string dir = tmp.path + "/logs";
    const std::string id = "ab12";
    const std::string content = numbered(600);
    std::string full = first_line(id);
    std::string before;
    {
        JobLogStore store({dir, 100});
        append_pieces(store, id, full, content.substr(0, 300), 10);
        before = read_all(store, id);
    }
    // A crash after the tail's rename but before the head was cut leaves a long head; one
    // while a new tail was being written leaves its temp file.
    std::ofstream(log_path(dir, id, ".log"), std::ios::app) << "JUNK-NEVER-READ";
    std::ofstream(log_path(dir, id, ".tmp")) << "half a tail";
    JobLogStore store({dir, 100});
    CHECK(read_all(store, id) == before);
    append_pieces(store, id, full, content.substr(300), 10);
    CHECK(size_on_disk(log_path(dir, id, ".log")) == 50);
    CHECK(files_in(dir + "/ab") == std::set<std::string>{"ab12.log", "ab12.tail"});
    auto chunk = store.read(id, 0, kAll);
    REQUIRE(chunk);
    check_truncated(*chunk, full, 50, 50, 100);
}

TEST_CASE("job log: a damaged tail header is an error, not a read of arbitrary offsets",
          "[joblog][truncate]") {
    TempDir tmp;
    const std::string dir = tmp.path + "/logs";
    JobLogStore store({dir, 100});
    std::string full = first_line("ab12");
    append_pieces(store, "ab12", full, numbered(300), 10);
    std::string tail = file_bytes(log_path(dir, "ab12", ".tail"));
    tail[0] = 'X';
    std::ofstream(log_path(dir, "ab12", ".tail"), std::ios::binary | std::ios::trunc) << tail;
    CHECK_FALSE(store.read("ab12", 0, kAll));
    CHECK_FALSE(store.size("ab12"));
    LogResult result = store.append("ab12", std::nullopt, "x");
    CHECK(result.outcome == LogOutcome::Io);
    CHECK_FALSE(result.message.empty());
}

TEST_CASE("job log: ids that are not safe file names are refused before any file is touched",
          "[joblog]") {
    TempDir tmp;
    const std::string dir = tmp.path + "/logs";
    JobLogStore store({dir, 1 << 20});
    const std::string bad[] = {"",
                               "..",
                               "../etc",
                               "a/b",
                               "a.b",
                               "a b",
                               "a_b",
                               "ab\n",
                               "é",
                               "a\\b",
                               std::string(65, 'a'),
                               std::string("ab\0cd", 5)};
    for (const auto& id : bad) {
        INFO("id: " << id);
        CHECK_FALSE(JobLogStore::valid_id(id));
        CHECK(store.create(id).outcome == LogOutcome::BadId);
        LogResult append = store.append(id, std::nullopt, "x");
        CHECK(append.outcome == LogOutcome::BadId);
        CHECK_FALSE(append.message.empty());
        CHECK(store.remove(id).outcome == LogOutcome::BadId);
        CHECK_FALSE(store.read(id, 0, kAll));
        CHECK_FALSE(store.size(id));
    }
    CHECK_FALSE(std::filesystem::exists(dir));

    for (const std::string& id : {std::string(64, 'a'), std::string("A-z-0"), std::string("9")}) {
        INFO("id: " << id);
        CHECK(store.create(id).outcome == LogOutcome::Ok);
        CHECK(read_all(store, id) == first_line(id));
    }
}

TEST_CASE("job log: remove deletes every file of a log, and is idempotent", "[joblog]") {
    TempDir tmp;
    const std::string dir = tmp.path + "/logs";
    JobLogStore store({dir, 100});
    CHECK(store.remove(kId).outcome == LogOutcome::Ok);

    std::string full = first_line("ab12");
    append_pieces(store, "ab12", full, numbered(300), 10);
    REQUIRE(store.append(kId, std::nullopt, "kept").ok());
    REQUIRE(files_in(dir + "/ab") == std::set<std::string>{"ab12.log", "ab12.tail"});
    CHECK(store.remove("ab12").outcome == LogOutcome::Ok);
    CHECK(files_in(dir + "/ab").empty());
    CHECK_FALSE(store.size("ab12"));
    CHECK_FALSE(store.read("ab12", 0, kAll));
    CHECK(store.remove("ab12").outcome == LogOutcome::Ok);
    CHECK(read_all(store, kId) == first_line(kId) + "kept");

    LogResult fresh = store.append("ab12", std::nullopt, "again");
    CHECK(fresh.size == first_line("ab12").size() + 5);
    CHECK(read_all(store, "ab12") == first_line("ab12") + "again");
}
