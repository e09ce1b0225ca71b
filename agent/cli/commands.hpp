// Each command family registers its subcommands on the root app; main.cpp only wires them up.
// A command's callback throws CLI::RuntimeError(code) to exit with a status after printing, or
// Failure (cli_session.hpp) to print one `Error: ...` line and exit 1.
#pragma once
#include <memory>

namespace CLI {
class App;
}

namespace drover::cli {

class Session;

void add_schema_commands(CLI::App& app);
void add_template_commands(CLI::App& app);
// One subcommand per object type with list/show/exists/create/update/patch/destroy/meta.
void add_object_commands(CLI::App& app, const std::shared_ptr<Session>& s);
// params/get/set/remove on machines, profiles and stages (spec 6.3).
void add_param_commands(CLI::App& app, const std::shared_ptr<Session>& s);
// The machines' extras: stage, workflow, run, pause, tasks, profiles, current job and its log.
void add_machine_commands(CLI::App& app, const std::shared_ptr<Session>& s);
// The jobs' extras: log and actions.
void add_job_commands(CLI::App& app, const std::shared_ptr<Session>& s);
// `events watch` and every type's `wait`, both on the event stream.
void add_event_commands(CLI::App& app, const std::shared_ptr<Session>& s);
// `machines token` and `users token` (spec 6.8).
void add_token_commands(CLI::App& app, const std::shared_ptr<Session>& s);
void add_agent_commands(CLI::App& app, const std::shared_ptr<Session>& s);
// `agent install` and `agent remove`, registered on the agent subcommand.
void add_agent_install_commands(CLI::App& agent, const std::shared_ptr<Session>& s);
void add_contents_commands(CLI::App& app, const std::shared_ptr<Session>& s);

}  // namespace drover::cli
