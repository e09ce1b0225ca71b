// Content bundles end to end: a content directory written to a temp dir, `drover contents
// bundle` into one YAML file, `drover contents upload` against the real droverd, and every
// object read back; a changed bundle updates its objects; a bundle with one invalid object
// stores nothing and the CLI prints the server's messages with exit status 1; a machine runs
// the uploaded workflow.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "droverd_process.hpp"

using namespace drover::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

class TempDir {
  public:
    TempDir() {
        char tmpl[] = "/tmp/drover-contents-XXXXXX";
        if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    fs::path operator/(const std::string& rel) const { return path_ / rel; }

  private:
    fs::path path_;
};

void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

struct Run {
    int status = -1;
    std::string out, err;
};

// Runs the drover binary with `args`; stdout and stderr go through files in `scratch`.
Run run_drover(const TempDir& scratch, std::vector<std::string> args) {
    args.insert(args.begin(), DROVER_PATH);
    fs::path out = scratch / "stdout", err = scratch / "stderr";
    std::fflush(nullptr);  // or the child repeats our buffered output
    pid_t pid = fork();
    if (pid == 0) {
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        if (!freopen(out.c_str(), "w", stdout) || !freopen(err.c_str(), "w", stderr)) _exit(126);
        setenv("RS_KEY", kAdminKey.c_str(), 1);
        execv(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read(out), read(err)};
}

std::string endpoint(const DroverdProcess& d) {
    return "http://127.0.0.1:" + std::to_string(d.port());
}

const std::string kHelloTemplate =
    "#!/bin/sh\necho \"{{.Param \"demo/greeting\"}} from {{.Machine.Name}}\"\n";

// A content directory with an object of every section, in both file formats.
void write_content_dir(const fs::path& dir) {
    write(dir / "meta.yaml", "Name: demo-pack\nVersion: \"1.2.0\"\nDescription: A demo pack\n");
    write(dir / "._Documentation.meta", "Demo documentation.\n");
    write(dir / "params" / "greeting.yaml", R"(Name: demo/greeting
Description: What hello says
Schema:
  type: string
  default: hello
)");
    write(dir / "templates" / "hello.sh.tmpl", kHelloTemplate);
    write(dir / "templates" / "bye.yaml", "ID: bye.tmpl\nContents: echo bye\n");
    write(dir / "tasks" / "hello.yaml", R"(Name: hello
Description: Says hello
RequiredParams: [demo/greeting]
Templates:
  - Name: say-hello
    ID: hello.sh.tmpl
Meta:
  color: blue
)");
    write(
        dir / "tasks" / "bye.json",
        R"({"Name": "bye", "ReadOnly": true, "Templates": [{"Name": "say-bye", "ID": "bye.tmpl"}]})");
    write(dir / "bootenvs" / "demo-install.yaml", R"(Name: demo-install
Kernel: vmlinuz
OS:
  Name: demo-1
)");
    write(dir / "stages" / "greet.yaml", R"(Name: greet
Tasks: [hello, bye]
Profiles: [demo-profile]
)");
    write(dir / "profiles" / "demo-profile.yaml", R"(Name: demo-profile
Params:
  demo/greeting: hi
  demo/enabled: yes
)");
    write(dir / "workflows" / "demo.yaml", "Name: demo\nStages: [greet]\n");
}

json object(httplib::Client& c, const std::string& path) {
    auto r = get(c, "/api/v3/" + path);
    INFO(path << ": " << r.body.dump());
    REQUIRE(r.status == 200);
    CHECK(r.body["Available"] == true);
    CHECK(r.body["Bundle"] == "demo-pack");
    CHECK(r.body["ReadOnly"] == false);  // what a bundle says, a request cannot make read-only
    return r.body;
}

// Bundles `dir` into `file` and uploads that file; returns the upload's run.
Run bundle_and_upload(const TempDir& tmp, const DroverdProcess& d, const fs::path& dir,
                      const fs::path& file) {
    auto b = run_drover(tmp, {"contents", "bundle", dir.string(), file.string()});
    INFO(b.err);
    REQUIRE(b.status == 0);
    return run_drover(tmp, {"contents", "upload", file.string(), "-E", endpoint(d)});
}

}  // namespace

TEST_CASE("a content directory bundled to YAML and uploaded reads back object by object",
          "[integration][contents]") {
    DroverdProcess d;
    auto c = d.client();
    TempDir tmp;
    write_content_dir(tmp / "content");
    auto up = bundle_and_upload(tmp, d, tmp / "content", tmp / "out.yaml");
    INFO(up.err);
    REQUIRE(up.status == 0);
    CHECK(up.err.empty());
    json summary = json::parse(up.out);
    CHECK(summary["meta"] == json({{"Name", "demo-pack"},
                                   {"Version", "1.2.0"},
                                   {"Description", "A demo pack"},
                                   {"Documentation", "Demo documentation.\n"}}));
    CHECK(summary["Counts"] == json({{"params", 1},
                                     {"templates", 2},
                                     {"tasks", 2},
                                     {"bootenvs", 1},
                                     {"stages", 1},
                                     {"profiles", 1},
                                     {"workflows", 1}}));
    CHECK(summary["Warnings"] == json::array());

    // The bundle file is DRP's {meta, sections} document.
    std::string yaml = read(tmp / "out.yaml");
    CHECK(yaml.starts_with("meta:\n"));
    CHECK(yaml.find("\nsections:\n") != std::string::npos);

    json param = object(*c, "params/demo/greeting");
    CHECK(param["Schema"] == json({{"type", "string"}, {"default", "hello"}}));
    CHECK(param["Description"] == "What hello says");
    CHECK(object(*c, "templates/hello.sh.tmpl")["Contents"] == kHelloTemplate);
    CHECK(object(*c, "templates/bye.tmpl")["Contents"] == "echo bye");
    json hello = object(*c, "tasks/hello");
    CHECK(hello["Description"] == "Says hello");
    CHECK(hello["RequiredParams"] == json{"demo/greeting"});
    CHECK(hello["Templates"][0]["ID"] == "hello.sh.tmpl");
    CHECK(hello["Templates"][0]["Name"] == "say-hello");
    CHECK(hello["Meta"]["color"] == "blue");
    CHECK(object(*c, "tasks/bye")["Templates"][0]["ID"] == "bye.tmpl");
    json be = object(*c, "bootenvs/demo-install");
    CHECK(be["OS"]["Name"] == "demo-1");
    CHECK(be["Kernel"] == "vmlinuz");
    json stage = object(*c, "stages/greet");
    CHECK(stage["Tasks"] == json{"hello", "bye"});
    CHECK(stage["Profiles"] == json{"demo-profile"});  // a forward reference, resolved
    CHECK(object(*c, "profiles/demo-profile")["Params"] ==
          json({{"demo/greeting", "hi"}, {"demo/enabled", true}}));
    CHECK(object(*c, "workflows/demo")["Stages"] == json{"greet"});
}

TEST_CASE("uploading a changed bundle replaces its objects", "[integration][contents]") {
    DroverdProcess d;
    auto c = d.client();
    TempDir tmp;
    write_content_dir(tmp / "content");
    REQUIRE(bundle_and_upload(tmp, d, tmp / "content", tmp / "v1.json").status == 0);
    CHECK(json::parse(read(tmp / "v1.json"))["sections"]["tasks"]["hello"]["Name"] == "hello");

    write(tmp / "content" / "tasks" / "hello.yaml", R"(Name: hello
Description: Says hello, twice
RequiredParams: [demo/greeting]
Templates:
  - Name: say-hello
    ID: hello.sh.tmpl
  - Name: again
    ID: hello.sh.tmpl
)");
    write(tmp / "content" / "profiles" / "demo-profile.yaml",
          "Name: demo-profile\nParams:\n  demo/greeting: howdy\n");
    write(tmp / "content" / "templates" / "hello.sh.tmpl", "echo changed\n");
    // The directory itself can be uploaded too.
    auto up =
        run_drover(tmp, {"contents", "upload", (tmp / "content").string(), "-E", endpoint(d)});
    INFO(up.err);
    REQUIRE(up.status == 0);

    json hello = object(*c, "tasks/hello");
    CHECK(hello["Description"] == "Says hello, twice");
    CHECK(hello["Templates"].size() == 2);
    CHECK(hello["Meta"].value("color", "") == "");  // replaced, not merged
    CHECK(object(*c, "profiles/demo-profile")["Params"] == json({{"demo/greeting", "howdy"}}));
    CHECK(object(*c, "templates/hello.sh.tmpl")["Contents"] == "echo changed\n");
    object(*c, "tasks/bye");  // replaced with "ReadOnly": true, still writable
    CHECK(run_drover(tmp, {"contents", "upload", (tmp / "content").string(), "-E", endpoint(d)})
              .status == 0);
}

TEST_CASE("a bundle with an invalid object stores nothing and exits 1 with the server's messages",
          "[integration][contents]") {
    DroverdProcess d;
    auto c = d.client();
    TempDir tmp;
    write_content_dir(tmp / "content");
    // Two problems only the server sees: a template that does not parse and a read-only
    // built-in stage.
    write(tmp / "content" / "templates" / "broken.tmpl", "{{ if .Machine.Name }}unclosed\n");
    write(tmp / "content" / "stages" / "local.yaml", "Name: local\nDescription: mine now\n");
    auto up = bundle_and_upload(tmp, d, tmp / "content", tmp / "bad.yaml");
    CHECK(up.status == 1);
    CHECK(up.out.empty());
    CHECK(up.err.find("Error: templates/broken.tmpl: ") != std::string::npos);
    CHECK(up.err.find("Error: stages/local: Stage local is read-only\n") != std::string::npos);
    for (const char* path :
         {"params/demo/greeting", "templates/hello.sh.tmpl", "templates/bye.tmpl", "tasks/hello",
          "tasks/bye", "bootenvs/demo-install", "stages/greet", "profiles/demo-profile",
          "workflows/demo", "templates/broken.tmpl"})
        CHECK(get(*c, std::string("/api/v3/") + path).status == 404);
    CHECK(get(*c, "/api/v3/stages/local").body["Description"] != "mine now");

    // Problems the CLI finds itself never reach the server, and are all listed with their file.
    write(tmp / "content" / "tasks" / "odd.yaml", "Name: [odd]\n");
    write(tmp / "content" / "machines" / "m.yaml", "Name: m\n");
    auto local =
        run_drover(tmp, {"contents", "upload", (tmp / "content").string(), "-E", endpoint(d)});
    CHECK(local.status == 1);
    CHECK(local.err.find("Error: tasks/odd.yaml: Name: expected string, got array\n") !=
          std::string::npos);
    CHECK(local.err.find("Error: machines/: not a section drover stores") != std::string::npos);
    CHECK(get(*c, "/api/v3/tasks/hello").status == 404);
}

TEST_CASE("a machine runs the uploaded workflow", "[integration][contents]") {
    DroverdProcess d;
    auto c = d.client();
    TempDir tmp;
    write_content_dir(tmp / "content");
    REQUIRE(bundle_and_upload(tmp, d, tmp / "content", tmp / "out.yml").status == 0);

    const std::string uuid = "3f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b";
    auto m = post(*c, "/api/v3/machines", {{"Uuid", uuid}, {"Name", "m1"}, {"Workflow", "demo"}});
    INFO(m.body.dump());
    REQUIRE(m.status == 201);
    CHECK(m.body["Tasks"] == json{"stage:greet", "hello", "bye"});
    REQUIRE(patch(*c, "/api/v3/machines/" + uuid,
                  json::array({{{"op", "replace"}, {"path", "/Runnable"}, {"value", true}}}))
                .status == 200);
    auto job = post(*c, "/api/v3/jobs", {{"Machine", uuid}});
    INFO(job.body.dump());
    REQUIRE(job.status == 201);
    CHECK(job.body["Task"] == "hello");
    CHECK(job.body["Workflow"] == "demo");
    auto actions = get(*c, "/api/v3/jobs/" + job.body["Uuid"].get<std::string>() + "/actions");
    INFO(actions.body.dump());
    REQUIRE(actions.status == 200);
    REQUIRE(actions.body.size() == 1);
    CHECK(actions.body[0]["Name"] == "say-hello");
    // The greeting comes from the bundle's profile, which the bundle's stage names.
    CHECK(actions.body[0]["Content"] == "#!/bin/sh\necho \"hi from m1\"\n");
}
