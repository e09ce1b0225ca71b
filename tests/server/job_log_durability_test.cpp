// JobLogStore under load and failure: racing uploaders of one log with overlapping offsets and a
// reader checking every view, many logs at once, a full disk (tmpfs) in an append and in a
// compaction, and a SIGKILL in the middle of appends and compactions.
#include "job_log_test_util.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

using namespace drover::jobs;
using namespace drover::jobs::testing;

namespace {

// One uploader of a shared log: resends from a little before the stored size (a reply that was
// lost) and now and then past it (a gap), until the whole content is stored.
void upload(JobLogStore& store, const std::string& id, const std::string& full, int t,
            std::atomic<int>& wrong) {
    const std::size_t len = 5 + 11 * static_cast<std::size_t>(t);
    for (int i = 0;; ++i) {
        auto size = store.size(id);
        if (!size) {
            wrong.fetch_add(1);
            return;
        }
        if (*size >= full.size()) return;
        std::uint64_t back = static_cast<std::uint64_t>(t % 3) * 4;
        std::uint64_t offset = *size - std::min(*size, back);
        if (t == 0 && i % 4 == 3) offset = *size + 3;
        std::string piece = full.substr(std::min<std::size_t>(offset, full.size()), len);
        LogResult result = store.append(id, offset, piece);
        if (result.outcome == LogOutcome::Gap) {
            if (result.size >= offset) wrong.fetch_add(1);
        } else if (!result.ok() || result.size < offset + piece.size()) {
            wrong.fetch_add(1);
        }
    }
}

// Sizes a reader sees never shrink, and every view is a cut of the true content.
void watch(const JobLogStore& store, const std::string& id, const std::string& full,
           const std::atomic<bool>& done, std::atomic<int>& wrong, std::atomic<int>& reads) {
    std::uint64_t last = 0;
    while (!done.load()) {
        auto chunk = store.read(id, 0, kAll);
        if (!chunk || chunk->size < last || !consistent_view(*chunk, full)) wrong.fetch_add(1);
        if (chunk) last = chunk->size;
        reads.fetch_add(1);
    }
}

struct Tmpfs {
    std::string path;
    bool mounted = false;
    Tmpfs(const std::string& dir, const char* size) : path(dir + "/small") {
        std::filesystem::create_directory(path);
        mounted = ::mount("tmpfs", path.c_str(), "tmpfs", 0, size) == 0;
    }
    ~Tmpfs() {
        if (mounted) ::umount2(path.c_str(), MNT_DETACH);
    }
    void grow() { REQUIRE(::mount("tmpfs", path.c_str(), "tmpfs", MS_REMOUNT, "size=4m") == 0); }
    // Takes every free block with a file (a short write takes the last of them).
    void fill() {
        int fd = ::open((path + "/filler").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        REQUIRE(fd >= 0);
        const std::string block(1 << 16, 'f');
        while (::write(fd, block.data(), block.size()) > 0) {
        }
        const int error = errno;
        ::close(fd);
        REQUIRE(error == ENOSPC);
    }
};

}  // namespace

TEST_CASE("job log: racing uploaders with overlapping offsets store every byte exactly once",
          "[joblog][concurrency]") {
    const std::uint64_t max = GENERATE(std::uint64_t{1} << 20, 1000);
    TempDir tmp;
    JobLogStore store({tmp.path + "/logs", max});
    const std::string id = "c0ffee";
    const std::string full = first_line(id) + numbered(6000);
    REQUIRE(store.create(id).ok());
    std::atomic<int> wrong{0}, reads{0};
    std::atomic<bool> done{false};
    std::thread reader([&] { watch(store, id, full, done, wrong, reads); });
    std::vector<std::thread> uploaders;
    for (int t = 0; t < 6; ++t)
        uploaders.emplace_back([&, t] { upload(store, id, full, t, wrong); });
    for (auto& thread : uploaders)
        thread.join();
    done = true;
    reader.join();
    CHECK(wrong.load() == 0);
    CHECK(reads.load() > 0);

    auto chunk = store.read(id, 0, kAll);
    REQUIRE(chunk);
    if (max > full.size()) {
        CHECK(chunk->bytes == full);
    } else {
        check_truncated(*chunk, full, max / 2, max / 2, max);
    }
}

TEST_CASE("job log: readers see a log whole while it is cut for the first time",
          "[joblog][concurrency]") {
    TempDir tmp;
    JobLogStore store({tmp.path + "/logs", 100});
    constexpr int kLogs = 150;
    const std::string content = numbered(120);
    std::atomic<int> current{-1}, wrong{0}, reads{0};
    std::thread reader([&] {
        for (int i; (i = current.load()) < kLogs;) {
            if (i < 0) continue;
            std::string id = "cut-" + std::to_string(i);
            auto chunk = store.read(id, 0, kAll);
            if (!chunk || !consistent_view(*chunk, first_line(id) + content)) wrong.fetch_add(1);
            reads.fetch_add(1);
        }
    });
    for (int i = 0; i < kLogs; ++i) {
        std::string id = "cut-" + std::to_string(i);
        if (!store.create(id).ok()) wrong.fetch_add(1);
        current.store(i);
        // About 90 bytes fit the one file; the second append splits it into head and tail.
        if (!store.append(id, std::nullopt, content.substr(0, 70)).ok()) wrong.fetch_add(1);
        if (!store.append(id, std::nullopt, content.substr(70)).ok()) wrong.fetch_add(1);
    }
    current.store(kLogs);
    reader.join();
    CHECK(wrong.load() == 0);
    CHECK(reads.load() > 0);
}

TEST_CASE("job log: many logs take appends at once, each in its own order",
          "[joblog][concurrency]") {
    TempDir tmp;
    JobLogStore store({tmp.path + "/logs", 1 << 20});
    constexpr int kLogs = 8, kLines = 60;
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kLogs; ++t) {
        threads.emplace_back([&, t] {
            std::string id = "log-" + std::to_string(t);
            std::uint64_t size = first_line(id).size();
            for (int i = 0; i < kLines; ++i) {
                std::string line = id + " line " + std::to_string(i) + "\n";
                LogResult result = store.append(id, std::nullopt, line);
                size += line.size();
                if (result.outcome != LogOutcome::Ok || result.size != size) wrong.fetch_add(1);
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    CHECK(wrong.load() == 0);
    for (int t = 0; t < kLogs; ++t) {
        std::string id = "log-" + std::to_string(t);
        std::string expected = first_line(id);
        for (int i = 0; i < kLines; ++i)
            expected += id + " line " + std::to_string(i) + "\n";
        auto chunk = store.read(id, 0, kAll);
        REQUIRE(chunk);
        CHECK(chunk->bytes == expected);
    }
}

TEST_CASE("job log: a full disk refuses a chunk whole, appends work again once space returns",
          "[joblog][nospace]") {
    TempDir tmp;
    Tmpfs fs(tmp.path, "size=64k");
    if (!fs.mounted) {
        WARN("cannot mount a tmpfs (not root?): skipping the disk-full test");
        return;
    }
    const std::string dir = fs.path + "/logs";
    JobLogStore store({dir, 1 << 20});
    const std::string id = "feed";
    const std::string content = numbered(200000);
    std::string full = first_line(id);
    LogResult result;
    std::string piece;
    for (std::size_t at = 0; at < content.size(); at += 10000) {
        piece = content.substr(at, 10000);
        result = store.append(id, full.size(), piece);
        if (!result.ok()) break;
        full += piece;
    }
    INFO(result.message);
    REQUIRE(result.outcome == LogOutcome::NoSpace);
    CHECK_FALSE(result.message.empty());
    CHECK(result.size == full.size());
    // The last chunk partly fitted: the part that was written must be gone again.
    CHECK(size_on_disk(log_path(dir, id, ".log")) == full.size());
    CHECK(store.size(id) == full.size());
    CHECK(store.read(id, 0, kAll)->bytes == full);

    fs.grow();
    LogResult retry = store.append(id, full.size(), piece);
    CHECK(retry.outcome == LogOutcome::Ok);
    CHECK(store.read(id, 0, kAll)->bytes == full + piece);
}

TEST_CASE("job log: readers never see the part of a chunk that a full disk cut back",
          "[joblog][nospace][concurrency]") {
    TempDir tmp;
    Tmpfs fs(tmp.path, "size=64k");
    if (!fs.mounted) {
        WARN("cannot mount a tmpfs (not root?): skipping the disk-full test");
        return;
    }
    JobLogStore store({fs.path + "/logs", 1 << 20});
    const std::string id = "feed";
    LogResult stored = store.append(id, std::nullopt, numbered(30000));
    REQUIRE(stored.outcome == LogOutcome::Ok);
    // Each attempt writes what fits of 200 KB, fails, and cuts it back, while readers look.
    std::atomic<bool> done{false};
    std::atomic<int> wrong{0}, reads{0};
    std::thread reader([&] {
        while (!done.load()) {
            if (store.size(id) != stored.size) wrong.fetch_add(1);
            reads.fetch_add(1);
        }
    });
    const std::string big(200000, 'x');
    for (int i = 0; i < 3000; ++i) {
        if (store.append(id, stored.size, big).outcome != LogOutcome::NoSpace) wrong.fetch_add(1);
    }
    done = true;
    reader.join();
    CHECK(wrong.load() == 0);
    CHECK(reads.load() > 0);
    CHECK(store.read(id, 0, kAll)->bytes == first_line(id) + numbered(30000));
}

TEST_CASE("job log: a job whose log the full disk kept from being created reads as its first line",
          "[joblog][nospace]") {
    TempDir tmp;
    Tmpfs fs(tmp.path, "size=64k");
    if (!fs.mounted) {
        WARN("cannot mount a tmpfs (not root?): skipping the disk-full test");
        return;
    }
    fs.fill();
    const std::string dir = fs.path + "/logs";
    JobLogStore store({dir, 1 << 20});
    const std::string id = "c0ffee";
    REQUIRE(store.create(id).outcome == LogOutcome::NoSpace);
    CHECK_FALSE(store.read(id, 0, kAll));
    auto whole = store.read_job_log(id, 0, kAll);
    REQUIRE(whole);
    CHECK(whole->bytes == first_line(id));
    CHECK(whole->size == first_line(id).size());
    CHECK(whole->next_offset == first_line(id).size());
    auto part = store.read_job_log(id, 4, 3);
    REQUIRE(part);
    CHECK(part->bytes == first_line(id).substr(4, 3));
    CHECK(part->next_offset == 7);
    CHECK(store.read_job_log(id, 100, kAll)->bytes.empty());
    CHECK_FALSE(store.read_job_log("../x", 0, kAll));

    fs.grow();
    CHECK(store.read_job_log(id, 0, kAll)->bytes == first_line(id));
    REQUIRE(store.read(id, 0, kAll));  // created now that there is space
    REQUIRE(store.append(id, std::nullopt, "more\n").outcome == LogOutcome::Ok);
    CHECK(store.read_job_log(id, 0, kAll)->bytes == first_line(id) + "more\n");
}

TEST_CASE("job log: a full disk during compaction leaves the old log whole", "[joblog][nospace]") {
    TempDir tmp;
    Tmpfs fs(tmp.path, "size=48k");  // holds the 36 KB log, not that and a 20 KB new tail
    if (!fs.mounted) {
        WARN("cannot mount a tmpfs (not root?): skipping the disk-full test");
        return;
    }
    const std::string dir = fs.path + "/logs";
    JobLogStore store({dir, 40000});
    const std::string id = "feed";
    const std::string content = numbered(45000);
    std::string full = first_line(id);
    for (std::size_t at = 0; at < 36000; at += 9000) {
        REQUIRE(store.append(id, std::nullopt, content.substr(at, 9000)).outcome == LogOutcome::Ok);
        full += content.substr(at, 9000);
    }
    const std::string piece = content.substr(36000);
    LogResult result = store.append(id, std::nullopt, piece);
    INFO(result.message);
    REQUIRE(result.outcome == LogOutcome::NoSpace);
    CHECK(result.size == full.size());
    CHECK(files_in(dir + "/fe") == std::set<std::string>{"feed.log"});
    CHECK(size_on_disk(log_path(dir, id, ".log")) == full.size());
    CHECK(store.read(id, 0, kAll)->bytes == full);

    fs.grow();
    REQUIRE(store.append(id, full.size(), piece).outcome == LogOutcome::Ok);
    full += piece;
    auto chunk = store.read(id, 0, kAll);
    REQUIRE(chunk);
    check_truncated(*chunk, full, 20000, 20000, 40000);
    CHECK(size_on_disk(log_path(dir, id, ".log")) == 20000);
}

TEST_CASE("job log: SIGKILL in the middle of appends and compactions loses no acknowledged byte",
          "[joblog][crash]") {
    TempDir tmp;
    const JobLogOptions options{tmp.path + "/logs", 300};
    const std::string id = "dead-beef";
    const std::string full = first_line(id) + numbered(20000);
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // Reports each acknowledged size through the pipe (one short write(2) per line).
        ::close(fds[0]);
        JobLogStore store(options);
        for (std::uint64_t at = first_line(id).size(); at < full.size();) {
            LogResult result = store.append(id, at, full.substr(at, 23));
            if (result.outcome != LogOutcome::Ok) ::_exit(3);
            at = result.size;
            std::string line = std::to_string(at) + "\n";
            if (::write(fds[1], line.data(), line.size()) < 0) ::_exit(4);
        }
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string reported;
    char buf[4096];
    while (std::count(reported.begin(), reported.end(), '\n') < 200) {
        ssize_t n = ::read(fds[0], buf, sizeof(buf));
        if (n <= 0) break;
        reported.append(buf, static_cast<std::size_t>(n));
    }
    ::kill(child, SIGKILL);
    int wstatus = 0;
    ::waitpid(child, &wstatus, 0);
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof(buf))) > 0;)
        reported.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    REQUIRE(WIFSIGNALED(wstatus));
    reported.resize(reported.rfind('\n'));
    const std::uint64_t acked = std::stoull(reported.substr(reported.rfind('\n') + 1));

    // The uploader resumes from whatever size the restarted store reports.
    JobLogStore store(options);
    auto size = store.size(id);
    REQUIRE(size);
    CHECK(*size >= acked);
    auto chunk = store.read(id, 0, kAll);
    REQUIRE(chunk);
    CHECK(consistent_view(*chunk, full));
    for (std::uint64_t at = *size; at < full.size();) {
        LogResult result = store.append(id, at, full.substr(at, 97));
        REQUIRE(result.outcome == LogOutcome::Ok);
        at = result.size;
    }
    chunk = store.read(id, 0, kAll);
    REQUIRE(chunk);
    check_truncated(*chunk, full, 150, 150, 300);
    CHECK(files_in(options.dir + "/de") ==
          std::set<std::string>{"dead-beef.log", "dead-beef.tail"});
}
