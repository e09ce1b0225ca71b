// The admin CLI's commands on streams (spec 6.4, 6.6, 6.8), the real `drover` binary against a
// real droverd: `wait` (complete, timeout, interrupt), `events watch` (--count, SIGINT) and
// `jobs log --follow` ending when the job finishes, plus `jobs log` and `jobs actions`.
#include <catch2/catch.hpp>
#include <sstream>
#include <thread>

#include "cli_process.hpp"
#include "droverd_process.hpp"

using namespace drover::testing;
using nlohmann::json;

namespace {

struct Cli {
    DroverdProcess d;
    std::unique_ptr<httplib::Client> http = d.client();

    std::vector<std::string> args(std::vector<std::string> a) const {
        a.insert(a.begin(), {"-E", "http://127.0.0.1:" + std::to_string(d.port())});
        return a;
    }
    CliResult run(const std::vector<std::string>& a) const { return run_cli(args(a)); }
    std::unique_ptr<CliProcess> start(const std::vector<std::string>& a) const {
        return std::make_unique<CliProcess>(args(a));
    }
    void describe(const std::string& profile, const std::string& text) const {
        auto r =
            patch(*http, "/api/v3/profiles/" + profile,
                  json::array({{{"op", "replace"}, {"path", "/Description"}, {"value", text}}}));
        REQUIRE(r.status == 200);
    }
};

std::vector<json> json_lines(const std::string& out) {
    std::vector<json> lines;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
        lines.push_back(json::parse(line));
    return lines;
}

void sleep_ms(int ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

}  // namespace

TEST_CASE("cli: wait prints complete, timeout or interrupt", "[integration][cli]") {
    Cli cli;
    REQUIRE(post(*cli.http, "/api/v3/profiles", {{"Name", "p1"}}).status == 201);
    std::string m = post(*cli.http, "/api/v3/machines", {{"Name", "m1"}}).body["Uuid"];

    auto already = cli.run({"profiles", "wait", "p1", "Name", "p1"});
    CHECK(already.status == 0);
    CHECK(already.out == "complete\n");
    REQUIRE(patch(*cli.http, "/api/v3/profiles/p1",
                  json::array({{{"op", "add"}, {"path", "/Meta/color"}, {"value", "red"}}}))
                .status == 200);
    CHECK(cli.run({"profiles", "wait", "p1", "Meta.color", "red"}).out == "complete\n");
    CHECK(cli.run({"machines", "wait", m, "Runnable", "true"}).out == "complete\n");

    auto started = std::chrono::steady_clock::now();
    auto timeout = cli.run({"profiles", "wait", "p1", "Description", "ready", "1"});
    auto took = std::chrono::steady_clock::now() - started;
    CHECK(timeout.status == 1);
    CHECK(timeout.out == "timeout\n");
    CHECK(took >= std::chrono::seconds(1));
    CHECK(took < std::chrono::seconds(5));

    auto waiting = cli.start({"profiles", "wait", "p1", "Description", "ready", "30s"});
    auto runnable = cli.start({"machines", "wait", "Name:m1", "Runnable", "false"});
    waiting->wait_until_watching();
    runnable->wait_until_watching();
    cli.describe("p1", "not yet");
    sleep_ms(200);
    CHECK(waiting->running());
    cli.describe("p1", "ready");
    REQUIRE(patch(*cli.http, "/api/v3/machines/" + m,
                  json::array({{{"op", "replace"}, {"path", "/Runnable"}, {"value", false}}}))
                .status == 200);
    auto done = waiting->wait();
    CHECK(done.status == 0);
    CHECK(done.out == "complete\n");
    CHECK(runnable->wait().out == "complete\n");

    auto interrupted = cli.start({"profiles", "wait", "p1", "Description", "never"});
    interrupted->interrupt();
    auto r = interrupted->wait();
    CHECK(r.status == 1);
    CHECK(r.out == "interrupt\n");

    auto missing = cli.run({"profiles", "wait", "nope", "Name", "x"});
    CHECK(missing.status == 1);
    CHECK(missing.err == "Error: Not Found\n");
    auto bad = cli.run({"profiles", "wait", "p1", "Name", "x", "soon"});
    CHECK(bad.status == 1);
    CHECK(bad.err == "Error: timeout must be seconds or a duration such as 5m: soon\n");
}

TEST_CASE("cli: events watch prints each event as one JSON line until --count or SIGINT",
          "[integration][cli]") {
    Cli cli;
    for (const char* p : {"p1", "p2"})
        REQUIRE(post(*cli.http, "/api/v3/profiles", {{"Name", p}}).status == 201);

    auto counted = cli.start({"events", "watch", "profiles.update.p1", "--count", "2"});
    counted->wait_until_watching();
    for (int i = 0; i < 100 && counted->running(); ++i) {
        cli.describe("p2", "other " + std::to_string(i));
        cli.describe("p1", "mine " + std::to_string(i));
        sleep_ms(50);
    }
    auto r = counted->wait();
    CHECK(r.status == 0);
    auto events = json_lines(r.out);
    REQUIRE(events.size() == 2);
    for (const auto& e : events) {
        CHECK(e["Type"] == "profiles");
        CHECK(e["Action"] == "update");
        CHECK(e["Key"] == "p1");
        CHECK(e["Object"]["Name"] == "p1");
    }

    auto all = cli.start({"events", "watch"});
    all->wait_until_watching();
    for (int i = 0; i < 100 && all->out_so_far().empty(); ++i) {
        cli.describe("p2", "again " + std::to_string(i));
        sleep_ms(50);
    }
    all->interrupt();
    auto ended = all->wait();
    CHECK(ended.status == 0);
    CHECK_FALSE(json_lines(ended.out).empty());

    auto bad = cli.run({"events", "watch", "profiles.update"});
    CHECK(bad.status == 1);
    CHECK(bad.err.rfind("Error: ", 0) == 0);
}

TEST_CASE("cli: jobs log, log --follow until the job finishes, and actions", "[integration][cli]") {
    Cli cli;
    json task = {{"Name", "hello"},
                 {"Templates", {{{"Name", "say"}, {"Contents", "echo {{.Machine.Name}}"}}}}};
    REQUIRE(post(*cli.http, "/api/v3/tasks", task).status == 201);
    std::string m =
        post(*cli.http, "/api/v3/machines", {{"Name", "m1"}, {"Tasks", {"hello"}}}).body["Uuid"];
    auto created = cli.run({"jobs", "create", m});
    REQUIRE(created.status == 0);
    std::string job = json::parse(created.out)["Uuid"];

    auto actions = cli.run({"jobs", "actions", job, "--os", "linux"});
    REQUIRE(actions.status == 0);
    auto list = json::parse(actions.out);
    REQUIRE(list.size() == 1);
    CHECK(list[0]["Name"] == "say");
    CHECK(list[0]["Content"] == "echo m1");
    CHECK(cli.run({"jobs", "update", job, R"({"State":"running"})"}).status == 0);

    auto follow = cli.start({"jobs", "log", job, "--follow"});
    std::string path = "/api/v3/jobs/" + job + "/log";
    REQUIRE(cli.http->Put(path.c_str(), "one\n", "application/octet-stream"));
    REQUIRE(cli.http->Put(path.c_str(), "two\n", "application/octet-stream"));
    for (int i = 0; i < 200 && follow->out_so_far().find("two\n") == std::string::npos; ++i)
        sleep_ms(25);
    CHECK(follow->running());
    auto finished =
        cli.run({"jobs", "update", job, R"({"State":"finished","ExitState":"complete"})"});
    CHECK(finished.status == 0);
    auto followed = follow->wait(std::chrono::seconds(20));
    CHECK(followed.status == 0);
    CHECK(followed.out.ends_with("one\ntwo\n"));

    auto plain = cli.run({"jobs", "log", job});
    CHECK(plain.status == 0);
    CHECK(plain.out == followed.out);
    auto missing = cli.run({"jobs", "log", "3e7031fe-3062-45f1-835c-92541bc9cbd3"});
    CHECK(missing.status == 1);
    CHECK(missing.err == "Error: Not Found\n");
}
