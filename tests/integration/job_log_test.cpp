// The resumable job log (spec 6.4 PUT/GET/HEAD /api/v3/jobs/<uuid>/log, extended by drover):
// uploads must be application/octet-stream, X-Log-Offset makes a retried or resumed chunk land
// once, X-Log-Size is the acknowledged size, reads take `Range: bytes=N-`, `?follow=true` streams
// until the job ends, acknowledged bytes survive SIGKILL, and an oversized log keeps its head and
// newest tail around a marker line without failing the job.
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <future>
#include <mutex>
#include <optional>

#include "droverd_process.hpp"

using namespace drover::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string kUuid = "5b0e8f4a-9c1d-4e2f-8a3b-6c7d8e9f0a1b";
const std::string kOctets = "application/octet-stream";

std::string log_path(const std::string& job) {
    return "/api/v3/jobs/" + job + "/log";
}

json replace_op(const std::string& path, const json& value) {
    return json::array({{{"op", "replace"}, {"path", path}, {"value", value}}});
}

BytesReply put_log(httplib::Client& c, const std::string& job, const std::string& bytes,
                   std::optional<std::string> offset = std::nullopt,
                   std::optional<std::string> type = kOctets) {
    httplib::Headers h;
    if (type) h.emplace("Content-Type", *type);
    if (offset) h.emplace("X-Log-Offset", *offset);
    return call_bytes(c, "PUT", log_path(job), h, bytes);
}

BytesReply put_at(httplib::Client& c, const std::string& job, std::size_t offset,
                  const std::string& bytes) {
    return put_log(c, job, bytes, std::to_string(offset));
}

BytesReply get_log(httplib::Client& c, const std::string& job, const std::string& range = "") {
    httplib::Headers h;
    if (!range.empty()) h.emplace("Range", range);
    return call_bytes(c, "GET", log_path(job), h);
}

// A task, a stage with it, a machine in that stage and the machine's first job (created).
std::string make_job(httplib::Client& c) {
    REQUIRE(post(c, "/api/v3/tasks",
                 {{"Name", "log-task"},
                  {"Templates", {{{"Name", "run"}, {"Contents", "echo logging\n"}}}}})
                .status == 201);
    REQUIRE(post(c, "/api/v3/stages", {{"Name", "log-stage"}, {"Tasks", {"log-task"}}}).status ==
            201);
    REQUIRE(post(c, "/api/v3/machines", {{"Uuid", kUuid}, {"Name", "logger"}, {"BootEnv", "local"}})
                .status == 201);
    REQUIRE(patch(c, "/api/v3/machines/" + kUuid, replace_op("/Stage", "log-stage")).status == 200);
    auto r = post(c, "/api/v3/jobs", {{"Machine", kUuid}});
    REQUIRE(r.status == 201);
    REQUIRE(r.body["State"] == "created");
    return r.body["Uuid"].get<std::string>();
}

std::string first_line(const std::string& job) {
    return "Log for Job: " + job + "\n";
}

void set_running(httplib::Client& c, const std::string& job) {
    auto r = patch(c, "/api/v3/jobs/" + job,
                   json::array({{{"op", "test"}, {"path", "/State"}, {"value", "created"}},
                                {{"op", "replace"}, {"path", "/State"}, {"value", "running"}}}));
    REQUIRE(r.status == 200);
    REQUIRE(r.body["State"] == "running");
}

void set_finished(httplib::Client& c, const std::string& job) {
    auto r =
        patch(c, "/api/v3/jobs/" + job,
              json::array({{{"op", "test"}, {"path", "/State"}, {"value", "running"}},
                           {{"op", "replace"}, {"path", "/State"}, {"value", "finished"}},
                           {{"op", "replace"}, {"path", "/ExitState"}, {"value", "complete"}}}));
    REQUIRE(r.status == 200);
    REQUIRE(r.body["State"] == "finished");
}

void expect_error(const BytesReply& r, int code, const std::string& job) {
    CHECK(r.header("Content-Type") == "application/json");
    json body = r.json_body();
    CHECK(body["Code"] == code);
    CHECK(body["Model"] == "jobs");
    CHECK(body["Key"] == job);
    CHECK(body["Messages"].size() == 1);
}

// GET .../log?follow=true on its own connection and thread, collecting the bytes as they come.
class Follower {
  public:
    struct End {
        int status = 0;
        httplib::Headers headers;
        std::string error;
    };

