// droverd's configuration through the real binary, whose --print-config makes it cheap (nothing
// starts): the shipped packaging/droverd.conf holds every key, commented out with its default;
// flag > DROVER_* environment > config file > default; a bad config file stops droverd with the
// key named. Each run gets exactly the environment the test gives it.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

namespace {

struct Run {
    int code = -1;
    std::string out, err;
};

class TempDir {
  public:
    TempDir() {
        char tmpl[] = "/tmp/droverd-config-XXXXXX";
        REQUIRE(mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string write(const std::string& name, const std::string& text) const {
        std::string file = path + "/" + name;
        std::ofstream(file) << text;
        return file;
    }
    std::string path;
};

std::string slurp(const std::string& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Runs droverd to its exit with `args` and nothing in its environment but `env`.
Run run_droverd(std::vector<std::string> args, std::vector<std::string> env = {}) {
    TempDir io;
    std::string out = io.path + "/out", err = io.path + "/err";
    args.insert(args.begin(), DROVERD_PATH);
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(out.c_str(), "w", stdout) || !freopen(err.c_str(), "w", stderr)) _exit(126);
        std::vector<char*> argv, envp;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        for (auto& e : env)
            envp.push_back(e.data());
        envp.push_back(nullptr);
        execve(argv[0], argv.data(), envp.data());
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    Run r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
}

// `key = value` lines of --print-config output (comments dropped), by key.
std::map<std::string, std::string> settings(const std::string& printed) {
    std::map<std::string, std::string> out;
    std::istringstream lines(printed);
    std::string line;
    static const std::regex setting(R"(^([a-z0-9-]+) = (.*)$)");
    std::smatch m;
    while (std::getline(lines, line))
        if (std::regex_match(line, m, setting)) out[m[1]] = m[2];
    return out;
}

// The built-in defaults: no environment, an empty config file.
std::map<std::string, std::string> defaults(const TempDir& dir) {
    Run r = run_droverd({"--config", dir.write("empty.conf", ""), "--print-config"});
    REQUIRE(r.code == 0);
    return settings(r.out);
}

const std::string kShipped = std::string(DROVER_SOURCE_DIR) + "/packaging/droverd.conf";

}  // namespace

TEST_CASE("the shipped droverd.conf parses and, uncommented, is exactly the defaults",
          "[integration][config]") {
    TempDir dir;
    auto builtin = defaults(dir);
    REQUIRE(builtin.size() > 20);
    CHECK(builtin.at("data-dir") == "\"/var/lib/drover\"");  // what a systemd service gets

    Run as_shipped = run_droverd({"--config", kShipped, "--print-config"});
    REQUIRE(as_shipped.code == 0);
    CHECK(settings(as_shipped.out) == builtin);

    // Every `# key = value` line uncommented: every key there, each with its default.
    std::string uncommented =
        std::regex_replace(slurp(kShipped), std::regex(R"((^|\n)# ([a-z0-9-]+ = ))"), "$1$2");
    auto listed = settings(uncommented);
    CHECK(listed == builtin);
    Run parsed =
        run_droverd({"--config", dir.write("uncommented.conf", uncommented), "--print-config"});
    REQUIRE(parsed.code == 0);
    CHECK(settings(parsed.out) == builtin);
}

TEST_CASE("droverd: a flag beats DROVER_*, which beats the config file, which beats the default",
          "[integration][config]") {
    TempDir dir;
    std::string file = dir.write("droverd.conf",
                                 "workers = 3\n"
                                 "heartbeat-seconds = 4\n"
                                 "event-retention-count = 5\n");
    Run r = run_droverd({"--config", file, "--event-retention-count", "8", "--print-config"},
                        {"DROVER_HEARTBEAT_SECONDS=6", "DROVER_EVENT_RETENTION_COUNT=7",
                         "DROVER_DEFAULT_BOOTENV=sledgehammer"});
    REQUIRE(r.code == 0);
    auto got = settings(r.out);
    CHECK(got.at("workers") == "3");                         // file over default
    CHECK(got.at("heartbeat-seconds") == "6");               // env over file
    CHECK(got.at("event-retention-count") == "8");           // flag over env and file
    CHECK(got.at("default-bootenv") == "\"sledgehammer\"");  // env over default
    CHECK(got.at("listen") == "\"0.0.0.0:8092\"");           // default
    CHECK_THAT(r.out,
               Catch::StartsWith("# droverd effective configuration") && Catch::Contains(file));
}

TEST_CASE("droverd --print-config masks the admin password and starts nothing",
          "[integration][config]") {
    TempDir dir;
    std::string data_dir = dir.path + "/never-made";
    Run r = run_droverd(
        {"--config", dir.write("empty.conf", ""), "--data-dir", data_dir, "--print-config"},
        {"DROVER_ADMIN_PASSWORD=correct-horse"});
    REQUIRE(r.code == 0);
    CHECK(r.out.find("correct-horse") == std::string::npos);
    CHECK_THAT(r.out, Catch::Contains("# admin-password = (set, not shown)\n"));
    CHECK(settings(r.out).count("admin-password") == 0);
    CHECK_FALSE(std::filesystem::exists(data_dir));
}

TEST_CASE("a bad config file stops droverd with the reason", "[integration][config]") {
    TempDir dir;
    std::string file = dir.write("droverd.conf", "workers = 3\nworker = 4\n");
    Run unknown = run_droverd({"--config", file, "--data-dir", dir.path + "/data"});
    CHECK(unknown.code == 2);
    CHECK_THAT(unknown.err,
               Catch::Contains("config file " + file) && Catch::Contains("unknown key \"worker\""));
    CHECK_FALSE(std::filesystem::exists(dir.path + "/data"));

    Run missing = run_droverd({"--config", dir.path + "/absent.conf", "--print-config"});
    CHECK(missing.code == 2);
    CHECK_THAT(missing.err,
               Catch::Contains("cannot read config file " + dir.path + "/absent.conf"));

    Run from_env = run_droverd({"--print-config"}, {"DROVER_CONFIG=" + dir.path + "/absent.conf"});
    CHECK(from_env.code == 2);
    CHECK_THAT(from_env.err, Catch::Contains(dir.path + "/absent.conf"));
}
