// The admin CLI (spec 6.8) as content scripts and operators run it: the real `drover` binary
// (and its `drpcli` symlink) against a real droverd. Object commands, params, the machines'
// extras, output formats, error exits and messages, and update's conflict detection with a
// concurrent edit slipped in between its GET and its PATCH.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "cli_process.hpp"
#include "droverd_process.hpp"

using namespace drover::testing;
using nlohmann::json;

namespace {

// A temp dir of its own for the files a test hands the CLI (tests run in parallel).
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        char tmpl[] = "/tmp/drover-cli-files-XXXXXX";
        if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

// A droverd and the CLI pointed at it with -E.
struct Cli {
    DroverdProcess d;
    std::unique_ptr<httplib::Client> http = d.client();
    TempDir files;

    std::string file(const std::string& name, const std::string& text) const {
        auto p = files.path / name;
        std::ofstream(p) << text;
        return p.string();
    }

    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(d.port()); }
    CliResult run(std::vector<std::string> args, const CliOptions& o = {}) const {
        args.insert(args.begin(), {"-E", endpoint()});
        return run_cli(args, o);
    }
    // A command that must succeed, its stdout parsed as JSON.
    json ok(const std::vector<std::string>& args, const CliOptions& o = {}) const {
        auto r = run(args, o);
        INFO(r.err);
        REQUIRE(r.status == 0);
        return json::parse(r.out);
    }
    // A command that must fail: exit 1 and the one `Error:` line, whose text is returned.
    std::string fails(const std::vector<std::string>& args, const CliOptions& o = {}) const {
        auto r = run(args, o);
        INFO(r.out);
        REQUIRE(r.status == 1);
        REQUIRE(r.err.rfind("Error: ", 0) == 0);
        REQUIRE(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        return r.err.substr(7, r.err.size() - 8);
    }
};

CliOptions stdin_of(const std::string& text) {
    CliOptions o;
    o.stdin_text = text;
    return o;
}

CliOptions env_of(const std::string& name, const std::string& value) {
    CliOptions o;
    o.env = {{name, value}};
    return o;
}

std::vector<std::string> names(const json& list, const char* key = "Name") {
    std::vector<std::string> out;
    for (const auto& item : list)
        out.push_back(item[key]);
    return out;
}

// The whitespace-separated words of one line of output.
std::vector<std::string> words(const std::string& out, std::size_t line) {
    std::istringstream lines(out);
    std::string text;
    for (std::size_t i = 0; i <= line; ++i)
        std::getline(lines, text);
    std::istringstream in(text);
    std::vector<std::string> w;
    for (std::string x; in >> x;)
        w.push_back(x);
    return w;
}

// Sits between the CLI and droverd and runs `race` just before forwarding the CLI's PATCH: the
// concurrent edit `update` must detect. Keeps the PATCH body it forwarded and the credentials
// of the last GET.
class RacingProxy {
  public:
    static httplib::Headers credentials(const httplib::Request& req) {
        return {{"Authorization", req.get_header_value("Authorization")}};
    }
    RacingProxy(int droverd_port, std::function<void()> race)
        : upstream_("127.0.0.1", droverd_port), race_(std::move(race)) {
        server_.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard lock(mutex_);
            authorization_ = req.get_header_value("Authorization");
            forward(upstream_.Get(req.path.c_str(), credentials(req)), res);
        });
        server_.Patch(".*", [this](const httplib::Request& req, httplib::Response& res) {
            {
                std::lock_guard lock(mutex_);
                patch_body_ = json::parse(req.body);
            }
            race_();
            forward(
                upstream_.Patch(req.path.c_str(), credentials(req), req.body, "application/json"),
                res);
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running())
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ~RacingProxy() {
        server_.stop();
        thread_.join();
    }
    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
    json patch_body() const {
        std::lock_guard lock(mutex_);
        return patch_body_;
    }
    std::string authorization() const {
        std::lock_guard lock(mutex_);
        return authorization_;
    }

  private:
    static void forward(const httplib::Result& r, httplib::Response& res) {
        res.status = r ? r->status : 502;
        if (r) res.set_content(r->body, "application/json");
    }
    mutable std::mutex mutex_;
    json patch_body_;
    std::string authorization_;
    httplib::Client upstream_;
    std::function<void()> race_;
    httplib::Server server_;
    int port_ = 0;
    std::thread thread_;
};

}  // namespace