    Follower(const DroverdProcess& d, const std::string& path) : client_("127.0.0.1", d.port()) {
        client_.set_read_timeout(20, 0);
        client_.set_bearer_token_auth(d.admin_token().c_str());
        end_ = std::async(std::launch::async, [this, path] {
            End end;
            auto res = client_.Get(path, httplib::Headers{}, [this](const char* data, size_t n) {
                std::lock_guard lock(mutex_);
                bytes_.append(data, n);
                changed_.notify_all();
                return true;
            });
            if (res) {
                end.status = res->status;
                end.headers = res->headers;
            } else {
                end.error = httplib::to_string(res.error());
            }
            std::lock_guard lock(mutex_);
            ended_ = true;
            changed_.notify_all();
            return end;
        });
    }
    ~Follower() {
        client_.stop();
        if (end_.valid()) end_.wait();
    }
    Follower(const Follower&) = delete;
    Follower& operator=(const Follower&) = delete;

    // Waits (bounded) until at least want.size() bytes arrived or the stream ended.
    std::string wait_for(const std::string& want) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, 10s, [&] { return bytes_.size() >= want.size() || ended_; });
        return bytes_;
    }
    std::string bytes() {
        std::lock_guard lock(mutex_);
        return bytes_;
    }
    // The response's end if the stream ended by itself within `limit`.
    std::optional<End> ended_within(std::chrono::seconds limit) {
        if (end_.wait_for(limit) != std::future_status::ready) return std::nullopt;
        return end_.get();
    }

  private:
    httplib::Client client_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::string bytes_;
    bool ended_ = false;
    std::future<End> end_;
};

}  // namespace

TEST_CASE("PUT log takes only application/octet-stream and answers 204 with X-Log-Size",
          "[integration][joblog][spec6.4]") {
    DroverdProcess d;
    auto c = d.client();
    std::string job = make_job(*c);
    std::string log = first_line(job);
    REQUIRE(log.size() == 50);

    BytesReply r = get_log(*c, job);
    REQUIRE(r.status == 200);
    CHECK(r.body == log);  // created with the job
    CHECK(r.header("X-Log-Size") == "50");

    for (std::optional<std::string> type :
         {std::optional<std::string>("text/plain"), std::optional<std::string>("application/json"),
          std::optional<std::string>()}) {
        INFO("Content-Type " << type.value_or("<none>"));
        r = put_log(*c, job, "rejected\n", std::nullopt, type);
        CHECK(r.status == 415);
        expect_error(r, 415, job);
        CHECK(r.json_body()["Type"] == "UnsupportedMediaType");
    }
    CHECK(get_log(*c, job).body == log);  // nothing of the refused uploads was written

    r = put_log(*c, job, "line one\n");
    CHECK(r.status == 204);
    CHECK(r.body.empty());
    CHECK(r.header("X-Log-Size") == "59");
    log += "line one\n";
    // A media type parameter does not change the type.
    r = put_log(*c, job, "line two\n", std::nullopt, kOctets + "; charset=binary");
    CHECK(r.status == 204);
    CHECK(r.header("X-Log-Size") == "68");
    log += "line two\n";

    r = get_log(*c, job);
    CHECK(r.status == 200);
    CHECK(r.body == log);
    CHECK(r.header("X-Log-Size") == "68");
}

TEST_CASE("X-Log-Offset: appends at the size, ignores retries, trims overlaps, refuses gaps",
          "[integration][joblog]") {
    DroverdProcess d;
    auto c = d.client();
    std::string job = make_job(*c);
    std::string log = first_line(job);
    const std::size_t base = log.size();

    BytesReply r = put_at(*c, job, base, "alpha\n");  // offset == stored size: appended
    CHECK(r.status == 204);
    CHECK(r.header("X-Log-Size") == std::to_string(base + 6));
    log += "alpha\n";

    r = put_at(*c, job, base, "alpha\n");  // the same chunk again (a retry): nothing written
    CHECK(r.status == 204);
    CHECK(r.header("X-Log-Size") == std::to_string(base + 6));
    r = put_at(*c, job, 0, "Log for");  // entirely below the size
    CHECK(r.status == 204);
    CHECK(r.header("X-Log-Size") == std::to_string(base + 6));

    r = put_at(*c, job, base + 3, "ha\nbeta\n");  // overlaps by 3: only "beta\n" is new
    CHECK(r.status == 204);
    CHECK(r.header("X-Log-Size") == std::to_string(base + 11));
    log += "beta\n";

    r = put_at(*c, job, base + 12, "gamma\n");  // one byte past the size: a gap
    CHECK(r.status == 409);
    CHECK(r.header("X-Log-Size") == std::to_string(base + 11));
    expect_error(r, 409, job);

    r = put_at(*c, job, base + 11, "");  // an empty chunk at the end
    CHECK(r.status == 204);
    CHECK(r.header("X-Log-Size") == std::to_string(base + 11));

    for (const char* bad : {"", "abc", "-1", "12x", "0x10", "1.5", "+5", "18446744073709551616"}) {
        INFO("X-Log-Offset: " << bad);
        r = put_log(*c, job, "never\n", std::string(bad));
        CHECK(r.status == 400);
        expect_error(r, 400, job);
    }

    r = put_at(*c, job, base + 11, "gamma\n");  // resumed from X-Log-Size
    CHECK(r.status == 204);
    CHECK(r.header("X-Log-Size") == std::to_string(base + 17));
    log += "gamma\n";

    r = get_log(*c, job);
    CHECK(r.status == 200);
    CHECK(r.body == log);
    CHECK(r.body == first_line(job) + "alpha\nbeta\ngamma\n");
    CHECK(r.header("X-Log-Size") == std::to_string(log.size()));
}

