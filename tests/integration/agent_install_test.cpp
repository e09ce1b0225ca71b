// `drover agent install` / `remove` and `drover agent --config` against the real droverd over
// HTTPS (issue 8): the config is written 0600 with the endpoint, machine, a long-lived machine
// token and the server's pinning, and an agent given nothing but that file runs a workflow; an
// existing config is kept unless --force; remove deletes it (and the CA copy), the state dir only
// with --purge; flags and RS_* variables win over the file; a config others may read is refused;
// a wrong pinned fingerprint stops the agent with a clear error. --no-enable: no systemd in CI.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "agent_fixtures.hpp"
#include "cli_process.hpp"
#include "common/security/token.hpp"
#include "droverd_process.hpp"

using namespace drover::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kUuid = "0b6f3f4e-2a0c-4c4e-8d0e-6c1b6c7a9e21";
// A machine in a stage whose one task prints a line.
void make_machine(httplib::Client& c) {
    make_task(c, "hello", "echo hello from the installed agent\n");
    REQUIRE(post(c, "/api/v3/stages", {{"Name", "greet"}, {"Tasks", {"hello"}}}).status == 201);
    REQUIRE(
        post(c, "/api/v3/machines", {{"Uuid", kUuid}, {"Name", "m1"}, {"Stage", "greet"}}).status ==
        201);
    json runnable = json::array({{{"op", "replace"}, {"path", "/Runnable"}, {"value", true}}});
    REQUIRE(patch(c, "/api/v3/machines/" + kUuid, runnable).status == 200);
}

// `drover -E <droverd> [pinning] agent install ...` as admin (RS_KEY), never touching systemd.
CliResult install(const DroverdProcess& d, const std::string& config, const std::string& state,
                  std::vector<std::string> more = {}) {
    std::vector<std::string> args{"-E",          d.endpoint(), "agent",         "install",
                                  "--machine",   kUuid,        "--config-path", config,
                                  "--state-dir", state,        "--no-enable"};
    args.insert(args.end(), more.begin(), more.end());
    return run_cli(args);
}

// The environment a service starts with: no endpoint, credentials or pinning at all.
CliOptions bare_environment(std::vector<std::pair<std::string, std::string>> extra = {}) {
    CliOptions o;
    o.env = {{"RS_KEY", ""},
             {"RS_UUID", ""},
             {"RS_CONTEXT", ""},
             {"RS_CA_CERT", ""},
             {"RS_SERVER_FINGERPRINT", ""}};
    o.env.insert(o.env.end(), extra.begin(), extra.end());
    return o;
}

CliResult run_configured_agent(const std::string& config, std::vector<std::string> flags = {},
                               std::vector<std::pair<std::string, std::string>> env = {}) {
    std::vector<std::string> args{"agent", "--config", config};
    args.insert(args.end(), flags.begin(), flags.end());
    return run_cli(args, bare_environment(std::move(env)));
}

std::map<std::string, std::string> read_config(const std::string& path) {
    std::ifstream in(path);
    std::map<std::string, std::string> out;
    for (std::string line; std::getline(in, line);) {
        auto eq = line.find(" = ");
        if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
        out[line.substr(0, eq)] = line.substr(eq + 3);
    }
    return out;
}

// The file with `key`'s line replaced by `key = value` (mode and owner kept).
void set_config(const std::string& path, const std::string& key, const std::string& value) {
    std::ifstream in(path);
    std::string text;
    bool replaced = false;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(key + " = ", 0) == 0) {
            line = key + " = " + value;
            replaced = true;
        }
        text += line + "\n";
    }
    if (!replaced) text += key + " = " + value + "\n";
    in.close();
    std::ofstream(path, std::ios::trunc) << text;
}

mode_t mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

std::string with_output(const CliResult& r) {
    return "status " + std::to_string(r.status) + "\nstdout: " + r.out + "\nstderr: " + r.err;
}

}  // namespace

