// Starting droverd: the data dir is created, a second droverd on the same data dir or port
// refuses to start, the body limit is configurable, and a restart keeps everything.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "droverd_process.hpp"

using namespace drover::testing;
using nlohmann::json;

namespace {

// Runs droverd with `args` and returns its exit status (it must exit by itself).
int run_to_exit(std::vector<std::string> args) {
    args.insert(args.begin(), DROVERD_PATH);
    std::fflush(nullptr);  // or the child repeats our buffered output
    pid_t pid = fork();
    if (pid == 0) {
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("a second droverd on the same data dir or port refuses to start",
          "[integration][startup]") {
    DroverdProcess d;
    CHECK(run_to_exit({"--data-dir", d.data_dir(), "--listen", "127.0.0.1:0"}) == 1);
    char other[] = "/tmp/droverd-other-XXXXXX";
    REQUIRE(mkdtemp(other));
    CHECK(run_to_exit({"--data-dir", other, "--listen", "127.0.0.1:" + std::to_string(d.port())}) ==
          1);
    std::filesystem::remove_all(other);
    CHECK(run_to_exit({"--listen", "nonsense"}) == 2);
    // The first one is unharmed.
    CHECK(get(*d.client(), "/healthz").status == 200);
}

TEST_CASE("the request body limit is configurable and answered with 413",
          "[integration][startup]") {
    DroverdProcess d({"--max-body-bytes", "1024"});
    auto c = d.client();
    json big{{"Name", "p1"}, {"Description", std::string(4096, 'x')}};
    auto r = post(*c, "/api/v3/profiles", big);
    CHECK(r.status == 413);
    CHECK(r.body["Code"] == 413);
    CHECK(post(*d.client(), "/api/v3/profiles", {{"Name", "p1"}}).status == 201);
}

TEST_CASE("a clean restart keeps every object and the event sequence", "[integration][startup]") {
    DroverdProcess d;
    auto c = d.client();
    REQUIRE(post(*c, "/api/v3/tasks", {{"Name", "t1"}}).status == 201);
    REQUIRE(post(*c, "/api/v3/stages", {{"Name", "s1"}, {"Tasks", {"t1"}}}).status == 201);
    d.restart();
    c = d.client();
    CHECK(get(*c, "/api/v3/stages/s1").body["Available"] == true);
    CHECK(del(*c, "/api/v3/tasks/t1").status == 409);     // the reverse references survived too
    CHECK(get(*c, "/api/v3/bootenvs").body.size() == 2);  // built-ins are not duplicated
}