TEST_CASE("GET and HEAD log: octet-stream, X-Log-Size, byte ranges",
          "[integration][joblog][spec6.4]") {
    DroverdProcess d;
    auto c = d.client();
    std::string job = make_job(*c);
    REQUIRE(put_log(*c, job, "0123456789\n").status == 204);
    const std::string log = first_line(job) + "0123456789\n";
    const std::string size = std::to_string(log.size());  // 61

    BytesReply r = get_log(*c, job);
    CHECK(r.status == 200);
    CHECK(r.count("Content-Type") == 1);
    CHECK(r.header("Content-Type") == kOctets);
    CHECK(r.header("X-Log-Size") == size);
    CHECK(r.header("Content-Length") == size);
    CHECK(r.body == log);

    r = get_log(*c, job, "bytes=50-");
    CHECK(r.status == 206);
    CHECK(r.body == "0123456789\n");
    CHECK(r.header("Content-Range") == "bytes 50-60/61");
    CHECK(r.header("Content-Type") == kOctets);
    CHECK(r.header("X-Log-Size") == size);

    r = get_log(*c, job, "bytes=13-");
    CHECK(r.status == 206);
    CHECK(r.body == job + "\n0123456789\n");
    CHECK(r.header("Content-Range") == "bytes 13-60/61");

    r = get_log(*c, job, "bytes=0-2");
    CHECK(r.status == 206);
    CHECK(r.body == "Log");
    CHECK(r.header("Content-Range") == "bytes 0-2/61");

    r = get_log(*c, job, "bytes=62-");
    CHECK(r.status == 416);
    CHECK(r.header("Content-Range") == "bytes */61");
    CHECK(r.header("X-Log-Size") == size);
    CHECK(r.json_body()["Code"] == 416);

    r = call_bytes(*c, "HEAD", log_path(job));
    CHECK(r.status == 200);
    CHECK(r.header("X-Log-Size") == size);
    CHECK(r.header("Content-Length") == size);
    CHECK(r.header("Content-Type") == kOctets);
    CHECK(r.body.empty());

    // Appends show in the next HEAD.
    REQUIRE(put_log(*c, job, "more\n").status == 204);
    r = call_bytes(*c, "HEAD", log_path(job));
    CHECK(r.status == 200);
    CHECK(r.header("X-Log-Size") == std::to_string(log.size() + 5));
}

// Found as a bug, fixed: the 416 reply carries two Content-Type headers ("application/octet-stream"
// set for the log, then "application/json" for the error body), and a range starting exactly at the
// end of the log (`bytes=<size>-`) is answered 206 with `Content-Range: bytes 61-61/61`, claiming
// one byte while sending none. RFC 9110 15.5.17: a range whose first byte is at or past the length
// is unsatisfiable (416, `Content-Range: bytes */<size>`). The correct behaviour is asserted.
TEST_CASE("log ranges: one Content-Type on 416, and bytes=<size>- is unsatisfiable",
          "[integration][joblog]") {
    DroverdProcess d;
    auto c = d.client();
    std::string job = make_job(*c);
    REQUIRE(put_log(*c, job, "0123456789\n").status == 204);

    BytesReply r = get_log(*c, job, "bytes=62-");
    REQUIRE(r.status == 416);
    CHECK(r.count("Content-Type") == 1);
    CHECK(r.header("Content-Type") == "application/json");

    r = get_log(*c, job, "bytes=61-");
    CHECK(r.status == 416);
    CHECK(r.header("Content-Range") == "bytes */61");
}