TEST_CASE("agent install writes a 0600 config that is all an agent needs to run a workflow",
          "[integration][agent][install][tls]") {
    DroverdProcess d({"--infinite-token-ttl-seconds", "7776000"}, Scheme::Https);
    auto c = d.client();
    make_machine(*c);
    WorkDir w;
    const std::string config = w.path + "/etc/drover/agent.conf";

    // No pinning given: the certificate this connection saw is pinned, and shown to the admin.
    auto r = install(d, config, w.path + "/state");
    INFO(with_output(r));
    REQUIRE(r.status == 0);
    const std::string fingerprint = d.logged_fingerprint();
    REQUIRE(!fingerprint.empty());
    CHECK(r.out.find("pinned the certificate this connection saw, SHA-256 " + fingerprint) !=
          std::string::npos);
    CHECK(mode_of(config) == 0600);
    auto conf = read_config(config);
    CHECK(conf["endpoint"] == d.endpoint());
    CHECK(conf["machine"] == kUuid);
    CHECK(conf["server-fingerprint"] == fingerprint);
    CHECK(conf["state-dir"] == w.path + "/state");
    // The longest lifetime droverd gives: its --infinite-token-ttl-seconds.
    auto life = drover::security::token_lifetime(conf["token"]);
    REQUIRE(life);
    CHECK(life->expires_at - life->issued_at == 7776000);

    // The agent's other flags can live in the file too; nothing else is given.
    set_config(config, "oneshot", "true");
    set_config(config, "skip-power", "true");
    auto agent = run_configured_agent(config);
    INFO(with_output(agent));
    REQUIRE(agent.status == 0);
    auto jobs = get(*c, "/api/v3/jobs?Machine=" + kUuid).body;
    REQUIRE(jobs.size() == 1);
    CHECK(jobs[0]["Task"] == "hello");
    CHECK(jobs[0]["State"] == "finished");
    auto log = c->Get(("/api/v3/jobs/" + jobs[0]["Uuid"].get<std::string>() + "/log").c_str());
    REQUIRE(log);
    CHECK(log->body.find("hello from the installed agent") != std::string::npos);
}

TEST_CASE("agent install keeps an existing config unless --force, remove deletes it",
          "[integration][agent][install][tls]") {
    DroverdProcess d({}, Scheme::Https);
    auto c = d.client();
    make_machine(*c);
    WorkDir w;
    const std::string config = w.path + "/agent.conf";
    const std::string ca_copy = w.path + "/agent-ca.pem";
    const std::string state = w.path + "/state";
    const std::string ca = d.data_dir() + "/tls/server.crt";

    // --ca-cert: the CA file is copied beside the config, which names the copy.
    auto first = install(d, config, state, {"--ca-cert", ca});
    INFO(with_output(first));
    REQUIRE(first.status == 0);
    CHECK(read_config(config)["ca-cert"] == ca_copy);
    CHECK(read_config(config).count("server-fingerprint") == 0);
    std::ifstream copied(ca_copy), original(ca);
    std::stringstream copied_text, original_text;
    copied_text << copied.rdbuf();
    original_text << original.rdbuf();
    CHECK(copied_text.str() == original_text.str());

    set_config(config, "context", "kept");
    auto again = install(d, config, state, {"--ca-cert", ca});
    CHECK(again.status == 1);
    CHECK(again.err.find(config + " already exists") != std::string::npos);
    CHECK(read_config(config)["context"] == "kept");

    auto forced = install(d, config, state, {"--ca-cert", ca, "--force"});
    INFO(with_output(forced));
    REQUIRE(forced.status == 0);
    CHECK(read_config(config).count("context") == 0);
    CHECK(mode_of(config) == 0600);

    fs::create_directories(state + "/spool");
    auto removed = run_cli({"agent", "remove", "--config-path", config, "--no-enable"});
    INFO(with_output(removed));
    REQUIRE(removed.status == 0);
    CHECK(!fs::exists(config));
    CHECK(!fs::exists(ca_copy));
    CHECK(fs::exists(state + "/spool"));

    REQUIRE(install(d, config, state, {"--ca-cert", ca}).status == 0);
    auto purged = run_cli({"agent", "remove", "--config-path", config, "--no-enable", "--purge"});
    INFO(with_output(purged));
    REQUIRE(purged.status == 0);
    CHECK(!fs::exists(config));
    CHECK(!fs::exists(state));
}

