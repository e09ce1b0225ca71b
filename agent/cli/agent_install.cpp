// `drover agent install` and `drover agent remove`: put a machine's agent in place on that machine
// as an admin, through the global -E/-T/--key flags. install fetches a long-lived machine token,
// writes it with the endpoint and the server's pinning to the config file (0600, never left
// half-written, never silently replaced) and starts drover-agent.service; remove undoes that.
// The pinning written is what the admin connected with (--server-fingerprint, or --ca-cert, whose
// file is copied next to the config), else the certificate this very connection saw.
#include <time.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "agent/cli/agent_config.hpp"
#include "agent/cli/cli_session.hpp"
#include "agent/cli/commands.hpp"
#include "agent/cli/systemd_service.hpp"
#include "agent/client/private_file.hpp"
#include "agent/client/tls_options.hpp"
#include "common/security/token.hpp"

namespace drover::cli {

namespace {

namespace fs = std::filesystem;

constexpr const char* kDefaultConfigPath = "/etc/drover/agent.conf";
constexpr const char* kDefaultStateDir = "/var/lib/drover-agent";
// droverd caps a requested lifetime at its --infinite-token-ttl-seconds (one year by default), so
// this asks for the longest token the server gives; the running agent renews it in memory.
constexpr const char* kInstalledTokenTtl = "100y";

struct InstallArgs {
    std::string machine;
    std::string config_path = kDefaultConfigPath;
    std::string state_dir = kDefaultStateDir;
    std::string ttl = kInstalledTokenTtl;
    bool no_enable = false;
    bool force = false;
};

struct RemoveArgs {
    std::string config_path = kDefaultConfigPath;
    bool no_enable = false;
    bool purge = false;
};

// Where install copies the CA file of --ca-cert: /etc/drover/agent.conf -> agent-ca.pem beside it.
std::string ca_copy_path(const std::string& config_path) {
    fs::path p(config_path);
    return (p.parent_path() / (p.stem().string() + "-ca.pem")).string();
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Failure("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string utc_time(std::int64_t unix_seconds) {
    time_t t = static_cast<time_t>(unix_seconds);
    struct tm tm {};
    char buf[32];
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

std::string fetch_machine_token(Session& s, const InstallArgs& a) {
    auto answer = s.call("GET", "/api/v3/machines/" + client::url_escape(a.machine) +
                                    "/token?ttl=" + client::url_escape(a.ttl));
    std::string token = answer.value("Token", "");
    if (token.empty()) throw Failure("the server sent no token for machine " + a.machine);
    return token;
}

// Adds the pinning entries; returns the CA file to copy to ca_copy ("" for none).
std::string add_pinning(ConfigEntries& entries, Session& s, const std::string& ca_copy) {
    client::ClientOptions o = s.client_options();
    if (o.endpoint.rfind("https://", 0) != 0) return "";
    if (!o.server_fingerprint.empty())
        entries.emplace_back("server-fingerprint",
                             client::normalize_fingerprint(o.server_fingerprint).value());
    if (!o.ca_cert.empty()) entries.emplace_back("ca-cert", ca_copy);
    if (o.server_fingerprint.empty() && o.ca_cert.empty()) {
        std::string seen = s.api().seen_server_fingerprint();
        if (seen.empty()) throw Failure("no TLS certificate was seen on the connection to pin");
        entries.emplace_back("server-fingerprint", seen);
        std::cout << "drover: pinned the certificate this connection saw, SHA-256 " << seen
                  << "\n  compare it with droverd's startup line \"TLS certificate SHA-256 "
                     "fingerprint\"\n";
    }
    return o.ca_cert;
}

void enable_or_explain(const std::string& config_path) {
    if (std::string why = systemd_unavailable_reason(); !why.empty()) {
        std::cout << "drover: not enabling " << kAgentService << ": " << why
                  << "\n  run `systemctl enable --now " << kAgentService
                  << "` once it is, or `drover agent --config " << config_path << "`\n";
        return;
    }
    systemctl_now("enable");
    std::cout << "drover: enabled and started " << kAgentService << '\n';
}

void install_agent(Session& s, const InstallArgs& a) {
    if (!a.force && fs::exists(a.config_path))
        throw Failure(a.config_path +
                      " already exists: `drover agent remove` it, or replace it with --force");
    std::string token = fetch_machine_token(s, a);
    ConfigEntries entries{
        {"endpoint", s.client_options().endpoint}, {"machine", a.machine}, {"token", token}};
    std::string ca_copy = ca_copy_path(a.config_path);
    std::string ca_source = add_pinning(entries, s, ca_copy);
    entries.emplace_back("state-dir", a.state_dir);

    fs::create_directories(fs::path(a.config_path).parent_path());
    using client::Overwrite;
    if (!ca_source.empty())
        if (auto e = client::write_file_atomically(ca_copy, read_file(ca_source), 0644,
                                                   Overwrite::Replace);
            !e.empty())
            throw Failure(e);
    if (auto e = client::write_file_atomically(a.config_path, format_agent_config(entries), 0600,
                                               a.force ? Overwrite::Replace : Overwrite::Refuse);
        !e.empty())
        throw Failure(e);
    if (ca_source.empty()) fs::remove(ca_copy);  // a --force reinstall that no longer uses it
    auto life = security::token_lifetime(token);
    std::cout << "drover: wrote " << a.config_path << " for machine " << a.machine
              << " (token valid until " << (life ? utc_time(life->expires_at) : "?") << ")\n";
    if (!a.no_enable) enable_or_explain(a.config_path);
}

// The state dir the config names, else the default; never a relative path or "/".
std::string state_dir_to_purge(const std::string& config_path) {
    std::string dir = kDefaultStateDir;
    if (fs::exists(config_path)) {
        std::string named = config_value(read_agent_config(config_path), "state-dir");
        if (!named.empty()) dir = named;
    }
    if (fs::path(dir).lexically_normal() == "/" || fs::path(dir).is_relative())
        throw Failure("refusing to purge state dir '" + dir + "'");
    return dir;
}

void remove_file(const std::string& path) {
    if (fs::remove(path)) std::cout << "drover: removed " << path << '\n';
}

void remove_agent(const RemoveArgs& a) {
    if (!a.no_enable) {
        if (std::string why = systemd_unavailable_reason(); !why.empty()) {
            std::cout << "drover: not disabling " << kAgentService << ": " << why << '\n';
        } else {
            systemctl_now("disable");
            std::cout << "drover: stopped and disabled " << kAgentService << '\n';
        }
    }
    std::string state_dir = a.purge ? state_dir_to_purge(a.config_path) : "";
    if (!fs::exists(a.config_path)) std::cout << "drover: no " << a.config_path << '\n';
    remove_file(a.config_path);
    remove_file(ca_copy_path(a.config_path));
    if (!state_dir.empty() && fs::remove_all(state_dir) > 0)
        std::cout << "drover: removed " << state_dir << '\n';
}

void add_config_path(CLI::App& cmd, std::string& path) {
    cmd.add_option("--config-path", path, "The agent's config file")->capture_default_str();
}

}  // namespace

void add_agent_install_commands(CLI::App& agent, const std::shared_ptr<Session>& s) {
    auto a = std::make_shared<InstallArgs>();
    auto* install_cmd = agent.add_subcommand(
        "install",
        "Set this machine's agent up (as an admin): a machine token and the server's pinning in "
        "the config file, then systemctl enable --now " +
            std::string(kAgentService));
    install_cmd->add_option("--machine", a->machine, "The machine's UUID")
        ->envname("RS_UUID")
        ->required();
    add_config_path(*install_cmd, a->config_path);
    install_cmd->add_option("--state-dir", a->state_dir, "The agent's state dir, for the config")
        ->capture_default_str();
    install_cmd->add_option("--ttl", a->ttl,
                            "The token's lifetime (default: the longest droverd gives, its "
                            "--infinite-token-ttl-seconds)");
    install_cmd->add_flag("--no-enable", a->no_enable, "Write the config only (images, tests)");
    install_cmd->add_flag("--force", a->force, "Replace an existing config file");
    install_cmd->callback([s, a] { install_agent(*s, *a); });

    auto r = std::make_shared<RemoveArgs>();
    auto* remove_cmd = agent.add_subcommand(
        "remove", "Stop and disable " + std::string(kAgentService) + " and delete its config");
    add_config_path(*remove_cmd, r->config_path);
    remove_cmd->add_flag("--no-enable", r->no_enable, "Leave systemd alone");
    remove_cmd->add_flag("--purge", r->purge, "Also delete the agent's state dir");
    remove_cmd->callback([r] { remove_agent(*r); });
}

}  // namespace drover::cli
