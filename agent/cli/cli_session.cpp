#include "agent/cli/cli_session.hpp"

#include "agent/client/tls_options.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

namespace drover::cli {

namespace {

// DRP's default credentials, which drpcli sends when it has no token and no user (spec 6.8).
constexpr const char* kDefaultUser = "rocketskates";
constexpr const char* kDefaultPassword = "r0cketsk8ts";

bool is_write(const std::string& method) {
    return method != "GET" && method != "HEAD";
}

}  // namespace

client::ClientOptions Session::client_options() const {
    client::ClientOptions o;
    o.endpoint = options.endpoint;
    while (!o.endpoint.empty() && o.endpoint.back() == '/')
        o.endpoint.pop_back();
    o.token = options.token;
    o.ca_cert = options.ca_cert;
    o.server_fingerprint = options.server_fingerprint;
    client::tls_options_from_env(o);  // flags win over the environment
    o.user = options.username;
    o.password = options.password;
    if (o.token.empty() && o.user.empty()) {
        auto colon = options.key.find(':');
        o.user = options.key.empty() ? kDefaultUser : options.key.substr(0, colon);
        o.password = options.key.empty()          ? kDefaultPassword
                     : colon == std::string::npos ? ""
                                                  : options.key.substr(colon + 1);
    }
    return o;
}

client::ApiClient& Session::api() {
    if (!api_) api_ = std::make_unique<client::ApiClient>(client_options());
    return *api_;
}

client::ApiClient Session::stream_client() const {
    return client::ApiClient(client_options());
}

std::string Session::with_force(const std::string& method, const std::string& path) const {
    if (!options.force || !is_write(method)) return path;
    return path + (path.find('?') == std::string::npos ? "?" : "&") + "force=true";
}

nlohmann::json Session::call(const std::string& method, const std::string& path,
                             const nlohmann::json* body) {
    auto answer = api().call(method, with_force(method, path), body);
    if (!answer) fail(answer.error());
    return std::move(answer).value();
}

std::string Session::call_raw(const std::string& method, const std::string& path) {
    client::Request req{method,
                        with_force(method, path),
                        "",
                        "application/json",
                        {{"Accept", "application/octet-stream"}}};
    auto sent = api().send(req);
    if (!sent) throw Failure(sent.error().message);
    if (sent->status >= 400) throw Failure(client::error_message(sent->status, sent->body));
    return std::move(sent->body);
}

Format Session::format() const {
    if (auto f = parse_format(options.format)) return *f;
    return isatty(STDOUT_FILENO) ? Format::Table : Format::Json;
}

void Session::print(const nlohmann::json& value, const std::vector<std::string>& columns) const {
    std::cout << render(value, format(), columns);
    std::cout.flush();
}

void add_global_options(CLI::App& app, Session& s) {
    app.fallthrough();
    auto& o = s.options;
    app.add_option("-E,--endpoint", o.endpoint, "The droverd API endpoint")
        ->envname("RS_ENDPOINT")
        ->capture_default_str();
    app.add_option("-T,--token", o.token, "A token to authenticate with")->envname("RS_TOKEN");
    app.add_option("-U,--username", o.username, "The user to authenticate as");
    app.add_option("-P,--password", o.password, "The user's password");
    app.add_option("--key", o.key, "user:password to authenticate with")->envname("RS_KEY");
    app.add_option("-F,--format", o.format,
                   "Output format: json, yaml or table (default: table on a terminal, else json)")
        ->envname("RS_FORMAT")
        ->check(CLI::IsMember({"json", "yaml", "table", "text"}));
    app.add_flag("-f,--force", o.force, "Force writes the server would otherwise refuse");
    app.add_option("--ca-cert", o.ca_cert,
                   "Verify droverd's TLS certificate against this CA file ($RS_CA_CERT)");
    app.add_option("--server-fingerprint", o.server_fingerprint,
                   "Pin droverd's TLS certificate by its SHA-256 fingerprint, as droverd logs it "
                   "($RS_SERVER_FINGERPRINT)");
    app.add_option("-r,--ref", o.ref,
                   "update: patch against this object (JSON, file or -) instead of the "
                   "server's copy, failing if the server's copy differs from it");
}

void fail(const client::ApiError& error) {
    throw Failure(error.message);
}

}  // namespace drover::cli
