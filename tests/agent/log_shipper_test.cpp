// The log shipper against a stand-in for droverd's log endpoint (offset semantics of
// PUT /jobs/<id>/log): chunks carry X-Log-Offset, acknowledgements come from X-Log-Size, and a
// server that goes away and comes back (same port, same stored log) gets every byte exactly once.
#include <catch2/catch.hpp>
#include <filesystem>
#include <mutex>
#include <thread>

#include <httplib.h>

#include "agent/fsm/log_shipper.hpp"

using namespace drover;

namespace {

// The server's side: a log with its first line, offsets as droverd treats them.
struct FakeLogServer {
    std::mutex mutex;
    std::string log = "Log for Job: j1\n";
    int puts = 0;
    httplib::Server server;
    std::thread thread;
    int port = 0;

    void start(int fixed_port = 0) {
        server.Put("/api/v3/jobs/j1/log",
                   [this](const httplib::Request& req, httplib::Response& res) {
                       std::lock_guard lock(mutex);
                       ++puts;
                       std::uint64_t offset = std::stoull(req.get_header_value("X-Log-Offset"));
                       if (offset > log.size()) {
                           res.status = 409;
                       } else if (offset + req.body.size() > log.size()) {
                           log += req.body.substr(log.size() - offset);
                           res.status = 204;
                       } else {
                           res.status = 204;
                       }
                       res.set_header("X-Log-Size", std::to_string(log.size()));
                   });
        server.Get("/api/v3/jobs/j1/log", [this](const httplib::Request&, httplib::Response& res) {
            std::lock_guard lock(mutex);
            res.set_header("X-Log-Size", std::to_string(log.size()));
            res.set_content(log, "application/octet-stream");
        });
        if (fixed_port)
            REQUIRE(server.bind_to_port("127.0.0.1", fixed_port));
        else
            port = server.bind_to_any_port("127.0.0.1");
        thread = std::thread([this] { server.listen_after_bind(); });
    }
    void stop() {
        server.stop();
        thread.join();
    }
    std::string stored() {
        std::lock_guard lock(mutex);
        return log;
    }
};

client::ClientOptions options(int port) {
    client::ClientOptions o;
    o.endpoint = "http://127.0.0.1:" + std::to_string(port);
    o.retry_delays = {std::chrono::milliseconds(100)};
    o.retry_every = std::chrono::milliseconds(100);
    return o;
}

struct TempDir {
    std::string path =
        std::filesystem::temp_directory_path() / ("shipper-" + std::to_string(getpid()));
    TempDir() { std::filesystem::create_directories(path); }
    ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("the shipper appends after the server's first line and flushes on demand", "[logship]") {
    FakeLogServer s;
    s.start();
    TempDir dir;
    {
        agent::LogShipper shipper(options(s.port), "j1", dir.path, false);
        shipper.write("hello\n");
        shipper.write("world\n");
        REQUIRE(shipper.flush(std::chrono::seconds(10)));
        CHECK(shipper.acknowledged() == s.stored().size());
    }
    CHECK(s.stored() == "Log for Job: j1\nhello\nworld\n");
    CHECK_FALSE(std::filesystem::exists(dir.path + "/j1.spool"));  // all acknowledged
    s.stop();
}

TEST_CASE("big output goes in chunks of at most 64 KiB", "[logship]") {
    FakeLogServer s;
    s.start();
    TempDir dir;
    std::string big(200 * 1024, 'x');
    {
        agent::LogShipper shipper(options(s.port), "j1", dir.path, false);
        shipper.write(big);
        REQUIRE(shipper.flush(std::chrono::seconds(10)));
    }
    CHECK(s.stored() == "Log for Job: j1\n" + big);
    CHECK(s.puts >= 4);
    s.stop();
}

TEST_CASE("a server that goes away and comes back gets every byte exactly once", "[logship]") {
    auto s = std::make_unique<FakeLogServer>();
    s->start();
    const int port = s->port;
    TempDir dir;
    std::string expected = "Log for Job: j1\n";
    agent::LogShipper shipper(options(port), "j1", dir.path, false);
    for (int i = 0; i < 50; ++i) {
        std::string line = "line " + std::to_string(i) + "\n";
        expected += line;
        shipper.write(line);
        if (i == 20) {
            std::string kept = s->stored();
            s->stop();  // the server restarts: what it acknowledged is kept, nothing else
            s = std::make_unique<FakeLogServer>();
            s->log = kept;
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            s->start(port);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    REQUIRE(shipper.flush(std::chrono::seconds(20)));
    CHECK(s->stored() == expected);
    s->stop();
}

TEST_CASE("a spool left by a dead agent is shipped by the next one", "[logship]") {
    FakeLogServer s;
    s.start();
    TempDir dir;
    {
        // An unreachable server: the bytes stay in the spool.
        client::ClientOptions gone = options(1);
        gone.retry_every.reset();
        gone.retry_delays.clear();
        agent::LogShipper shipper(gone, "j1", dir.path, false);
        shipper.write("written while the server was unreachable\n");
        CHECK_FALSE(shipper.flush(std::chrono::milliseconds(300)));
    }
    REQUIRE(std::filesystem::exists(dir.path + "/j1.spool"));
    agent::LogShipper::ship_leftovers(options(s.port), dir.path);
    CHECK(s.stored() == "Log for Job: j1\nwritten while the server was unreachable\n");
    CHECK_FALSE(std::filesystem::exists(dir.path + "/j1.spool"));
    s.stop();
}
