// `drover template render`: renders a task template offline from the JSON document that
// the Go reference renderer (tools/gotmpl-oracle) reads, so both can be compared byte for
// byte. Output on stdout; on error the Go-style message on stderr and exit status 1.
#include <CLI/CLI.hpp>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "agent/cli/commands.hpp"
#include "common/tmpl/gofmt.hpp"
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

// --batch: one oracle document per input line, one {"out"} / {"err"} JSON object per
// output line; lets the differential fuzzer avoid a process per case.
int render_batch(std::istream& input) {
    std::string line;
    while (std::getline(input, line)) {
        if (line.empty()) continue;
        auto doc = nlohmann::json::parse(line, nullptr, false);
        nlohmann::json res;
        uint64_t opaque_before = tmpl::opaque_prints();
        if (doc.is_discarded()) {
            res["err"] = "invalid input: not JSON";
        } else if (auto r = tmpl::render_oracle_document(doc); r.ok()) {
            res["out"] = r.value();
        } else {
            res["err"] = r.error();
        }
        // Go would have printed pointer addresses here: not comparable.
        if (tmpl::opaque_prints() != opaque_before) res["opaque"] = true;
        std::cout << res.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    }
    std::cout.flush();
    return 0;
}

}  // namespace

void add_template_commands(CLI::App& app) {
    auto* cmd = app.add_subcommand("template", "Template tools");
    cmd->require_subcommand(1);
    auto* r = cmd->add_subcommand(
        "render", "Render a template from the gotmpl-oracle JSON document read on stdin");
    auto batch = std::make_shared<bool>(false);
    r->add_flag("--batch", *batch, "Read one document per line, print one JSON result per line");
    r->callback([batch] {
        int rc = *batch ? render_batch(std::cin) : render(std::cin);
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace drover::cli