TEST_CASE("cli: create, list with filters, show, exists, meta, destroy and their errors",
          "[integration][cli]") {
    Cli cli;
    CHECK(cli.ok({"profiles", "create", "lab"})["Name"] == "lab");
    CHECK(cli.ok({"tasks", "create", R"({"Name":"t-json"})"})["Name"] == "t-json");
    auto yaml = cli.file("task.yaml", "Name: t-yaml\nDescription: from yaml\n");
    CHECK(cli.ok({"tasks", "create", yaml})["Description"] == "from yaml");
    auto profile = cli.file("profile.yaml",
                            "Name: p-yaml\nParams:\n  count: 3\n  on: yes\n  text: 'yes'\n"
                            "  list: [a, 1.5, null]\n");
    CHECK(cli.ok({"profiles", "create", profile})["Params"] ==
          json{{"count", 3}, {"on", true}, {"text", "yes"}, {"list", {"a", 1.5, nullptr}}});
    CHECK(cli.ok({"tasks", "create", "-"}, stdin_of(R"({"Name":"t-stdin"})"))["Name"] == "t-stdin");
    CHECK(cli.ok({"templates", "create", R"({"ID":"a.tmpl","Contents":"hi"})"})["ID"] == "a.tmpl");
    CHECK(cli.ok({"templates", "show", "a.tmpl"})["Contents"] == "hi");

    CHECK(names(cli.ok({"tasks", "list", "Name=Re(^t-)", "--sort", "Name", "--reverse"})) ==
          std::vector<std::string>{"t-yaml", "t-stdin", "t-json"});
    CHECK(names(cli.ok({"tasks", "list", "Name=Re(^t-)", "--sort", "Name", "--limit", "1",
                        "--offset", "1"})) == std::vector<std::string>{"t-stdin"});
    CHECK(names(cli.ok({"tasks", "list", "Name=t-json", "Name=t-yaml", "--sort", "Name"})) ==
          std::vector<std::string>{"t-json", "t-yaml"});
    CHECK(cli.fails({"tasks", "list", "Name"}) ==
          "a filter is Field=value or Field=Op(args): Name");

    std::string uuid = cli.ok({"machines", "create", R"({"Name":"m1"})"})["Uuid"];
    CHECK(cli.ok({"machines", "show", "Name:m1"})["Uuid"] == uuid);
    CHECK(cli.ok({"machines", "show", uuid})["Name"] == "m1");
    auto exists = cli.run({"machines", "exists", "Name:m1"});
    CHECK(exists.status == 0);
    CHECK(exists.out.empty());
    CHECK(exists.err.empty());

    json missing = get(*cli.http, "/api/v3/machines/Name:nope").body;
    CHECK(cli.fails({"machines", "exists", "Name:nope"}) == missing["Messages"][0]);
    auto show = cli.run({"machines", "show", "Name:nope"});
    CHECK(show.status == 1);
    CHECK(show.out.empty());
    CHECK(show.err == "Error: " + missing["Messages"][0].get<std::string>() + "\n");

    cli.ok({"machines", "update", uuid, R"({"Meta":{"color":"red"}})"});
    CHECK(cli.ok({"machines", "meta", "Name:m1"}) == json{{"color", "red"}});

    json bad = post(*cli.http, "/api/v3/tasks", {{"Name", "x"}}).body;
    CHECK(cli.fails({"tasks", "create", R"({"Name":"x"})"}) == bad["Messages"][0]);
    CHECK(cli.fails({"tasks", "create", "[1]"}) == "create needs a JSON object: [1]");

    auto destroyed = cli.run({"tasks", "destroy", "t-json"});
    CHECK(destroyed.status == 0);
    CHECK(destroyed.out == "Deleted task t-json\n");
    CHECK(cli.run({"tasks", "exists", "t-json"}).status == 1);
    CHECK(cli.fails({"tasks", "destroy", "t-json"}) == "Not Found");
    CHECK(cli.fails({"profiles", "destroy", "global"}).find("global") != std::string::npos);
}

