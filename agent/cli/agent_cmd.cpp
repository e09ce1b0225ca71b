// `drover agent`: the machine agent of spec 5 (state machine in agent/fsm). Flags follow
// `drpcli machines processjobs` (spec 5.1); `--config FILE` supplies any of them and the global
// ones (agent_config.hpp), as drover-agent.service does. SIGTERM and SIGINT stop it cleanly: a
// running action is killed and its job left incomplete, to run again (spec 2.5 step 8).
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <thread>

#include "agent/cli/agent_config.hpp"
#include "agent/cli/cli_session.hpp"
#include "agent/cli/commands.hpp"
#include "agent/fsm/machine_agent.hpp"

namespace drover::cli {

namespace {

std::string self_path() {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "drover";
}

std::atomic<bool> g_stop{false};

// Signals are taken by one thread with sigwait, so the agent's code never runs in a handler.
int run_with_signals(const agent::AgentOptions& options) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread waiter([&set] {
        int sig = 0;
        sigwait(&set, &sig);
        g_stop = true;
    });
    waiter.detach();
    return agent::run_machine_agent(options, g_stop);
}

}  // namespace

void add_agent_commands(CLI::App& app, const std::shared_ptr<Session>& session) {
    auto* cmd = app.add_subcommand(
        "agent",
        "Run the machine agent (spec 5): process jobs for a machine (endpoint and "
        "credentials from the global flags)");
    auto opts = std::make_shared<agent::AgentOptions>();
    auto config = std::make_shared<std::string>();
    cmd->add_option("--config", *config,
                    "Read settings from this file (key = value, keys named like the flags); "
                    "flags and RS_* variables win over it");
    cmd->add_option("--machine", opts->machine, "Machine UUID")->envname("RS_UUID");
    cmd->add_option("--context", opts->context, "Agent context")->envname("RS_CONTEXT");
    cmd->add_flag("--oneshot", opts->oneshot, "Exit instead of waiting for work");
    cmd->add_flag("--exit-on-failure", opts->exit_on_failure, "Exit when a job fails");
    cmd->add_flag("--skip-power", opts->skip_power,
                  "Log reboot/poweroff and exit instead of doing them");
    cmd->add_flag("--kexec", opts->kexec, "Allow kexec instead of a firmware reboot");
    cmd->add_option("--state-dir", opts->state_dir, "Agent state, spool and task dirs")
        ->capture_default_str();
    cmd->add_option("--reboot-command", opts->reboot_command)->capture_default_str();
    cmd->add_option("--poweroff-command", opts->poweroff_command)->capture_default_str();
    cmd->callback([cmd, opts, config, session] {
        if (!cmd->get_subcommands().empty()) return;  // install or remove ran instead
        if (!config->empty()) apply_agent_config(read_agent_config(*config), *cmd, *config);
        if (opts->machine.empty()) throw CLI::ValidationError("--machine", "needs a machine UUID");
        opts->client = session->client_options();
        opts->drover_path = self_path();
        int rc = run_with_signals(*opts);
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
    add_agent_install_commands(*cmd, session);
}

}  // namespace drover::cli
