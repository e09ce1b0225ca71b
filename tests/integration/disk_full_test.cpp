// droverd whose data dir's file system fills up (issue 10, "Disk"), on a small tmpfs the test
// mounts (root only; without it the test warns and does nothing). A write that still fits in the
// free pages inside LMDB's file succeeds (a job whose log file cannot be created reads as its first
// line); once the file would have to grow, every kind of write is refused with 507 and the DRP
// error body, while reads and the event stream keep working, droverd stays up (also across a
// restart on the full disk) and logs one warning. Writes work again by themselves once space
// returns, and everything acknowledged is byte-identical afterwards and after a restart.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "droverd_process.hpp"

using namespace drover::testing;
using nlohmann::json;

namespace {

// A tmpfs of `size` on <temp>/data, unmounted and removed at the end.
class SmallTmpfs {
  public:
    explicit SmallTmpfs(const char* size) {
        char tmpl[] = "/tmp/droverd-diskfull-XXXXXX";
        if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        base_ = tmpl;
        data_ = base_ + "/data";
        std::filesystem::create_directory(data_);
        mounted_ = ::mount("tmpfs", data_.c_str(), "tmpfs", 0, size) == 0;
    }
    ~SmallTmpfs() {
        if (mounted_) ::umount2(data_.c_str(), MNT_DETACH);
        std::error_code ec;
        std::filesystem::remove_all(base_, ec);
    }
    SmallTmpfs(const SmallTmpfs&) = delete;
    SmallTmpfs& operator=(const SmallTmpfs&) = delete;

    bool mounted() const { return mounted_; }
    const std::string& data() const { return data_; }

