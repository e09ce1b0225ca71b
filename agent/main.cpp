// drover: admin CLI and (later) machine agent in one binary. Each command family lives in
// agent/cli/ and registers itself here; invoked as `drpcli` it accepts the same commands.
#include <CLI/CLI.hpp>
#include <iostream>

#include "agent/cli/commands.hpp"

int main(int argc, char** argv) {
    CLI::App app{"drover: bare-metal provisioning client (admin CLI and machine agent)", "drover"};
    app.require_subcommand(1);
    app.set_version_flag("--version", DROVER_VERSION);
    drover::cli::add_schema_commands(app);
    drover::cli::add_template_commands(app);
    drover::cli::add_agent_commands(app);
    drover::cli::add_contents_commands(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return 0;
}