TEST_CASE("agent --config: flags and RS_* variables win over the file, which must be private",
          "[integration][agent][install][tls]") {
    DroverdProcess d({}, Scheme::Https);
    auto c = d.client();
    make_machine(*c);
    WorkDir w;
    const std::string config = w.path + "/agent.conf";
    const std::string fingerprint = d.logged_fingerprint();
    // A fingerprint written any way droverd's own form is accepted; the file gets droverd's form.
    std::string plain;
    for (char ch : fingerprint)
        if (ch != ':') plain += static_cast<char>(std::tolower(ch));
    auto r = install(d, config, w.path + "/state", {"--server-fingerprint", plain});
    INFO(with_output(r));
    REQUIRE(r.status == 0);
    CHECK(read_config(config)["server-fingerprint"] == fingerprint);
    set_config(config, "oneshot", "true");
    set_config(config, "skip-power", "true");
    const auto good = read_config(config);

    SECTION("a wrong pinned fingerprint fails with the mismatch") {
        set_config(config, "server-fingerprint", std::string(fingerprint).replace(0, 2, "00"));
        auto agent = run_configured_agent(config);
        CHECK(agent.status == 1);
        CHECK(agent.err.find("TLS certificate fingerprint mismatch") != std::string::npos);
        CHECK(agent.err.find(fingerprint) != std::string::npos);
        // RS_SERVER_FINGERPRINT wins over the file.
        auto env = run_configured_agent(config, {}, {{"RS_SERVER_FINGERPRINT", fingerprint}});
        INFO(with_output(env));
        CHECK(env.status == 0);
    }
    SECTION("RS_ENDPOINT wins over the file's endpoint") {
        set_config(config, "endpoint", "http://127.0.0.1:" + std::to_string(d.port()));
        auto agent = run_configured_agent(config);
        CHECK(agent.status == 1);
        CHECK(agent.err.find("needs an https:// endpoint") != std::string::npos);
        auto env = run_configured_agent(config, {}, {{"RS_ENDPOINT", d.endpoint()}});
        INFO(with_output(env));
        CHECK(env.status == 0);
    }
    SECTION("-T and --machine win over the file's token and machine") {
        set_config(config, "token", "not-a-token");
        set_config(config, "machine", "11111111-2222-4333-8444-555555555555");
        auto agent = run_configured_agent(config);
        CHECK(agent.status == 1);
        auto flags = run_configured_agent(config, {"-T", good.at("token"), "--machine", kUuid});
        INFO(with_output(flags));
        CHECK(flags.status == 0);
    }
    SECTION("a config that group or others may read is refused") {
        for (mode_t mode : {0640, 0604}) {
            REQUIRE(chmod(config.c_str(), mode) == 0);
            auto agent = run_configured_agent(config);
            CHECK(agent.status == 1);
            CHECK(agent.err.find("run: chmod 600 " + config) != std::string::npos);
        }
        REQUIRE(chmod(config.c_str(), 0600) == 0);
        CHECK(run_configured_agent(config).status == 0);
    }
    SECTION("an unknown or repeated setting is an error naming it") {
        set_config(config, "oneshott", "true");
        auto agent = run_configured_agent(config);
        CHECK(agent.status == 1);
        CHECK(agent.err.find("unknown setting 'oneshott'") != std::string::npos);
        std::ofstream(config, std::ios::app) << "machine = " << kUuid << "\n";
        agent = run_configured_agent(config);
        CHECK(agent.status == 1);
        CHECK(agent.err.find("machine is set twice") != std::string::npos);
    }
}