  private:
    std::string base_;
    std::string data_;
    bool mounted_ = false;
};

// Writes a file until the file system refuses more: a short write takes what space there is, so
// the write after it fails with nothing left over that a later write could take.
void fill_up(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    const std::string block(1 << 20, 'f');
    while (::write(fd, block.data(), block.size()) > 0) {
    }
    int error = errno;
    ::close(fd);
    REQUIRE(error == ENOSPC);
}

// How a droverd that was to fail at start ended: its exit status (-1 for a signal, which
// `signal` names) and its log.
struct Exit {
    int status = 0;
    int signal = 0;
    std::string log;
};

Exit run_to_exit(const std::string& data_dir) {
    int out[2];
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    std::vector<std::string> args{DROVERD_PATH,       "--data-dir",  data_dir,
                                  "--listen",         "127.0.0.1:0", "--insecure-http",
                                  "--admin-password", kAdminPassword};
    std::fflush(nullptr);  // or the child repeats our buffered output
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(out[1], STDERR_FILENO);
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(out[1]);
    Exit exit;
    char buf[4096];
    pollfd readable{out[0], POLLIN, 0};
    // A droverd that started after all never closes its log: give up on it after 20 s.
    while (::poll(&readable, 1, 20000) > 0) {
        ssize_t n = ::read(out[0], buf, sizeof buf);
        if (n <= 0) break;
        exit.log.append(buf, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    ::kill(pid, SIGKILL);  // nothing left to kill when it exited by itself
    int status = 0;
    ::waitpid(pid, &status, 0);
    exit.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    exit.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return exit;
}

// LMDB writes its reader table through a shared map of lock.mdb: every page of it must be
// allocated, or the first reader to use one on a full disk faults (SIGBUS).
void expect_lock_file_allocated(const std::string& data_dir) {
    struct stat st {};
    REQUIRE(::stat((data_dir + "/lock.mdb").c_str(), &st) == 0);
    CHECK(st.st_blocks * 512 >= st.st_size);
}

const std::string kApi = "/api/v3";
const std::string kOctets = "application/octet-stream";

json replace_op(const std::string& path, const json& value) {
    return json::array({{{"op", "replace"}, {"path", path}, {"value", value}}});
}

BytesReply put_log(httplib::Client& c, const std::string& job, const std::string& bytes) {
    return call_bytes(c, "PUT", kApi + "/jobs/" + job + "/log", {{"Content-Type", kOctets}}, bytes);
}

std::string get_log(httplib::Client& c, const std::string& job) {
    BytesReply r = call_bytes(c, "GET", kApi + "/jobs/" + job + "/log");
    REQUIRE(r.status == 200);
    return r.body;
}

json job_move(const std::string& from, const std::string& to) {
    json ops = json::array({{{"op", "test"}, {"path", "/State"}, {"value", from}},
                            {{"op", "replace"}, {"path", "/State"}, {"value", to}}});
    if (to == "finished")
        ops.push_back({{"op", "replace"}, {"path", "/ExitState"}, {"value", "complete"}});
    return ops;
}

// Lines of `n` bytes that say where they are, so a misplaced or lost byte shows.
std::string numbered(const std::string& tag, std::size_t n) {
    std::string out;
    for (int i = 0; out.size() < n; ++i)
        out += tag + " line " + std::to_string(i) + "\n";
    out.resize(n);
    return out;
}

const std::vector<std::string> kCollections = {"params",    "tasks",     "stages",   "profiles",
                                               "bootenvs",  "templates", "machines", "jobs",
                                               "workflows", "users"};

// Every object of every collection, by collection and key, as the server serialises it.
using Snapshot = std::map<std::string, std::string>;

Snapshot snapshot(httplib::Client& c) {
    Snapshot out;
    for (const auto& prefix : kCollections) {
        auto r = get(c, kApi + "/" + prefix);
        REQUIRE(r.status == 200);
        for (const auto& obj : r.body) {
            std::string key = obj.contains("Uuid") ? obj["Uuid"].get<std::string>()
                                                   : obj["Name"].get<std::string>();
            out[prefix + "/" + key] = obj.dump();
        }
    }
    return out;
}

// One machine's next job, moved to running.
std::string start_job(httplib::Client& c, const std::string& machine) {
    auto r = post(c, kApi + "/jobs", {{"Machine", machine}});
    REQUIRE(r.status == 201);
    std::string job = r.body["Uuid"].get<std::string>();
    REQUIRE(patch(c, kApi + "/jobs/" + job, job_move("created", "running")).status == 200);
    return job;
}

void finish_job(httplib::Client& c, const std::string& job) {
    REQUIRE(patch(c, kApi + "/jobs/" + job, job_move("running", "finished")).status == 200);
}

std::string machine_uuid(int i) {
    return "0d15cf11-0000-4000-8000-00000000000" + std::to_string(i);
}

// The refusal of a write for want of space: 507 with the DRP error body saying why.
void expect_no_space(int status, const json& body, const std::string& model) {
    INFO(body.dump());
    CHECK(status == 507);
    CHECK(body["Code"] == 507);
    CHECK(body["Model"] == model);
    REQUIRE(body["Messages"].size() == 1);
    CHECK_THAT(body["Messages"][0].get<std::string>(), Catch::Contains("No space left on device"));
}

void expect_no_space(const Reply& r, const std::string& model) {
    expect_no_space(r.status, r.body, model);
    CHECK(r.body["Type"] == "StorageError");
}

void expect_no_space(const BytesReply& r) {
    expect_no_space(r.status, json::parse(r.body, nullptr, false), "jobs");
}

// The first `n` events replayed from the start of the event log, as their ids.
std::vector<std::uint64_t> replayed_events(const DroverdProcess& d, std::size_t n) {
    httplib::Client client("127.0.0.1", d.port());
    client.set_read_timeout(10, 0);
    client.set_bearer_token_auth(d.admin_token().c_str());
    std::vector<std::uint64_t> ids;
    std::string buf;
    client.Get(kApi + "/events", {{"Last-Event-ID", "0"}}, [&](const char* data, size_t len) {
        buf.append(data, len);
        for (auto at = buf.find("id: "); at != std::string::npos; at = buf.find("id: ")) {
            auto nl = buf.find('\n', at);
            if (nl == std::string::npos) break;
            ids.push_back(std::stoull(buf.substr(at + 4, nl - at - 4)));
            buf.erase(0, nl + 1);
        }
        return ids.size() < n;
    });
    return ids;
}

std::size_t lines_with(const DroverdProcess& d, const std::string& level, const std::string& text) {
    auto lines = d.log_lines();
    return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [&](const auto& l) {
        return l.rfind("level=" + level + " ", 0) == 0 && l.find(text) != std::string::npos;
    }));
}

// Content, six machines in a two-task stage: 0-3 with a finished job and a running one, each with
// its log, 4 and 5 with no job yet, and free pages in the store. Returns every log by job.
std::map<std::string, std::string> build_world(httplib::Client& c,
                                               std::vector<std::string>& running) {
    REQUIRE(
        post(c, kApi + "/params", {{"Name", "df/note"}, {"Schema", {{"type", "string"}}}}).status ==
        201);
    for (const char* task : {"df-first", "df-second"})
        REQUIRE(post(c, kApi + "/tasks",
                     {{"Name", task},
                      {"Templates", {{{"Name", "run"}, {"Contents", "echo {{.Machine.Name}}\n"}}}}})
                    .status == 201);
    REQUIRE(post(c, kApi + "/stages", {{"Name", "df-stage"}, {"Tasks", {"df-first", "df-second"}}})
                .status == 201);
    REQUIRE(post(c, kApi + "/profiles", {{"Name", "df-profile"}, {"Params", {{"df/note", "kept"}}}})
                .status == 201);
    std::map<std::string, std::string> logs;
    for (int i = 0; i < 6; ++i) {
        const std::string m = machine_uuid(i);
        REQUIRE(post(c, kApi + "/machines",
                     {{"Uuid", m}, {"Name", "df-" + std::to_string(i)}, {"BootEnv", "local"}})
                    .status == 201);
        REQUIRE(patch(c, kApi + "/machines/" + m, replace_op("/Stage", "df-stage")).status == 200);
        if (i >= 4) continue;
        for (std::size_t size : {20000, 3000}) {
            std::string job = start_job(c, m);
            std::string text = numbered(job, size);
            REQUIRE(put_log(c, job, text).status == 204);
            logs[job] = "Log for Job: " + job + "\n" + text;
            if (size == 3000)
                running.push_back(job);
            else
                finish_job(c, job);
        }
    }
    // Free pages inside the store's file, as deletes leave them: LMDB reuses a page two commits
    // after the one that freed it.
    REQUIRE(post(c, kApi + "/profiles",
                 {{"Name", "df-spare"}, {"Description", std::string(1 << 18, 's')}})
                .status == 201);
    REQUIRE(del(c, kApi + "/profiles/df-spare").status == 200);
    for (const char* note : {"spare freed", "two commits on"})
        REQUIRE(patch(c, kApi + "/profiles/df-profile", replace_op("/Description", note)).status ==
                200);
    return logs;
}

// Every object of `want` as it was, and nothing more.
void expect_same(const Snapshot& got, const Snapshot& want) {
    CHECK(got.size() == want.size());
    for (const auto& [key, doc] : want) {
        INFO(key);
        REQUIRE(got.count(key) == 1);
        CHECK(got.at(key) == doc);
    }
}

void expect_logs(httplib::Client& c, const std::map<std::string, std::string>& logs) {
    for (const auto& [job, text] : logs) {
        INFO(job);
        CHECK(get_log(c, job) == text);
    }
}

}  // namespace

