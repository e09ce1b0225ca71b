// Each command family registers its subcommands on the root app; main.cpp only wires them up.
// A command's callback throws CLI::RuntimeError(code) to exit with a status after printing.
#pragma once

namespace CLI {
class App;
}

namespace drover::cli {

void add_schema_commands(CLI::App& app);
void add_template_commands(CLI::App& app);
void add_agent_commands(CLI::App& app);
void add_contents_commands(CLI::App& app);

}  // namespace drover::cli
