// The machine agent (spec 5): the state machine of spec 5.3 driving one machine through its task
// list. It waits on the event stream (never polls while idle), asks POST /jobs with an
// Idempotency-Key per decision, runs the job's actions with the runner, ships the log through a
// spool, and reboots, powers off, changes stage or exits as spec 5.4 and change-stage/map decide.
// One log line per state transition goes to stderr.
#pragma once
#include <atomic>
#include <chrono>
#include <string>

#include "agent/client/api_client.hpp"

namespace drover::agent {

struct AgentOptions {
    client::ClientOptions client;
    std::string machine;
    std::string context;
    bool oneshot = false;          // exit instead of waiting (wait timeout 1 s)
    bool exit_on_failure = false;  // a failed job ends the agent
    bool skip_power = false;       // log the reboot/poweroff and exit 0 instead
    bool kexec = false;            // allow kexec instead of a firmware reboot
    std::string state_dir = "/var/lib/drover-agent";
    std::string runner_dir;  // parent of task dirs; default <state_dir>/runner
    std::string reboot_command = "systemctl reboot";
    std::string poweroff_command = "systemctl poweroff";
    std::string drover_path;  // this binary, for the task helper's get_param/set_param
    std::chrono::milliseconds wait_timeout = std::chrono::hours(1);
    std::chrono::milliseconds init_retry = std::chrono::seconds(30);  // INIT failure, no exit
    std::chrono::milliseconds run_retry = std::chrono::seconds(5);    // RUN_TASK failure
    std::chrono::milliseconds kill_grace = std::chrono::seconds(10);  // timeout SIGTERM -> SIGKILL
};

// Runs until the agent exits; returns the process exit status (0: a clean exit, including the
// exits that stand in for power actions under --skip-power or a context).
int run_machine_agent(const AgentOptions& options, const std::atomic<bool>& stop);

}  // namespace drover::agent