TEST_CASE("cli: formats, global flags anywhere, credentials, --help on every level, drpcli",
          "[integration][cli]") {
    Cli cli;
    std::string uuid = cli.ok({"machines", "create", R"({"Name":"m1"})"})["Uuid"];
    for (const char* type : {"machines", "tasks", "templates", "stages", "bootenvs", "workflows",
                             "profiles", "params", "jobs"})
        CHECK(cli.ok({type, "list"}).is_array());

    auto json_out = cli.run({"profiles", "show", "global"});
    CHECK(json_out.out.find("\n  \"Name\": \"global\",\n") != std::string::npos);
    CHECK(json::parse(json_out.out)["Name"] == "global");
    auto yaml = cli.run({"-F", "yaml", "profiles", "show", "global"});
    CHECK(yaml.out.find("\nName: global\n") != std::string::npos);
    CHECK(yaml.out.find("Params: {}\n") != std::string::npos);
    auto table = cli.run({"machines", "show", uuid, "-F", "table"});
    CHECK(table.out.find("\nName:             m1\n") != std::string::npos);
    auto list = cli.run({"machines", "list", "--format", "table"});
    CHECK(words(list.out, 0) ==
          std::vector<std::string>{"Uuid", "Name", "Stage", "BootEnv", "Runnable"});
    CHECK(words(list.out, 1) == std::vector<std::string>{uuid, "m1", "none", "local", "true"});
    auto yaml_env = cli.run({"profiles", "list"}, env_of("RS_FORMAT", "yaml"));
    CHECK(yaml_env.out.rfind("- Available: true\n", 0) == 0);
    CHECK(cli.fails({"-F", "xml", "profiles", "list"}).find("xml") != std::string::npos);

    for (std::vector<std::string> help : {std::vector<std::string>{"--help"},
                                          {"machines", "--help"},
                                          {"machines", "tasks", "add", "--help"},
                                          {"jobs", "log", "--help"},
                                          {"events", "watch", "--help"}}) {
        auto r = cli.run(help);
        CHECK(r.status == 0);
        CHECK(r.out.find("Usage: drover") != std::string::npos);
    }
    CHECK(cli.fails({"machines"}).find("subcommand") != std::string::npos);
    CHECK(cli.fails({"frobnicate"}) == "A subcommand is required (see --help)");

    RacingProxy proxy(cli.d.port(), [] {});
    // Only the header sent matters here, not whether droverd accepts it.
    auto auth = [&](std::vector<std::string> flags, CliOptions o = {}) {
        flags.insert(flags.end(), {"-E", proxy.endpoint(), "profiles", "exists", "global"});
        o.env.insert(o.env.begin(), {"RS_KEY", ""});
        run_cli(flags, o);
        return proxy.authorization();
    };
    CHECK(auth({}) == "Basic cm9ja2V0c2thdGVzOnIwY2tldHNrOHRz");  // drpcli's default user
    CHECK(auth({"-T", "tok"}) == "Bearer tok");
    CHECK(auth({}, env_of("RS_TOKEN", "tok2")) == "Bearer tok2");
    CHECK(auth({"-U", "u", "-P", "p"}) == "Basic dTpw");
    CHECK(auth({}, env_of("RS_KEY", "a:b")) == "Basic YTpi");
    CHECK(run_cli({"-E", proxy.endpoint(), "profiles", "exists", "global"}).status == 0);

    CliOptions drpcli = env_of("RS_ENDPOINT", cli.endpoint());
    drpcli.program = drpcli_path();
    auto set = run_cli({"machines", "set", uuid, "param", "greeting", "to", "hello world"}, drpcli);
    CHECK(set.status == 0);
    CHECK(set.out == "\"hello world\"\n");
    CHECK(run_cli({"machines", "get", uuid, "param", "greeting"}, drpcli).out ==
          "\"hello world\"\n");
    CHECK(run_cli({"--help"}, drpcli).out.find("Usage: drpcli") != std::string::npos);
}

