// `drover contents upload <file|dir>` and `drover contents bundle <dir> <file>` (drpcli's
// content commands): a bundle is read and checked locally (YAML becomes JSON here), uploaded
// with POST /api/v3/contents, and the server's ContentSummary printed. Problems go to stderr as
// one "Error: ..." line each (the local parser's or every message of the server's answer) with
// exit status 1. Endpoint and credentials come from the global flags.
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "agent/cli/cli_session.hpp"
#include "agent/cli/commands.hpp"
#include "agent/cli/content_files.hpp"
#include "agent/client/api_client.hpp"
#include "agent/client/private_file.hpp"
#include "common/tmpl/json_value.hpp"

namespace drover::cli {

namespace {

struct ContentsOptions {
    std::string source;
    std::string target;
};

int report(const model::Errors& errors) {
    for (const auto& e : errors)
        std::cerr << "Error: " << e << '\n';
    return 1;
}

// The server's messages, one per problem; the one-line summary when it sent none.
model::Errors server_messages(const client::ApiError& e) {
    model::Errors out;
    auto doc = nlohmann::json::parse(e.body, nullptr, false);
    if (doc.is_object() && doc.contains("Messages") && doc["Messages"].is_array())
        for (const auto& m : doc["Messages"])
            if (m.is_string()) out.push_back(m.get<std::string>());
    if (out.empty()) out.push_back(e.message);
    return out;
}

int upload(const ContentsOptions& o, const Session& session) {
    auto bundle = read_bundle(o.source);
    if (!bundle) return report(bundle.error());
    client::ClientOptions copts = session.client_options();
    // An operator is waiting: a short retry, not the agent's patient schedule.
    copts.retry_delays = {std::chrono::milliseconds(500), std::chrono::seconds(1)};
    client::ApiClient api(copts);
    nlohmann::json doc = content::to_document(bundle.value());
    auto answer = api.call("POST", "/api/v3/contents", &doc);
    if (!answer) return report(server_messages(answer.error()));
    std::cout << answer.value().dump(2) << '\n';
    return 0;
}

int bundle(const ContentsOptions& o) {
    const std::string& target = o.target;
    bool yaml = target.ends_with(".yaml") || target.ends_with(".yml");
    if (!yaml && !target.ends_with(".json"))
        return report({target + ": the bundle file must end in .yaml, .yml or .json"});
    auto b = read_bundle(o.source);
    if (!b) return report(b.error());
    nlohmann::json doc = content::to_document(b.value());
    std::string text = yaml ? tmpl::to_go_yaml(tmpl::from_json(doc)) : doc.dump(2) + "\n";
    if (auto err = client::write_file_atomically(target, text, 0644, client::Overwrite::Replace);
        !err.empty())
        return report({err});
    return 0;
}

}  // namespace

void add_contents_commands(CLI::App& app, const std::shared_ptr<Session>& session) {
    auto opts = std::make_shared<ContentsOptions>();
    auto* cmd = app.add_subcommand("contents", "Content bundles (content packs)");
    cmd->require_subcommand(1);

    auto* up = cmd->add_subcommand(
        "upload", "Upload a bundle file or directory; its objects are created or replaced");
    up->add_option("source", opts->source, "Bundle file (.yaml, .yml, .json) or directory")
        ->required();
    up->callback([opts, session] {
        if (int rc = upload(*opts, *session); rc != 0) throw CLI::RuntimeError(rc);
    });

    auto* bn = cmd->add_subcommand("bundle", "Build one bundle file from a bundle directory");
    bn->add_option("dir", opts->source, "Bundle directory")->required();
    bn->add_option("file", opts->target, "Output file; .yaml/.yml writes YAML, .json JSON")
        ->required();
    bn->callback([opts] {
        if (int rc = bundle(*opts); rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace drover::cli
