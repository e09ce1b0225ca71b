// `drover template render`: renders a task template offline from the JSON document that
// the Go reference renderer (tools/gotmpl-oracle) reads, so both can be compared byte for
// byte. Output on stdout; on error the Go-style message on stderr and exit status 1.
#include <CLI/CLI.hpp>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "agent/cli/commands.hpp"
#include "common/tmpl/oracle_doc.hpp"

namespace drover::cli {

namespace {

int render(std::istream& input) {
    std::string raw((std::istreambuf_iterator<char>(input)), std::istreambuf_iterator<char>());
    auto doc = nlohmann::json::parse(raw, nullptr, false);
    if (doc.is_discarded()) {
        std::cerr << "invalid input: not JSON\n";
        return 1;
    }
    auto result = tmpl::render_oracle_document(doc);
    if (!result.ok()) {
        std::cerr << result.error() << '\n';
        return 1;
    }
    std::cout << result.value();
    std::cout.flush();
    return 0;
}

}  // namespace

void add_template_commands(CLI::App& app) {
    auto* cmd = app.add_subcommand("template", "Template tools");
    cmd->require_subcommand(1);
    auto* r = cmd->add_subcommand(
        "render", "Render a template from the gotmpl-oracle JSON document read on stdin");
    r->callback([] {
        if (int rc = render(std::cin); rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace drover::cli