TEST_CASE("cli: update merges and patches with test ops, so a concurrent edit is a conflict",
          "[integration][cli]") {
    Cli cli;
    cli.ok({"profiles", "create", R"({"Name":"p1","Params":{"aa":1}})"});
    auto merged = cli.ok({"profiles", "update", "p1", R"({"Description":"d","Params":{"bb":2}})"});
    CHECK(merged["Description"] == "d");
    CHECK(merged["Params"] == json{{"aa", 1}, {"bb", 2}});
    CHECK(cli.ok({"profiles", "update", "p1", R"({"Params":{"aa":null}})"})["Params"] ==
          json{{"bb", 2}});

    auto patched = cli.ok({"profiles", "patch", "p1",
                           R"([{"op":"test","path":"/Description","value":"d"},
                               {"op":"replace","path":"/Description","value":"e"}])"});
    CHECK(patched["Description"] == "e");
    CHECK(cli.fails({"profiles", "patch", "p1",
                     R"([{"op":"test","path":"/Description","value":"d"}])"})
              .rfind("Patch error at line 0: Test op failed.", 0) == 0);
    CHECK(cli.fails({"profiles", "patch", "p1", R"({"op":"add"})"}) ==
          R"(patch needs a JSON Patch array: {"op":"add"})");

    SECTION("the same field changed between GET and PATCH: 409, the other edit survives") {
        RacingProxy proxy(cli.d.port(), [&] {
            patch(
                *cli.http, "/api/v3/profiles/p1",
                json::array({{{"op", "replace"}, {"path", "/Description"}, {"value", "theirs"}}}));
        });
        auto r = run_cli(
            {"-E", proxy.endpoint(), "profiles", "update", "p1", R"({"Description":"mine"})"});
        CHECK(r.status == 1);
        CHECK(r.err.rfind("Error: Patch error at line 0: Test op failed.", 0) == 0);
        CHECK(proxy.patch_body() ==
              json::array({
                  {{"op", "test"}, {"path", "/Description"}, {"value", "e"}},
                  {{"op", "replace"}, {"path", "/Description"}, {"value", "mine"}},
              }));
        CHECK(get(*cli.http, "/api/v3/profiles/p1").body["Description"] == "theirs");
    }
    SECTION("another field changed in between: both edits are kept") {
        RacingProxy proxy(cli.d.port(),
                          [&] { post(*cli.http, "/api/v3/profiles/p1/params/cc", json(3)); });
        auto r = run_cli(
            {"-E", proxy.endpoint(), "profiles", "update", "p1", R"({"Description":"mine"})"});
        CHECK(r.status == 0);
        auto now = get(*cli.http, "/api/v3/profiles/p1").body;
        CHECK(now["Description"] == "mine");
        CHECK(now["Params"]["cc"] == 3);
    }
    SECTION("--ref: the patch applies only to exactly that object") {
        auto ref = cli.file("ref.json", cli.run({"profiles", "show", "p1"}).out);
        cli.ok({"profiles", "set", "p1", "param", "cc", "to", "3"});
        CHECK(cli.fails({"-r", ref, "profiles", "update", "p1", R"({"Description":"mine"})"})
                  .rfind("Patch error at line 0: Test op failed.", 0) == 0);
        ref = cli.file("ref.json", cli.run({"profiles", "show", "p1"}).out);
        CHECK(cli.ok({"--ref", ref, "profiles", "update", "p1",
                      R"({"Description":"mine"})"})["Description"] == "mine");
    }
}

TEST_CASE("cli: params, get, set and remove on machines, profiles and stages",
          "[integration][cli]") {
    Cli cli;
    std::string m = cli.ok({"machines", "create", R"({"Name":"m1"})"})["Uuid"];
    cli.ok({"profiles", "create", "lab"});
    CHECK(cli.ok({"profiles", "set", "lab", "param", "ntp-servers", "to", R"(["10.0.0.1"])"}) ==
          json::array({"10.0.0.1"}));
    cli.ok({"machines", "addprofile", m, "lab"});
    CHECK(cli.ok({"machines", "get", m, "param", "ntp-servers"}).is_null());
    CHECK(cli.ok({"machines", "get", m, "param", "ntp-servers", "--aggregate"}) ==
          json::array({"10.0.0.1"}));
    CHECK(cli.ok({"machines", "get", m, "param", "ntp-servers", "--aggregate", "--compose"}) ==
          json::array({"10.0.0.1"}));

    CHECK(cli.ok({"machines", "set", m, "param", "greeting", "to", "hello"}) == "hello");
    CHECK(cli.ok({"machines", "set", m, "param", "obj", "to", R"({"a":1})"}) == json{{"a", 1}});
    CHECK(cli.ok({"machines", "set", m, "param", "list", "to", "-"}, stdin_of("[1,2]\n")) ==
          json{1, 2});
    CHECK(cli.ok({"machines", "set", m, "param", "text", "to", "-"}, stdin_of("two words\n")) ==
          "two words");
    CHECK(cli.ok({"machines", "set", m, "param", "count", "to", "42"}) == 42);
    CHECK(cli.ok({"machines", "params", m}) == json{{"greeting", "hello"},
                                                    {"obj", {{"a", 1}}},
                                                    {"list", {1, 2}},
                                                    {"text", "two words"},
                                                    {"count", 42}});
    CHECK(cli.ok({"machines", "params", m, "--aggregate"})["ntp-servers"] ==
          json::array({"10.0.0.1"}));
    CHECK(cli.ok({"machines", "params", m, R"({"only":true})"}) == json{{"only", true}});
    CHECK(cli.ok({"machines", "params", m}) == json{{"only", true}});
    CHECK(cli.ok({"machines", "remove", m, "param", "only"}) == true);
    CHECK(cli.ok({"machines", "get", m, "param", "only"}).is_null());
    CHECK(!cli.fails({"machines", "remove", m, "param", "only"}).empty());

    CHECK(cli.ok({"stages", "create", "s1"})["Name"] == "s1");
    CHECK(cli.ok({"stages", "set", "s1", "param", "kk", "to", "true"}) == true);
    CHECK(cli.ok({"stages", "get", "s1", "param", "kk"}) == true);
    CHECK(cli.ok({"stages", "params", "s1"}) == json{{"kk", true}});

    CHECK(cli.fails({"machines", "get", m, "parm", "x"}) == "usage: <id> param <key>");
    CHECK(cli.fails({"machines", "set", m, "param", "x", "=", "y"}) ==
          "usage: set <id> param <key> to <json|->");
    CHECK(cli.fails({"machines", "set", m, "param", "x", "to", "y"}).find("`x`") !=
          std::string::npos);
    CHECK(cli.fails({"tasks", "get", "t", "param", "x"}) ==
          "A subcommand is required (see --help)");
}

