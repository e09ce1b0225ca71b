// drover: admin CLI and (later) machine agent in one binary. Each command family lives in
// agent/cli/ and registers itself here; invoked as `drpcli` (a symlink) it accepts the same
// commands. Every failure is one `Error: ...` line on stderr and a non-zero exit status.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "agent/cli/cli_session.hpp"
#include "agent/cli/commands.hpp"

namespace {

// One line, whatever the server's messages held.
std::string one_line(std::string message) {
    std::replace(message.begin(), message.end(), '\n', ' ');
    return message;
}

int run(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
        return 0;
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::RuntimeError& e) {
        return e.get_exit_code();
    } catch (const CLI::ParseError& e) {
        std::cerr << "Error: " << one_line(e.what()) << " (see --help)\n";
    } catch (const std::exception& e) {
        std::cerr << "Error: " << one_line(e.what()) << '\n';
    }
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::string name = argc > 0 ? std::filesystem::path(argv[0]).filename().string() : "drover";
    CLI::App app{"drover: bare-metal provisioning client (admin CLI and machine agent)", name};
    auto session = std::make_shared<drover::cli::Session>();
    drover::cli::add_global_options(app, *session);
    app.require_subcommand(1);
    app.set_version_flag("--version", DROVER_VERSION);
    drover::cli::add_schema_commands(app);
    drover::cli::add_template_commands(app);
    drover::cli::add_object_commands(app, session);
    drover::cli::add_param_commands(app, session);
    drover::cli::add_machine_commands(app, session);
    drover::cli::add_job_commands(app, session);
    drover::cli::add_event_commands(app, session);
    drover::cli::add_token_commands(app, session);
    drover::cli::add_agent_commands(app, session);
    drover::cli::add_contents_commands(app, session);
    return run(app, argc, argv);
}
