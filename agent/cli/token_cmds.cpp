// `drover machines token <id> [--ttl T]` and `drover users token <name> [--ttl T]` (spec 6.1,
// 6.8; issue 7): a signed token for the subject, printed alone on stdout so scripts can do
// RS_TOKEN=$(drover machines token $uuid). An agent's token comes this way (spec 5.1).
#include <CLI/CLI.hpp>
#include <iostream>

#include "agent/cli/cli_session.hpp"
#include "agent/cli/commands.hpp"
#include "agent/client/api_client.hpp"

namespace drover::cli {

namespace {

struct TokenArgs {
    std::string id;
    std::string ttl;
};

void add_token(CLI::App& app, const std::shared_ptr<Session>& s, const std::string& type,
               const std::string& what) {
    auto* parent = app.get_subcommand(type);
    auto a = std::make_shared<TokenArgs>();
    auto* c = parent->add_subcommand("token", "Print a token for " + what);
    c->add_option("id", a->id, "The " + what)->required();
    c->add_option("--ttl", a->ttl, "Lifetime: seconds or a duration such as 1h, 30d or 3y");
    c->callback([s, a, type] {
        std::string path = "/api/v3/" + type + "/" + client::url_escape(a->id) + "/token";
        if (!a->ttl.empty()) path += "?ttl=" + client::url_escape(a->ttl);
        auto answer = s->call("GET", path);
        std::cout << answer.value("Token", "") << '\n';
    });
}

}  // namespace

void add_token_commands(CLI::App& app, const std::shared_ptr<Session>& s) {
    app.add_subcommand("users", "Users (issue 7)")->require_subcommand(1);
    add_token(app, s, "machines", "a machine (what its agent runs with)");
    add_token(app, s, "users", "a user");
}

}  // namespace drover::cli