TEST_CASE("droverd on a full disk: writes are refused, reads work, it recovers by itself",
          "[integration][reliability][nospace]") {
    SmallTmpfs fs("size=8m");
    if (!fs.mounted()) {
        WARN("cannot mount a tmpfs (not root?): skipping the disk-full test");
        return;
    }
    DroverdProcess d(DataDir{fs.data()}, {});
    expect_lock_file_allocated(fs.data());
    auto c = d.client();
    std::vector<std::string> running;
    auto logs = build_world(*c, running);
    expect_logs(*c, logs);
    const std::string filler = fs.data() + "/filler";
    fill_up(filler);

    // The store still has free pages inside its file: a job fits, its log file does not.
    auto fits = post(*c, kApi + "/jobs", {{"Machine", machine_uuid(4)}});
    REQUIRE(fits.status == 201);
    const std::string unlogged = fits.body["Uuid"].get<std::string>();
    logs[unlogged] = "Log for Job: " + unlogged + "\n";
    CHECK(get_log(*c, unlogged) == logs[unlogged]);
    expect_no_space(put_log(*c, unlogged, numbered("x", 16384)));

    // Small objects until the store's file would have to grow: from here no write fits.
    int ballast = 0;
    for (; ballast < 5000; ++ballast) {
        auto r = post(*c, kApi + "/profiles", {{"Name", "ballast-" + std::to_string(ballast)}});
        if (r.status != 201) {
            expect_no_space(r, "profiles");
            break;
        }
    }
    REQUIRE(ballast < 5000);
    const Snapshot full = snapshot(*c);

    const std::string big(65536, 'b');
    expect_no_space(post(*c, kApi + "/jobs", {{"Machine", machine_uuid(5)}}), "jobs");
    expect_no_space(post(*c, kApi + "/profiles", {{"Name", "df-new"}, {"Description", big}}),
                    "profiles");
    expect_no_space(
        put(*c, kApi + "/profiles/df-profile", {{"Name", "df-profile"}, {"Description", big}}),
        "profiles");
    expect_no_space(
        patch(*c, kApi + "/machines/" + machine_uuid(0), replace_op("/Description", big)),
        "machines");
    json finish_with_meta = job_move("running", "finished");
    finish_with_meta.push_back({{"op", "add"}, {"path", "/Meta/df"}, {"value", big}});
    expect_no_space(patch(*c, kApi + "/jobs/" + running[0], finish_with_meta), "jobs");
    expect_no_space(put_log(*c, running[1], numbered("y", 16384)));

    // Reads: every object unchanged, every log, the event stream, health.
    expect_same(snapshot(*c), full);
    expect_logs(*c, logs);
    auto events = replayed_events(d, 20);
    REQUIRE(events.size() >= 20);
    for (std::size_t i = 0; i < events.size(); ++i)
        CHECK(events[i] == i + 1);
    CHECK(get(*c, "/healthz").status == 200);
    // Six refusals by the store and more by job logs (the reads above tried to create the
    // missing log again): one warning each.
    CHECK(lines_with(d, "warn", "subject=store") == 1);
    CHECK(lines_with(d, "warn", "subject=job-logs") == 1);

    // A restart on the full disk: droverd comes up, serves every read and refuses writes.
    d.restart();
    c = d.client();
    expect_same(snapshot(*c), full);
    expect_logs(*c, logs);
    expect_no_space(post(*c, kApi + "/profiles", {{"Name", "df-new"}, {"Description", big}}),
                    "profiles");
    expect_no_space(put_log(*c, unlogged, numbered("x", 16384)));

    // Space returns: the same writes work, without a restart.
    std::filesystem::remove(filler);
    REQUIRE(put_log(*c, unlogged, "after the disk was full\n").status == 204);
    logs[unlogged] += "after the disk was full\n";
    REQUIRE(post(*c, kApi + "/profiles", {{"Name", "df-new"}, {"Description", big}}).status == 201);
    REQUIRE(put(*c, kApi + "/profiles/df-profile", {{"Name", "df-profile"}, {"Description", big}})
                .status == 200);
    REQUIRE(
        patch(*c, kApi + "/machines/" + machine_uuid(0), replace_op("/Description", big)).status ==
        200);
    const std::string tail = numbered("z", 16384);
    REQUIRE(put_log(*c, running[1], tail).status == 204);
    logs[running[1]] += tail;
    finish_job(*c, running[0]);
    finish_job(*c, running[1]);
    std::string job = start_job(*c, machine_uuid(5));
    REQUIRE(put_log(*c, job, tail).status == 204);
    logs[job] = "Log for Job: " + job + "\n" + tail;
    finish_job(*c, job);
    expect_logs(*c, logs);
    CHECK(lines_with(d, "warn", "disk is full") == 2);
    CHECK(lines_with(d, "info", "disk space is back") == 2);
    const Snapshot after = snapshot(*c);
    for (const auto& [key, doc] : full) {
        bool changed = key == "profiles/df-profile" || key == "machines/" + machine_uuid(0) ||
                       key == "machines/" + machine_uuid(5) || key == "jobs/" + running[0] ||
                       key == "jobs/" + running[1];
        INFO(key);
        CHECK(after.count(key) == 1);
        if (!changed) CHECK(after.at(key) == doc);
    }

    d.restart();
    c = d.client();
    expect_same(snapshot(*c), after);
    expect_logs(*c, logs);
}

TEST_CASE("droverd started on a full disk exits with an error, and starts once there is space",
          "[integration][reliability][nospace]") {
    SmallTmpfs fs("size=1m");
    if (!fs.mounted()) {
        WARN("cannot mount a tmpfs (not root?): skipping the disk-full test");
        return;
    }
    const std::string filler = fs.data() + "/filler";
    fill_up(filler);
    // It used to die of SIGBUS writing LMDB's reader table into a file the disk had no room for.
    Exit exit = run_to_exit(fs.data() + "/droverd");
    INFO(exit.log);
    CHECK(exit.signal == 0);
    CHECK(exit.status == 1);
    CHECK_THAT(exit.log, Catch::Contains("level=error msg=\"cannot start\"") &&
                             Catch::Contains("No space left on device"));

    std::filesystem::remove(filler);
    DroverdProcess d(DataDir{fs.data() + "/droverd"}, {});
    expect_lock_file_allocated(d.data_dir());
    auto c = d.client();
    CHECK(get(*c, "/healthz").status == 200);
    CHECK(post(*c, kApi + "/profiles", {{"Name", "after"}}).status == 201);
}
