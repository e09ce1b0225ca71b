#include "agent/fsm/machine_agent.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <thread>

#include "agent/client/event_wakeups.hpp"
#include "agent/fsm/log_shipper.hpp"
#include "agent/fsm/saved_token.hpp"
#include "agent/fsm/state_file.hpp"
#include "agent/runner/task_runner.hpp"
#include "common/api/json_patch.hpp"
#include "common/rules/change_stage.hpp"
#include "common/rules/feature_flags.hpp"
#include "common/security/token.hpp"

namespace drover::agent {

namespace {

using model::Json;
using Clock = std::chrono::steady_clock;

enum class State {
    Init,
    WaitForRunnable,
    RunTask,
    WaitForChangeStage,
    ChangeStage,
    Reboot,
    Poweroff,
    Kexec,
    Exit
};

const char* name_of(State s) {
    switch (s) {
        case State::Init:
            return "AGENT_INIT";
        case State::WaitForRunnable:
            return "AGENT_WAIT_FOR_RUNNABLE";
        case State::RunTask:
            return "AGENT_RUN_TASK";
        case State::WaitForChangeStage:
            return "AGENT_WAIT_FOR_CHANGE_STAGE";
        case State::ChangeStage:
            return "AGENT_CHANGE_STAGE";
        case State::Reboot:
            return "AGENT_REBOOT";
        case State::Poweroff:
            return "AGENT_POWEROFF";
        case State::Kexec:
            return "AGENT_KEXEC";
        case State::Exit:
            return "AGENT_EXIT";
    }
    return "?";
}

using api::patch_op;
using model::meta_of;

std::string str(const Json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string random_key() {
    std::random_device rd;
    std::string out;
    static const char* hex = "0123456789abcdef";
    for (int i = 0; i < 32; ++i)
        out += hex[rd() & 15];
    return out;
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class ShipperSink : public LogSink {
  public:
    explicit ShipperSink(LogShipper& shipper) : shipper_(shipper) {}
    void write(std::string_view bytes) override { shipper_.write(bytes); }

  private:
    LogShipper& shipper_;
};

class MachineAgent {
  public:
    MachineAgent(const AgentOptions& o, const std::atomic<bool>& stop)
        : o_(o),
          stop_(stop),
          token_(pick_start_token(o.state_dir, o.machine, o.client.token)),
          api_(client_options()),
          path_("/api/v3/machines/" + o.machine) {}

    int run();

  private:
    client::ClientOptions client_options() const {
        client::ClientOptions c = o_.client;
        c.token = token_;
        c.retry_every = std::chrono::seconds(10);  // the agent never gives up on its server
        c.cancelled = [this] { return stop_.load(); };
        c.log = [](const std::string& line) { std::cerr << "agent: " << line << std::endl; };
        return c;
    }
    std::string spool_dir() const { return o_.state_dir + "/spool"; }
    void log(const std::string& line) const { std::cerr << "agent: " << line << std::endl; }

    bool refresh() {
        auto r = api_.call("GET", path_);
        if (!r) {
            error_ = "fill: " + r.error().message;
            return false;
        }
        machine_ = std::move(r.value());
        return true;
    }
    bool patch_machine(const Json& ops) {
        auto r = api_.call("PATCH", path_, &ops);
        if (r) machine_ = std::move(r.value());
        return r.has_value();
    }
    bool sleep_for(std::chrono::milliseconds d) {
        for (auto end = Clock::now() + d; Clock::now() < end && !stop_;)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return !stop_;
    }

    void renew_token_if_due();
    void restart_wakeups();
    State step(State s);
    State init();
    State exit_or_sleep();
    State init_or_exit();
    State wait_on(const std::function<bool(const Json& before, const Json& now)>& cond, State self);
    State run_task();
    State run_job(const Json& job);
    State change_stage();
    State reboot_or_exit(bool auto_kexec);
    State power(const char* action, const std::string& command);
    State kexec();
    void mark_not_runnable();

    const AgentOptions& o_;
    const std::atomic<bool>& stop_;
    std::string token_;  // the agent's token, renewed before it expires (issue 7)
    client::ApiClient api_;
    std::string path_;
    std::unique_ptr<client::EventWakeups> events_;
    Json machine_;  // the agent's last copy
    std::string error_;
    std::int64_t boot_time_ = 0;
};

// A machine token lives for a server-set time (issue 7): the agent asks for a fresh one with the
// same lifetime when less than a tenth of it (at least a minute) is left, so a long-running agent
// never finds itself locked out.
void MachineAgent::renew_token_if_due() {
    auto life = security::token_lifetime(token_);
    if (!life) return;  // no token, or a user's password login
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    std::int64_t span = life->expires_at - life->issued_at;
    if (life->expires_at - now > std::max<std::int64_t>(60, span / 10)) return;
    auto r = api_.call("GET", path_ + "/token?ttl=" + std::to_string(span));
    if (!r || !r->contains("Token") || !(*r)["Token"].is_string()) {
        log("cannot renew the agent's token: " + (r ? std::string("no Token") : r.error().message));
        return;
    }
    token_ = (*r)["Token"].get<std::string>();
    api_.set_token(token_);
    restart_wakeups();
    std::string saved = save_token(o_.state_dir, o_.machine, token_);
    log("renewed the agent's token" + (saved.empty() ? "" : "; cannot keep it: " + saved));
}

void MachineAgent::restart_wakeups() {
    if (events_) events_->stop();
    events_ = std::make_unique<client::EventWakeups>(
        client_options(), std::vector<std::string>{"machines.*." + o_.machine});
}

int MachineAgent::run() {
    boot_time_ = host_boot_time();
    restart_wakeups();
    LogShipper::ship_leftovers(client_options(), spool_dir());
    State s = State::Init;
    if (!refresh()) {
        log("cannot read machine " + o_.machine + ": " + error_);
        return 1;
    }
    // spec 5.2: legacy machines (no change-stage-v2) are made Runnable by the agent itself.
    if (rules::agent_marks_runnable_at_start(meta_of(machine_), o_.context) &&
        !patch_machine(Json::array({patch_op("replace", "/Runnable", true)}))) {
        log("cannot mark machine runnable");
        return 1;
    }
    if (auto saved = load_state(o_.state_dir, o_.machine, boot_time_)) {
        bool boot_env_moved = str(*saved, "BootEnv") != str(machine_, "BootEnv");
        if (boot_env_moved && o_.context.empty()) s = reboot_or_exit(true);
    }
    while (s != State::Exit) {
        if (stop_) {
            error_ = "Exiting because of interrupt";
            break;
        }
        renew_token_if_due();
        State next = step(s);
        if (next != s) log(std::string(name_of(s)) + " -> " + name_of(next));
        if (!error_.empty() && next != State::Exit) log("error: " + error_);
        save_state(o_.state_dir, o_.machine, boot_time_, machine_);
        s = next;
    }
    events_->stop();
    if (!error_.empty()) log("exiting: " + error_);
    return error_.empty() ? 0 : 1;
}

State MachineAgent::step(State s) {
    switch (s) {
        case State::Init:
            return init();
        case State::WaitForRunnable:
            return wait_on([](const Json&, const Json& m) { return m.value("Runnable", false); },
                           s);
        case State::RunTask:
            return run_task();
        case State::WaitForChangeStage:
            return wait_on(
                [](const Json& before, const Json& m) {
                    for (const char* f : {"CurrentTask", "Tasks", "Runnable", "BootEnv", "Stage"})
                        if (before.value(f, Json()) != m.value(f, Json())) return true;
                    return false;
                },
                s);
        case State::ChangeStage:
            return change_stage();
        case State::Reboot:
            return power("reboot", o_.reboot_command);
        case State::Poweroff:
            return power("poweroff", o_.poweroff_command);
        case State::Kexec:
            return kexec();
        case State::Exit:
            break;
    }
    return State::Exit;
}

State MachineAgent::exit_or_sleep() {
    if (o_.exit_on_failure) return State::Exit;
    sleep_for(o_.init_retry);
    return State::Init;
}

State MachineAgent::init_or_exit() {
    if (o_.exit_on_failure) return State::Exit;
    sleep_for(o_.run_retry);
    return State::Init;
}

// spec 5.3 AGENT_INIT: a job this context left created or running was abandoned (the agent that
// ran it died or the host rebooted): fail it so POST /jobs retries the task.
State MachineAgent::init() {
    error_.clear();
    if (!refresh()) return exit_or_sleep();
    std::string cj = str(machine_, "CurrentJob");
    if (cj.empty()) return State::WaitForRunnable;
    auto job = api_.call("GET", "/api/v3/jobs/" + cj);
    if (!job || str(*job, "Context") != o_.context) return State::WaitForRunnable;
    std::string state = str(*job, "State");
    if (state != "created" && state != "running") return State::WaitForRunnable;
    Json ops =
        Json::array({patch_op("test", "/State", state), patch_op("replace", "/State", "failed"),
                     patch_op("replace", "/ExitState", "failed")});
    if (auto r = api_.call("PATCH", "/api/v3/jobs/" + cj, &ops); !r) {
        error_ = "cannot fail abandoned job " + cj + ": " + r.error().message;
        return exit_or_sleep();
    }
    log("failed job " + cj + " (" + str(*job, "Task") + "), left " + state +
        " by an agent that is gone");
    // Failing a job stops its machine (server rule); this failure is only bookkeeping for an
    // agent that died, so the machine goes on and POST /jobs runs the task again.
    if (machine_.value("Runnable", false) &&
        patch_machine(Json::array(
            {patch_op("test", "/Runnable", false), patch_op("replace", "/Runnable", true)})))
        log("machine stays runnable: the task runs again");
    return State::WaitForRunnable;
}

// spec 5.3.1: re-read the machine on every wake-up; the event stream only says when to look.
State MachineAgent::wait_on(const std::function<bool(const Json&, const Json&)>& cond, State self) {
    const Json before = machine_;
    auto deadline = Clock::now() + (o_.oneshot ? std::chrono::milliseconds(1000) : o_.wait_timeout);
    for (;;) {
        auto since = events_->seen();
        if (!refresh()) return init_or_exit();
        bool boot_env_moved = str(machine_, "BootEnv") != str(before, "BootEnv");
        bool ours = str(machine_, "Context") == o_.context || boot_env_moved;
        if (machine_.value("Available", false) && ours && cond(before, machine_)) {
            if (boot_env_moved && o_.context.empty()) return reboot_or_exit(true);
            if (str(machine_, "Context") != o_.context) return State::WaitForRunnable;
            return machine_.value("Runnable", false) ? State::RunTask : State::WaitForRunnable;
        }
        while (!events_->wait_beyond(since, std::chrono::milliseconds(250))) {
            if (stop_) return State::Exit;
            if (Clock::now() >= deadline) return o_.oneshot ? State::Exit : self;
        }
    }
}

State MachineAgent::run_task() {
    Json body{{"Machine", o_.machine}, {"Context", o_.context}};
    // One key per decision: a retried POST after a lost response gets the same job back.
    auto r = api_.call("POST", "/api/v3/jobs", &body, {{"Idempotency-Key", random_key()}});
    if (!r) {
        error_ = "POST /jobs: " + r.error().message;
        return init_or_exit();
    }
    if (r->is_null()) {  // 204: nothing to run now
        // The copy from before the POST stays: WAIT_FOR_CHANGE_STAGE compares against it, so a
        // stage: or bootenv: entry the server just applied is the change that wakes it.
        return str(machine_, "Workflow").empty() ? State::ChangeStage : State::WaitForChangeStage;
    }
    const Json& job = *r;
    std::string task = str(job, "Task"), state = str(job, "State");
    if (task.rfind("chroot:", 0) == 0) {
        log("job " + str(job, "Uuid") + " asks to chroot to " + task.substr(7) +
            "; drover's agent runs unchrooted");
        return State::WaitForRunnable;
    }
    if (task.find(':') != std::string::npos) {
        if (state == "failed" && o_.exit_on_failure) {
            error_ = "job " + str(job, "Uuid") + " (" + task + ") failed";
            return State::Exit;
        }
        if (state == "failed") return State::WaitForRunnable;
        if (state == "finished") return State::WaitForRunnable;
        error_ = state == "running" ? "Job " + str(job, "Uuid") + " running somewhere else"
                                    : "Invalid job state returned";
        return init_or_exit();
    }
    return run_job(job);
}

State MachineAgent::run_job(const Json& job) {
    const std::string id = str(job, "Uuid"), task_name = str(job, "Task");
    auto task = api_.call("GET", "/api/v3/tasks/" + client::url_escape(task_name));
    if (!task) {
        error_ = "GET task " + task_name + ": " + task.error().message;
        return init_or_exit();
    }
    LogShipper shipper(client_options(), id, spool_dir(), true);
    Json start = Json::array(
        {patch_op("test", "/State", str(job, "State")), patch_op("replace", "/State", "running")});
    if (auto r = api_.call("PATCH", "/api/v3/jobs/" + id, &start); !r) {
        error_ = "cannot start job " + id + ": " + r.error().message;
        return init_or_exit();
    }
    TaskOutcome outcome;
    auto actions = api_.call("GET", "/api/v3/jobs/" + id + "/actions?os=linux");
    if (!actions) {
        shipper.write("Failed to render actions: " + actions.error().message + "\n");
        outcome.result.state = model::JobState::Failed;
        outcome.result.exit_state = model::ExitState::Failed;
        outcome.result.make_not_runnable = true;
    } else {
        TaskRun run;
        run.task = task_name;
        for (const auto& a : *actions) {
            model::JobAction action;
            model::decode(a, action);
            run.actions.push_back(std::move(action));
        }
        auto meta = meta_of(*task);
        run.feature_flags = rules::feature_flags_of(meta);
        if (auto t = meta.find("timeout"); t != meta.end()) run.timeout = t->second;
        run.kill_grace = o_.kill_grace;
        RunnerEnvironment env;
        env.runner_dir = o_.runner_dir.empty() ? o_.state_dir + "/runner" : o_.runner_dir;
        env.machine_uuid = o_.machine;
        env.endpoint = o_.client.endpoint;
        env.token = token_;
        env.drover_path = o_.drover_path;
        // drover run by a task (the helper's get_param/set_param) verifies droverd as we do.
        if (!o_.client.ca_cert.empty()) env.extra_env.push_back("RS_CA_CERT=" + o_.client.ca_cert);
        if (!o_.client.server_fingerprint.empty())
            env.extra_env.push_back("RS_SERVER_FINGERPRINT=" + o_.client.server_fingerprint);
        ShipperSink sink(shipper);
        outcome = agent::run_task(run, env, sink, stop_);
    }
    const auto& result = outcome.result;
    // The log is whole before the job is final. A stop (SIGTERM) while droverd is unreachable
    // ends the wait: the spool stays, and the next start settles the job (spec 5.6).
    bool shipped = false;
    for (auto end = Clock::now() + std::chrono::hours(1); !shipped && !stop_ && Clock::now() < end;)
        shipped = shipper.flush(std::chrono::seconds(1));
    if (!shipped && stop_) return State::Exit;
    if (result.make_not_runnable) {
        if (patch_machine(Json::array({patch_op("replace", "/Runnable", false)})))
            log("Marked machine " + str(machine_, "Name") + " as not runnable");
    }
    Json done =
        Json::array({patch_op("test", "/State", "running"),
                     patch_op("replace", "/State", model::to_string(result.state)),
                     patch_op("replace", "/ExitState", model::to_string(result.exit_state))});
    if (auto r = api_.call("PATCH", "/api/v3/jobs/" + id, &done); !r) {
        error_ = "cannot finish job " + id + ": " + r.error().message;
        return init_or_exit();
    }
    log("job " + id + " (" + task_name + "): " + model::to_string(result.state) + "/" +
        model::to_string(result.exit_state));
    if (outcome.interrupted) return State::Exit;
    if (result.reboot) return reboot_or_exit(false);
    if (result.poweroff) return State::Poweroff;
    if (result.stop) return State::Exit;
    if (result.state == model::JobState::Failed && o_.exit_on_failure) {
        error_ = "job " + id + " (" + task_name + ") failed";  // --exit-on-failure exits non-zero
        return State::Exit;
    }
    return State::WaitForRunnable;
}

// spec 4: the legacy change-stage/map, for machines without a workflow.
State MachineAgent::change_stage() {
    auto map = api_.call("GET", path_ + "/params/change-stage/map?aggregate=true");
    std::string stage = str(machine_, "Stage"), boot_env = str(machine_, "BootEnv");
    auto plan = rules::plan_change_stage(map ? *map : Json(), stage, boot_env);
    if (!plan) {
        error_ = "change-stage/map is not a map of stage names";
        return init_or_exit();
    }
    rules::NextStageFacts facts;
    if (plan->next_stage != stage) {
        auto next = api_.call("GET", "/api/v3/stages/" + client::url_escape(plan->next_stage));
        if (!next) {
            error_ = "GET stage " + plan->next_stage + ": " + next.error().message;
            return init_or_exit();
        }
        facts = {str(*next, "BootEnv"), next->value("Reboot", false)};
    }
    auto d = rules::decide_change_stage(*plan, stage, boot_env, facts);
    if (d.patch_stage &&
        !patch_machine(Json::array({patch_op("replace", "/Stage", d.next_stage)}))) {
        error_ = "cannot change stage to " + d.next_stage;
        return init_or_exit();
    }
    switch (d.step) {
        case rules::AgentStep::WaitForChangeStage:
            return State::WaitForChangeStage;
        case rules::AgentStep::WaitForRunnable:
            return State::WaitForRunnable;
        case rules::AgentStep::RebootOrExit:
            return reboot_or_exit(true);
        case rules::AgentStep::Exit:
            return State::Exit;
        case rules::AgentStep::Poweroff:
            return State::Poweroff;
    }
    return State::Exit;
}

// spec 5.4: an installer's bootenv (*-install) reboots by itself, so the agent just exits.
State MachineAgent::reboot_or_exit(bool auto_kexec) {
    mark_not_runnable();
    if (ends_with(str(machine_, "BootEnv"), "-install")) return State::Exit;
    if (auto_kexec && o_.kexec) {
        std::ifstream loaded("/sys/kernel/kexec_loaded");
        int v = 0;
        if (loaded >> v && v == 1) return State::Kexec;
    }
    return State::Reboot;
}

void MachineAgent::mark_not_runnable() {
    if (!o_.context.empty() || !str(machine_, "Context").empty()) return;
    patch_machine(
        Json::array({patch_op("test", "/Context", ""), patch_op("replace", "/Runnable", false)}));
}

State MachineAgent::power(const char* action, const std::string& command) {
    if (o_.skip_power || !o_.context.empty()) {
        log(std::string("would ") + action + " now (" +
            (o_.skip_power ? "--skip-power" : "context " + o_.context) + "); exiting instead");
        return State::Exit;
    }
    mark_not_runnable();
    log(std::string(action) + ": running " + command);
    if (std::system(command.c_str()) != 0) error_ = std::string("Failed to ") + action;
    return State::Exit;
}

State MachineAgent::kexec() {
    if (!o_.context.empty()) return State::Exit;
    log("kexec: running systemctl kexec");
    if (std::system("systemctl kexec") == 0) return State::Exit;
    return State::Reboot;
}

}  // namespace

int run_machine_agent(const AgentOptions& options, const std::atomic<bool>& stop) {
    MachineAgent agent(options, stop);
    return agent.run();
}

}  // namespace drover::agent
