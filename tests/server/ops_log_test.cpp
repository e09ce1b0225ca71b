// The structured log (server/ops/log, request_log): logfmt quoting that no value can break out
// of, the journal's priority prefixes and when they apply, the runtime level, one write per
// line, the request line with its credentials redacted, and one line per failure episode.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "server/ops/failure_episode.hpp"
#include "server/ops/log.hpp"
#include "server/ops/request_log.hpp"

using namespace drover::ops;

namespace {

// Restores the process-wide level whatever a test set.
struct LevelGuard {
    Level saved = log_level();
    ~LevelGuard() { set_log_level(saved); }
};

// Captures what is written to stderr (fd 2) while it lives.
class StderrCapture {
  public:
    StderrCapture() {
        REQUIRE(pipe2(fds_, O_CLOEXEC) == 0);
        saved_ = dup(STDERR_FILENO);
        REQUIRE(dup2(fds_[1], STDERR_FILENO) == STDERR_FILENO);
    }
    ~StderrCapture() { restore(); }
    // Everything written so far; stderr is restored.
    std::string text() {
        restore();
        std::string out;
        char buf[4096];
        ssize_t n;
        while ((n = read(fds_[0], buf, sizeof buf)) > 0)
            out.append(buf, static_cast<std::size_t>(n));
        return out;
    }

  private:
    void restore() {
        if (saved_ < 0) return;
        dup2(saved_, STDERR_FILENO);
        close(saved_);
        close(fds_[1]);
        saved_ = -1;
    }
    int fds_[2] = {-1, -1};
    int saved_ = -1;
};

std::string device_inode(int fd) {
    struct stat st {};
    REQUIRE(fstat(fd, &st) == 0);
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

}  // namespace

TEST_CASE("logfmt values are bare when safe and quoted and escaped otherwise", "[ops][log]") {
    CHECK(logfmt_value("GET") == "GET");
    CHECK(logfmt_value("/api/v3/machines/{id}") == "/api/v3/machines/{id}");
    CHECK(logfmt_value("") == "\"\"");
    CHECK(logfmt_value("two words") == "\"two words\"");
    CHECK(logfmt_value("a=b") == "\"a=b\"");
    CHECK(logfmt_value(R"(say "hi" \o/)") == R"("say \"hi\" \\o/")");
    CHECK(logfmt_value("line\nlevel=error msg=forged") == R"("line\nlevel=error msg=forged")");
    CHECK(logfmt_value(std::string("nul\0bell\a\t", 10)) == R"("nul\u0000bell\u0007\t")");
    CHECK(logfmt_value("caf\xc3\xa9") == "caf\xc3\xa9");  // UTF-8 passes through
    std::string long_value(kMaxLogValue + 10, 'x');
    CHECK(logfmt_value(long_value) == "\"" + std::string(kMaxLogValue, 'x') + "...\"");
}

TEST_CASE("an entry is one line: level, msg, then the fields in order", "[ops][log]") {
    LogEntry e(Level::Warn, "store is slow");
    e.field("batch", 12).field("ms", 1.5).field("path", "/a b").field("ok", true);
    CHECK(e.line(false) ==
          "level=warn msg=\"store is slow\" batch=12 ms=1.500 path=\"/a b\" ok=1\n");
    CHECK(LogEntry(Level::Info, "x").field("ms", 0.25, 1).line(false) ==
          "level=info msg=x ms=0.2\n");
}

TEST_CASE("under the journal each line carries its sd-daemon priority prefix", "[ops][log]") {
    CHECK(LogEntry(Level::Error, "m").line(true) == "<3>level=error msg=m\n");
    CHECK(LogEntry(Level::Warn, "m").line(true) == "<4>level=warn msg=m\n");
    CHECK(LogEntry(Level::Info, "m").line(true) == "<6>level=info msg=m\n");
    CHECK(LogEntry(Level::Debug, "m").line(true) == "<7>level=debug msg=m\n");
}

TEST_CASE("JOURNAL_STREAM counts only while it names the stream itself", "[ops][log]") {
    int fds[2], other[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    REQUIRE(pipe2(other, O_CLOEXEC) == 0);
    const std::string mine = device_inode(fds[1]);
    CHECK(is_journal_stream(fds[1], mine.c_str()));
    CHECK_FALSE(is_journal_stream(fds[1], nullptr));
    CHECK_FALSE(is_journal_stream(fds[1], device_inode(other[1]).c_str()));  // redirected since
    CHECK_FALSE(is_journal_stream(fds[1], ""));
    CHECK_FALSE(is_journal_stream(fds[1], "12"));
    CHECK_FALSE(is_journal_stream(fds[1], (mine + "x").c_str()));
    for (int fd : {fds[0], fds[1], other[0], other[1]})
        close(fd);
}

TEST_CASE("levels parse by name and gate what is written", "[ops][log]") {
    for (Level l : {Level::Error, Level::Warn, Level::Info, Level::Debug})
        CHECK(parse_level(level_name(l)) == l);
    CHECK_FALSE(parse_level("warning"));
    CHECK_FALSE(parse_level("INFO"));

    LevelGuard guard;
    set_log_level(Level::Warn);
    CHECK(log_enabled(Level::Error));
    CHECK(log_enabled(Level::Warn));
    CHECK_FALSE(log_enabled(Level::Info));
    StderrCapture captured;
    Log(Level::Info, "hidden").field("n", 1);
    Log(Level::Error, "shown").field("n", 2);
    set_log_level(Level::Debug);
    Log(Level::Debug, "now shown");
    CHECK(captured.text() == "level=error msg=shown n=2\nlevel=debug msg=\"now shown\"\n");
}

TEST_CASE("the request line names route, status, duration and principal, never a token",
          "[ops][log]") {
    std::multimap<std::string, std::string> query{
        {"filter", "a b"}, {"token", "admin:secret"}, {"decode", "true"}};
    RequestRecord r;
    r.method = "GET";
    r.path = "/api/v3/machines/m1";
    r.query = &query;
    r.route = "/api/v3/machines/{id}";
    r.status = 200;
    r.seconds = 0.00125;
    r.principal = "admin";
    r.bytes_out = 512;
    std::string line = request_entry(r).line(false);
    CHECK(line ==
          "level=info msg=request method=GET path=/api/v3/machines/m1 "
          "query=\"decode=true&filter=a b&token=REDACTED\" route=/api/v3/machines/{id} "
          "status=200 duration_ms=1.250 principal=admin bytes=512\n");
    CHECK(line.find("secret") == std::string::npos);

    r.query = nullptr;
    r.stream = true;
    r.principal = "-";
    CHECK(request_entry(r).line(false).find(" principal=- bytes=512 stream=true\n") !=
          std::string::npos);

    LevelGuard guard;
    set_log_level(Level::Warn);
    StderrCapture captured;
    log_request(r);  // info: not written at warn
    CHECK(captured.text().empty());
}

TEST_CASE("a failure episode logs its start once and its end once", "[ops][log]") {
    LevelGuard guard;
    set_log_level(Level::Info);
    FailureEpisode episode("store", "disk full", "disk back");
    StderrCapture captured;
    episode.succeeded();  // no episode open: nothing to say
    for (const char* error : {"first", "second", "third"})
        episode.failed(error);
    episode.succeeded();
    episode.succeeded();
    episode.failed("again");
    CHECK(captured.text() ==
          "level=warn msg=\"disk full\" subject=store error=first\n"
          "level=info msg=\"disk back\" subject=store failures=3\n"
          "level=warn msg=\"disk full\" subject=store error=again\n");
}
