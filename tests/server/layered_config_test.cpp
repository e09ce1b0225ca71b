// Layered configuration over a small CLI11 App: flag > environment > file > default, environment
// names made for every option, unknown keys and missing explicit files refused with their names,
// a missing default file allowed, and --print-config with secrets masked. Environment variables
// here are named DROVERTEST_* so nothing else in the process reads them.
#include "server/config/layered_config.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "store_test_util.hpp"

using namespace drover::server::config;
using drover::store::testing::TempDir;

namespace {

// An App with three options, as a program would declare them.
struct Program {
    CLI::App app{"test program", "prog"};
    int workers = 16;
    std::string name = "local";
    std::string password;
    bool plain = false;
    Program() {
        app.add_option("--workers", workers, "threads")->capture_default_str();
        app.add_option("--name", name, "a name")->capture_default_str();
        app.add_option("--admin-password", password, "a secret");
        app.add_flag("--plain", plain, "a flag");
    }
};

// Sets a variable for one scope.
struct ScopedEnv {
    std::string name;
    ScopedEnv(std::string n, const std::string& value) : name(std::move(n)) {
        ::setenv(name.c_str(), value.c_str(), 1);
    }
    ~ScopedEnv() { ::unsetenv(name.c_str()); }
};

std::string write_file(const TempDir& dir, const std::string& name, const std::string& text) {
    std::string path = dir.path + "/" + name;
    std::ofstream(path) << text;
    return path;
}

LayeredConfigOptions options(const std::string& default_file) {
    return {"DROVERTEST", default_file};
}

}  // namespace

TEST_CASE("a flag beats the environment, which beats the file, which beats the default",
          "[config]") {
    TempDir dir;
    std::string file =
        write_file(dir, "p.conf", "workers = 3\nname = \"from-file\"\nplain = true\n");
    ScopedEnv env("DROVERTEST_NAME", "from-env");
    ScopedEnv env_workers("DROVERTEST_WORKERS", "5");
    Program p;
    auto outcome = parse_layered(p.app, {"--config", file, "--workers", "7"}, options(""));
    REQUIRE(outcome.run);
    CHECK(outcome.file_read == file);
    CHECK(p.workers == 7);        // flag over env and file
    CHECK(p.name == "from-env");  // env over file
    CHECK(p.plain);               // file over default
    CHECK(p.password.empty());    // default
}

TEST_CASE("every configurable option gets an environment name, --config and meta flags none",
          "[config]") {
    Program p;
    REQUIRE(parse_layered(p.app, {}, options("/nonexistent/p.conf")).run);
    CHECK(p.app.get_option("--workers")->get_envname() == "DROVERTEST_WORKERS");
    CHECK(p.app.get_option("--admin-password")->get_envname() == "DROVERTEST_ADMIN_PASSWORD");
    CHECK(p.app.get_option("--plain")->get_envname() == "DROVERTEST_PLAIN");
    CHECK(p.app.get_option("--config")->get_envname().empty());
    CHECK(p.app.get_option("--print-config")->get_envname().empty());
    CHECK(upper_snake("job-sweep-interval-ms") == "JOB_SWEEP_INTERVAL_MS");
}

TEST_CASE("a missing default file means defaults, a missing named file is an error", "[config]") {
    TempDir dir;
    Program p;
    auto absent = parse_layered(p.app, {}, options(dir.path + "/absent.conf"));
    CHECK(absent.run);
    CHECK(absent.file_read.empty());
    CHECK(p.workers == 16);

    Program q;
    auto named = parse_layered(q.app, {"--config", dir.path + "/absent.conf"}, options(""));
    CHECK_FALSE(named.run);
    CHECK(named.exit_code == 2);
    CHECK_THAT(named.err, Catch::Contains("cannot read config file " + dir.path + "/absent.conf"));

    ScopedEnv env("DROVERTEST_CONFIG", dir.path + "/absent.conf");
    Program r;
    auto from_env = parse_layered(r.app, {}, options(""));
    CHECK_FALSE(from_env.run);
    CHECK(from_env.exit_code == 2);
}

TEST_CASE("the default file is read when present, $PREFIX_CONFIG names another", "[config]") {
    TempDir dir;
    std::string default_file = write_file(dir, "default.conf", "workers = 4\n");
    std::string other = write_file(dir, "other.conf", "workers = 9\n");
    Program p;
    auto outcome = parse_layered(p.app, {}, options(default_file));
    CHECK(outcome.file_read == default_file);
    CHECK(p.workers == 4);

    ScopedEnv env("DROVERTEST_CONFIG", other);
    Program q;
    outcome = parse_layered(q.app, {}, options(default_file));
    CHECK(outcome.file_read == other);
    CHECK(q.workers == 9);
}

TEST_CASE("unknown keys, sections and keys that are not settings are refused by name", "[config]") {
    TempDir dir;
    struct Case {
        const char* text;
        const char* message;
    };
    for (const Case& c : {Case{"workers = 2\nworkrs = 3\n", "unknown key \"workrs\""},
                          Case{"DROVERTEST_WORKERS = 3\n", "unknown key \"DROVERTEST_WORKERS\""},
                          Case{"[server]\nworkers = 3\n", "sections are not used, found [server]"},
                          Case{"config = \"x\"\n", "\"config\" cannot be set in a config file"},
                          Case{"help = true\n", "\"help\" cannot be set in a config file"}}) {
        Program p;
        std::string file = write_file(dir, "bad.conf", c.text);
        auto outcome = parse_layered(p.app, {"--config", file}, options(""));
        CHECK_FALSE(outcome.run);
        CHECK(outcome.exit_code == 2);
        CHECK_THAT(outcome.err,
                   Catch::Contains("config file " + file) && Catch::Contains(c.message));
    }
}

TEST_CASE("the effective configuration prints as a file, secrets masked", "[config]") {
    TempDir dir;
    std::string file =
        write_file(dir, "p.conf", "name = \"from file\"\nadmin-password = hunter2\n");
    Program p;
    auto outcome =
        parse_layered(p.app, {"--config", file, "--print-config", "--plain"}, options(""));
    CHECK_FALSE(outcome.run);
    CHECK(outcome.exit_code == 0);
    CHECK_THAT(outcome.out, Catch::Contains("workers = 16\nname = \"from file\"\n"
                                            "# admin-password = (set, not shown)\nplain = true\n"));
    CHECK(outcome.out.find("hunter2") == std::string::npos);

    // What it printed reads back to the same values.
    std::string printed = write_file(dir, "printed.conf", outcome.out);
    Program q;
    REQUIRE(parse_layered(q.app, {"--config", printed}, options("")).run);
    CHECK(q.name == "from file");
    CHECK(q.plain);
    CHECK(q.password.empty());

    Program r;
    CHECK_THAT(parse_layered(r.app, {"--print-config"}, options("")).out,
               Catch::Contains("admin-password = \"\"\n"));
}

TEST_CASE("secret-looking option names", "[config]") {
    for (const char* secret :
         {"admin-password", "bmc-secret", "key-passphrase", "api-token", "db-credentials"})
        CHECK(is_secret_option(secret));
    for (const char* plain : {"token-ttl-seconds", "tls-key", "data-dir", "infinite-token-ttl"})
        CHECK_FALSE(is_secret_option(plain));
}