TEST_CASE("job log of an unknown job is 404", "[integration][joblog]") {
    DroverdProcess d;
    auto c = d.client();
    const std::string ghost = "0b7c2d1e-3f4a-4b5c-8d6e-7f8091a2b3c4";
    BytesReply r = get_log(*c, ghost);
    CHECK(r.status == 404);
    CHECK(r.json_body()["Code"] == 404);
    r = put_log(*c, ghost, "orphan\n");
    CHECK(r.status == 404);
    CHECK(r.json_body()["Code"] == 404);
    r = put_at(*c, ghost, 0, "orphan\n");
    CHECK(r.status == 404);
    CHECK(call_bytes(*c, "HEAD", log_path(ghost)).status == 404);
    CHECK(get_log(*c, ghost).status == 404);  // the refused PUTs created nothing
}

TEST_CASE("acknowledged log bytes survive SIGKILL and uploads resume from X-Log-Size",
          "[integration][joblog][durability]") {
    DroverdProcess d;
    auto c = d.client();
    std::string job = make_job(*c);
    std::string log = first_line(job);
    for (int i = 0; i < 20; ++i) {
        std::string chunk =
            "chunk " + std::to_string(i) + " " + std::string(40, static_cast<char>('a' + i)) + "\n";
        BytesReply r = put_at(*c, job, log.size(), chunk);
        REQUIRE(r.status == 204);
        log += chunk;
        REQUIRE(r.header("X-Log-Size") == std::to_string(log.size()));
    }

    d.kill9();
    d.start();
    c = d.client();

    BytesReply r = call_bytes(*c, "HEAD", log_path(job));
    REQUIRE(r.status == 200);
    CHECK(r.header("X-Log-Size") == std::to_string(log.size()));
    r = get_log(*c, job);
    CHECK(r.status == 200);
    CHECK(r.body == log);

    // An agent that does not know what landed resends its last chunk, then goes on.
    std::string last = "chunk 19 " + std::string(40, 'a' + 19) + "\n";
    r = put_at(*c, job, log.size() - last.size(), last);
    CHECK(r.status == 204);
    CHECK(r.header("X-Log-Size") == std::to_string(log.size()));
    r = put_at(*c, job, log.size() + 1, "skipped\n");
    CHECK(r.status == 409);
    const std::string resume_at = r.header("X-Log-Size");
    CHECK(resume_at == std::to_string(log.size()));
    r = put_log(*c, job, "after restart\n", resume_at);
    CHECK(r.status == 204);
    log += "after restart\n";
    CHECK(r.header("X-Log-Size") == std::to_string(log.size()));

    d.restart();  // and a clean restart keeps it too
    c = d.client();
    r = get_log(*c, job);
    CHECK(r.body == log);
    CHECK(r.header("X-Log-Size") == std::to_string(log.size()));
}

TEST_CASE("follow streams appended bytes live and ends when the job finishes",
          "[integration][joblog][follow]") {
    DroverdProcess d;
    auto c = d.client();
    std::string job = make_job(*c);
    set_running(*c, job);
    std::string log = first_line(job) + "before follow\n";
    REQUIRE(put_log(*c, job, "before follow\n").status == 204);

    Follower f(d, log_path(job) + "?follow=true");
    CHECK(f.wait_for(log) == log);  // what was there

    REQUIRE(put_at(*c, job, log.size(), "live 1\n").status == 204);
    log += "live 1\n";
    CHECK(f.wait_for(log) == log);  // pushed, the response still open
    REQUIRE(put_at(*c, job, log.size(), "live 2\n").status == 204);
    log += "live 2\n";
    CHECK(f.wait_for(log) == log);
    CHECK_FALSE(f.ended_within(0s));

    REQUIRE(put_at(*c, job, log.size(), "last words\n").status == 204);
    log += "last words\n";
    set_finished(*c, job);
    auto end = f.ended_within(10s);
    REQUIRE(end);  // the stream ended by itself
    CHECK(end->error.empty());
    CHECK(end->status == 200);
    CHECK(BytesReply{0, "", end->headers}.header("Content-Type") == kOctets);
    CHECK(f.bytes() == log);  // everything, once, in order
}

TEST_CASE("SIGTERM ends a follow after what was acknowledged, a Range request resumes it",
          "[integration][joblog][follow][shutdown]") {
    DroverdProcess d;
    auto c = d.client();
    std::string job = make_job(*c);
    set_running(*c, job);
    std::string log = first_line(job) + "before the stop\n";
    REQUIRE(put_log(*c, job, "before the stop\n").status == 204);
    std::size_t followed = 0;
    {
        Follower f(d, log_path(job) + "?follow=true");
        CHECK(f.wait_for(log) == log);
        d.send_signal(SIGTERM);
        auto end = f.ended_within(20s);
        REQUIRE(end);  // ended by the server, not by the client's timeout
        CHECK(end->error.empty());
        CHECK(end->status == 200);
        CHECK(f.bytes() == log);
        followed = f.bytes().size();
    }
    REQUIRE(d.wait_exit(25s) == std::optional<int>(0));
    d.start();
    c = d.client();
    REQUIRE(put_at(*c, job, log.size(), "after the restart\n").status == 204);
    log += "after the restart\n";
    auto rest = get_log(*c, job, "bytes=" + std::to_string(followed) + "-");
    CHECK(rest.status == 206);
    CHECK(log.substr(0, followed) + rest.body == log);
}

