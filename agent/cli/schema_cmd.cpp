// `drover schemas [name...]`: prints the JSON Schemas compiled into the binary, so content
// authors and other tools can check objects against the exact shapes this build speaks.
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "agent/cli/commands.hpp"
#include "embedded_schemas.hpp"

namespace drover::cli {

namespace {

int print_schemas(const std::vector<std::string>& names, bool list_only) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& schema : schemas::all()) {
        std::string name(schema.name);
        if (!names.empty() && std::find(names.begin(), names.end(), name) == names.end()) continue;
        out[name] = nlohmann::json::parse(schema.text);
    }
    for (const auto& wanted : names) {
        if (!out.contains(wanted)) {
            std::cerr << "drover: no schema named '" << wanted << "'\n";
            return 1;
        }
    }
    if (list_only) {
        for (const auto& [name, _] : out.items())
            std::cout << name << '\n';
    } else if (names.size() == 1) {
        std::cout << out[names.front()].dump(2) << '\n';
    } else {
        std::cout << out.dump(2) << '\n';
    }
    return 0;
}

}  // namespace

void add_schema_commands(CLI::App& app) {
    auto* cmd = app.add_subcommand("schemas", "Print the JSON Schemas of the API objects");
    auto names = std::make_shared<std::vector<std::string>>();
    auto list_only = std::make_shared<bool>(false);
    cmd->add_option("names", *names, "Schema names (default: all, as one JSON object)");
    cmd->add_flag("--list", *list_only, "Print only the schema names");
    cmd->callback([names, list_only] {
        if (int rc = print_schemas(*names, *list_only); rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace drover::cli