TEST_CASE("cli: machines stage, workflow, run, pause, tasks, profiles, current job and log",
          "[integration][cli]") {
    Cli cli;
    for (const char* t : {"t1", "t2", "t3"})
        cli.ok({"tasks", "create", t});
    cli.ok({"stages", "create", R"({"Name":"s1","Tasks":["t1"]})"});
    cli.ok({"stages", "create", R"({"Name":"s2","Tasks":["t2"]})"});
    cli.ok({"workflows", "create", R"({"Name":"wf","Stages":["s1","s2"]})"});
    cli.ok({"profiles", "create", "lab"});
    std::string m = cli.ok({"machines", "create", R"({"Name":"m1"})"})["Uuid"];

    CHECK(cli.ok({"machines", "stage", m, "s1"})["Tasks"] == json{"t1"});
    CHECK(cli.fails({"machines", "stage", m, "s2"}) ==
          "Can not change stages with pending tasks unless forced");
    CHECK(cli.ok({"-f", "machines", "stage", m, "s2"})["Stage"] == "s2");
    CHECK(cli.ok({"machines", "pause", m})["Runnable"] == false);
    CHECK(cli.ok({"machines", "run", m})["Runnable"] == true);

    CHECK(cli.ok({"machines", "tasks", "add", m, "t3"})["Tasks"] == json{"t2", "t3"});
    CHECK(cli.ok({"machines", "tasks", "add", m, "at", "0", "t1"})["Tasks"] ==
          json{"t1", "t2", "t3"});
    CHECK(cli.ok({"machines", "tasks", "del", m, "t1", "t2"})["Tasks"] == json{"t3"});
    CHECK(cli.fails({"machines", "tasks", "add", m, "at", "x", "t1"}) == "at needs a number: x");
    CHECK(cli.fails({"machines", "tasks", "add", m, "at", "1"}) ==
          "usage: tasks add <id> at <n> <task...>");

    CHECK(cli.ok({"machines", "addprofile", m, "lab"})["Profiles"] == json{"lab"});
    CHECK(cli.ok({"machines", "addprofile", m, "lab"})["Profiles"] == json{"lab"});
    CHECK(cli.ok({"machines", "removeprofile", m, "lab"})["Profiles"] == json::array());

    CHECK(cli.fails({"machines", "jobs", "current", m}) == "machine " + m + " has no current job");
    auto wf = cli.ok({"machines", "workflow", m, "wf"});
    CHECK(wf["Workflow"] == "wf");
    CHECK(wf["Stage"] == "s1");
    auto job = cli.ok({"jobs", "create", m});
    CHECK(job["Task"] == "t1");
    CHECK(cli.ok({"machines", "jobs", "current", "Name:m1"})["Uuid"] == job["Uuid"]);

    auto put = cli.http->Put(("/api/v3/jobs/" + job["Uuid"].get<std::string>() + "/log").c_str(),
                             "line one\n", "application/octet-stream");
    REQUIRE(put);
    auto log = cli.run({"machines", "currentlog", m});
    CHECK(log.status == 0);
    CHECK(log.out.find("line one\n") != std::string::npos);
}