TEST_CASE("follow on a finished job returns the log and ends at once",
          "[integration][joblog][follow]") {
    DroverdProcess d;
    auto c = d.client();
    std::string job = make_job(*c);
    set_running(*c, job);
    REQUIRE(put_log(*c, job, "all done\n").status == 204);
    set_finished(*c, job);
    const std::string log = first_line(job) + "all done\n";

    auto started = std::chrono::steady_clock::now();
    Follower f(d, log_path(job) + "?follow=true");
    auto end = f.ended_within(10s);
    REQUIRE(end);
    CHECK(std::chrono::steady_clock::now() - started < 5s);
    CHECK(end->error.empty());
    CHECK(end->status == 200);
    CHECK(f.bytes() == log);

    // A follower that starts from a range gets only the rest.
    httplib::Client raw("127.0.0.1", d.port());
    raw.set_read_timeout(10, 0);
    raw.set_bearer_token_auth(d.admin_token().c_str());
    auto res = raw.Get(log_path(job) + "?follow=true", {{"Range", "bytes=50-"}});
    REQUIRE(res);
    CHECK(res->status == 206);
    CHECK(res->body == "all done\n");
}

TEST_CASE("a log past --job-log-max-bytes keeps head and tail around a marker",
          "[integration][joblog][truncation]") {
    DroverdProcess d({"--job-log-max-bytes", "200"});
    auto c = d.client();
    std::string job = make_job(*c);
    set_running(*c, job);
    std::string full = first_line(job);  // 50 bytes
    for (char fill = 'a'; fill <= 'e'; ++fill) {
        // 60 recognisable bytes each: "chunk a aaaa...a\n"
        std::string chunk = std::string("chunk ") + fill + " " + std::string(51, fill) + "\n";
        REQUIRE(chunk.size() == 60);
        BytesReply r = put_at(*c, job, full.size(), chunk);
        REQUIRE(r.status == 204);
        full += chunk;
        CHECK(r.header("X-Log-Size") == std::to_string(full.size()));  // counts every byte
    }
    REQUIRE(full.size() == 350);

    // Max 200 keeps the first 100 bytes and at least the newest 100. The store rewrites its tail
    // to exactly the newest 100 whenever the kept tail would exceed 200: at 230 bytes (tail from
    // 130) and again at 350 (tail from 250), so bytes [100, 250) are the omitted 150.
    BytesReply r = get_log(*c, job);
    REQUIRE(r.status == 200);
    CHECK(r.header("X-Log-Size") == "350");
    const std::string marker = "\n[drover: log truncated: 150 bytes omitted]\n";
    CHECK(r.body == full.substr(0, 100) + marker + full.substr(250));
    CHECK(r.body.rfind(first_line(job), 0) == 0);
    REQUIRE(r.body.size() >= 60);
    CHECK(r.body.substr(r.body.size() - 60) == "chunk e " + std::string(51, 'e') + "\n");

    // The tail still reads by logical offset.
    r = get_log(*c, job, "bytes=300-");
    CHECK(r.status == 206);
    CHECK(r.body == full.substr(300));
    CHECK(r.header("Content-Range") == "bytes 300-349/350");

    // A retry of a chunk in the dropped middle is still recognised as already stored.
    r = put_at(*c, job, 110, full.substr(110, 60));
    CHECK(r.status == 204);
    CHECK(r.header("X-Log-Size") == "350");
    r = put_at(*c, job, 351, "gap\n");
    CHECK(r.status == 409);
    CHECK(r.header("X-Log-Size") == "350");

    // Truncation is not a job failure.
    auto j = get(*c, "/api/v3/jobs/" + job);
    REQUIRE(j.status == 200);
    CHECK(j.body["State"] == "running");
    CHECK(j.body["ExitState"] == "");

    // And it survives a restart.
    d.kill9();
    d.start();
    c = d.client();
    r = get_log(*c, job);
    CHECK(r.body == full.substr(0, 100) + marker + full.substr(250));
    CHECK(r.header("X-Log-Size") == "350");
}
