#include "agent/fsm/agent_core.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "agent/fsm/log_shipper.hpp"
#include "agent/fsm/saved_token.hpp"
#include "agent/fsm/state_file.hpp"
#include "common/api/json_patch.hpp"
#include "common/rules/change_stage.hpp"
#include "common/rules/feature_flags.hpp"
#include "common/security/token.hpp"
#include "common/security/token_renewal.hpp"

namespace drover::agent {

namespace {

using model::Json;
using Clock = std::chrono::steady_clock;
using api::patch_op;
using model::meta_of;

// After a renewal failed, the next attempt waits this long (no request loop while droverd refuses).
constexpr std::chrono::seconds kRenewRetry{5};

std::string str(const Json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

// An Idempotency-Key: unique per decision, not a secret, so a seeded generator per thread does.
std::string random_key() {
    thread_local std::mt19937_64 gen{std::random_device{}()};
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (int half = 0; half < 2; ++half)
        for (std::uint64_t bits = gen(), i = 0; i < 16; ++i, bits >>= 4)
            out += hex[bits & 15];
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

class ProcessRunner : public ActionRunner {
  public:
    Result run(const TaskRun& run, const RunnerEnvironment& env, LogSink& log,
               const std::atomic<bool>& stop, const std::function<void()>& heartbeat) override {
        return {agent::run_task(run, env, log, stop, heartbeat), std::chrono::milliseconds(0)};
    }
};

Step go(AgentState next) {
    return {next, {}};
}

}  // namespace

std::unique_ptr<ActionRunner> make_process_runner() {
    return std::make_unique<ProcessRunner>();
}

const char* name_of(AgentState s) {
    switch (s) {
        case AgentState::Init:
            return "AGENT_INIT";
        case AgentState::WaitForRunnable:
            return "AGENT_WAIT_FOR_RUNNABLE";
        case AgentState::RunTask:
        case AgentState::FinishJob:
            return "AGENT_RUN_TASK";
        case AgentState::WaitForChangeStage:
            return "AGENT_WAIT_FOR_CHANGE_STAGE";
        case AgentState::ChangeStage:
            return "AGENT_CHANGE_STAGE";
        case AgentState::Reboot:
            return "AGENT_REBOOT";
        case AgentState::Poweroff:
            return "AGENT_POWEROFF";
        case AgentState::Kexec:
            return "AGENT_KEXEC";
        case AgentState::Exit:
            return "AGENT_EXIT";
    }
    return "?";
}

struct AgentCore::RunningJob {
    std::string id, task;
    TaskOutcome outcome;
    std::unique_ptr<LogShipper> shipper;
};

AgentCore::AgentCore(const AgentOptions& options, const std::atomic<bool>& stop, AgentHooks hooks,
                     client::ApiClient& api, std::string token)
    : o_(options),
      stop_(stop),
      hooks_(std::move(hooks)),
      api_(&api),
      token_(std::move(token)),
      token_life_(security::token_lifetime(token_)),
      path_("/api/v3/machines/" + options.machine) {}

AgentCore::~AgentCore() = default;

bool AgentCore::refresh() {
    auto r = api_->call("GET", path_);
    if (!r) {
        error_ = "fill: " + r.error().message;
        return false;
    }
    machine_ = std::move(r.value());
    return true;
}

// A job's state moves with a `test` of the state it leaves, so a PATCH whose answer was lost (the
// server died after its commit) fails its retry with 409. The job then already is where this
// agent moved it: that is success, or a finished job would be left unsettled and its reboot lost.
std::string AgentCore::move_job(const std::string& id, const Json& ops, const std::string& state,
                                const std::string& exit_state) {
    auto r = api_->call("PATCH", "/api/v3/jobs/" + id, &ops);
    if (r) return "";
    if (r.error().status != 409) return r.error().message;
    auto job = api_->call("GET", "/api/v3/jobs/" + id);
    bool arrived = job && str(*job, "State") == state &&
                   (exit_state.empty() || str(*job, "ExitState") == exit_state);
    return arrived ? "" : r.error().message;
}

bool AgentCore::patch_machine(const Json& ops) {
    auto r = api_->call("PATCH", path_, &ops);
    if (r) machine_ = std::move(r.value());
    return r.has_value();
}

std::optional<AgentState> AgentCore::start() {
    boot_ = current_boot();
    if (!refresh()) {
        error_ = "cannot read machine " + o_.machine + ": " + error_;
        return std::nullopt;
    }
    // spec 5.2: legacy machines (no change-stage-v2) are made Runnable by the agent itself.
    if (rules::agent_marks_runnable_at_start(meta_of(machine_), o_.context) &&
        !patch_machine(Json::array({patch_op("replace", "/Runnable", true)}))) {
        error_ = "cannot mark machine runnable";
        return std::nullopt;
    }
    if (auto saved = load_state(o_.state_dir, o_.machine, boot_)) {
        saved_machine_ = *saved;
        bool boot_env_moved = str(*saved, "BootEnv") != str(machine_, "BootEnv");
        if (boot_env_moved && o_.context.empty()) return reboot_or_exit(true);
    }
    return AgentState::Init;
}

Step AgentCore::step(AgentState s) {
    renew_token_if_due();
    Step next = dispatch(s);
    wake_for_renewal(next.wait);
    if (!error_.empty() && next.next != AgentState::Exit) hooks_.log("error: " + error_);
    if (machine_ != saved_machine_) {  // spec 5.6: the copy a restart compares its bootenv with
        save_state(o_.state_dir, o_.machine, boot_, machine_);
        saved_machine_ = machine_;
    }
    return next;
}

// A machine token lives for a server-set time (issue 7): the agent asks for a fresh one with the
// same lifetime when it is due (common/security/token_renewal), so a long-running agent never
// finds itself locked out. Due by the server's clock as its answers tell it (issue 10): this
// host's clock may be minutes off, which would make a token look alive after it expired (locked
// out) or due long before (renewed at every step).
std::optional<std::chrono::milliseconds> AgentCore::until_renewal() const {
    if (!token_life_) return std::nullopt;  // no token, or a user's password login
    auto server_now = api_->server_clock().now(Clock::now());
    if (!server_now) return std::nullopt;  // no answer told the server's time yet
    auto retry =
        std::chrono::duration_cast<std::chrono::milliseconds>(renew_retry_at_ - Clock::now());
    return std::max(security::until_renewal(*token_life_, *server_now), retry);
}

bool AgentCore::renew_token_if_due() {
    auto until = until_renewal();
    if (!until || until->count() > 0) return false;
    const auto ttl = token_life_->expires_at - token_life_->issued_at;
    auto r = api_->call("GET", path_ + "/token?ttl=" + std::to_string(ttl));
    if (!r || !r->contains("Token") || !(*r)["Token"].is_string()) {
        renew_retry_at_ = Clock::now() + kRenewRetry;
        hooks_.log("cannot renew the agent's token: " +
                   (r ? std::string("no Token") : r.error().message));
        return false;
    }
    token_ = (*r)["Token"].get<std::string>();
    token_life_ = security::token_lifetime(token_);
    api_->set_token(token_);
    if (hooks_.token_renewed) hooks_.token_renewed(token_);
    std::string saved = save_token(o_.state_dir, o_.machine, token_);
    hooks_.log("renewed the agent's token" + (saved.empty() ? "" : "; cannot keep it: " + saved));
    return true;
}

// A wait for a wake-up ends when the token is due, so an agent idle for longer than its token
// lives renews it in time instead of waking with an expired one it can no longer renew.
void AgentCore::wake_for_renewal(StepWait& wait) const {
    if (wait.kind != StepWait::Kind::Wakeup) return;
    if (auto until = until_renewal())
        wait.duration = std::min(wait.duration, std::max(*until, std::chrono::milliseconds(1)));
}

Step AgentCore::dispatch(AgentState s) {
    switch (s) {
        case AgentState::Init:
            return init();
        case AgentState::WaitForRunnable:
        case AgentState::WaitForChangeStage:
            return wait_for_change(s);
        case AgentState::RunTask:
            return run_task();
        case AgentState::FinishJob:
            return finish_job();
        case AgentState::ChangeStage:
            return change_stage();
        case AgentState::Reboot:
            return power("reboot", o_.reboot_command);
        case AgentState::Poweroff:
            return power("poweroff", o_.poweroff_command);
        case AgentState::Kexec:
            return kexec();
        case AgentState::Exit:
            break;
    }
    return go(AgentState::Exit);
}

// After a failure: exit (--exit-on-failure) or pause and start over at AGENT_INIT.
Step AgentCore::retry_after(std::chrono::milliseconds pause) {
    if (o_.exit_on_failure) return go(AgentState::Exit);
    return {AgentState::Init, {StepWait::Kind::Pause, 0, pause}};
}

// spec 5.3 AGENT_INIT: a job this context left created or running was abandoned (the agent that
// ran it died or the host rebooted): fail it so POST /jobs retries the task.
Step AgentCore::init() {
    error_.clear();
    if (!refresh()) return retry_after(o_.init_retry);
    std::string cj = str(machine_, "CurrentJob");
    if (cj.empty()) return go(AgentState::WaitForRunnable);
    auto job = api_->call("GET", "/api/v3/jobs/" + cj);
    if (!job || str(*job, "Context") != o_.context) return go(AgentState::WaitForRunnable);
    std::string state = str(*job, "State");
    if (state != "created" && state != "running") return go(AgentState::WaitForRunnable);
    Json ops =
        Json::array({patch_op("test", "/State", state), patch_op("replace", "/State", "failed"),
                     patch_op("replace", "/ExitState", "failed")});
    if (auto r = api_->call("PATCH", "/api/v3/jobs/" + cj, &ops); !r) {
        error_ = "cannot fail abandoned job " + cj + ": " + r.error().message;
        return retry_after(o_.init_retry);
    }
    hooks_.log("failed job " + cj + " (" + str(*job, "Task") + "), left " + state +
               " by an agent that is gone");
    // Failing a job stops its machine (server rule); this failure is only bookkeeping for an
    // agent that died, so the machine goes on and POST /jobs runs the task again.
    if (machine_.value("Runnable", false) &&
        patch_machine(Json::array(
            {patch_op("test", "/Runnable", false), patch_op("replace", "/Runnable", true)})))
        hooks_.log("machine stays runnable: the task runs again");
    return go(AgentState::WaitForRunnable);
}

bool AgentCore::change_seen(AgentState self) const {
    if (self == AgentState::WaitForRunnable) return machine_.value("Runnable", false);
    for (const char* f : {"CurrentTask", "Tasks", "Runnable", "BootEnv", "Stage"})
        if (wait_before_.value(f, Json()) != machine_.value(f, Json())) return true;
    return false;
}

// spec 5.3.1: re-read the machine on every wake-up; the event stream only says when to look. A
// wait compares against the machine as it was when the wait began, and begins again after
// `wait_timeout` (or ends, for --oneshot).
Step AgentCore::wait_for_change(AgentState self) {
    auto now = Clock::now();
    if (waiting_in_ != self || now >= wait_deadline_) {
        if (waiting_in_ == self && o_.oneshot) return go(AgentState::Exit);
        waiting_in_ = self;
        wait_before_ = machine_;
        wait_deadline_ = now + (o_.oneshot ? std::chrono::milliseconds(1000) : o_.wait_timeout);
    }
    auto since = hooks_.wakeups_seen();
    if (!refresh()) {
        waiting_in_ = AgentState::Exit;
        return retry_after(o_.run_retry);
    }
    bool boot_env_moved = str(machine_, "BootEnv") != str(wait_before_, "BootEnv");
    bool ours = str(machine_, "Context") == o_.context || boot_env_moved;
    if (machine_.value("Available", false) && ours && change_seen(self)) {
        waiting_in_ = AgentState::Exit;
        if (boot_env_moved && o_.context.empty()) return go(reboot_or_exit(true));
        if (str(machine_, "Context") != o_.context) return go(AgentState::WaitForRunnable);
        return go(machine_.value("Runnable", false) ? AgentState::RunTask
                                                    : AgentState::WaitForRunnable);
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(wait_deadline_ - now);
    return {self, {StepWait::Kind::Wakeup, since, std::max(left, std::chrono::milliseconds(1))}};
}

Step AgentCore::run_task() {
    Json body{{"Machine", o_.machine}, {"Context", o_.context}};
    // One key per decision: a retried POST after a lost response gets the same job back.
    auto r = api_->call("POST", "/api/v3/jobs", &body, {{"Idempotency-Key", random_key()}});
    if (!r) {
        error_ = "POST /jobs: " + r.error().message;
        return retry_after(o_.run_retry);
    }
    if (r->is_null()) {  // 204: nothing to run now
        // The copy from before the POST stays: WAIT_FOR_CHANGE_STAGE compares against it, so a
        // stage: or bootenv: entry the server just applied is the change that wakes it.
        return go(str(machine_, "Workflow").empty() ? AgentState::ChangeStage
                                                    : AgentState::WaitForChangeStage);
    }
    const Json& job = *r;
    std::string task = str(job, "Task"), state = str(job, "State");
    if (task.rfind("chroot:", 0) == 0) {
        hooks_.log("job " + str(job, "Uuid") + " asks to chroot to " + task.substr(7) +
                   "; drover's agent runs unchrooted");
        return go(AgentState::WaitForRunnable);
    }
    if (task.find(':') != std::string::npos) {
        if (state == "failed" && o_.exit_on_failure) {
            error_ = "job " + str(job, "Uuid") + " (" + task + ") failed";
            return go(AgentState::Exit);
        }
        if (state == "failed" || state == "finished") return go(AgentState::WaitForRunnable);
        error_ = state == "running" ? "Job " + str(job, "Uuid") + " running somewhere else"
                                    : "Invalid job state returned";
        return retry_after(o_.run_retry);
    }
    return run_job(job);
}

// The first half of spec 5.7: start the job, fetch its rendered actions and run them.
Step AgentCore::run_job(const Json& job) {
    auto running = std::make_unique<RunningJob>();
    running->id = str(job, "Uuid");
    running->task = str(job, "Task");
    const std::string& id = running->id;
    auto task = api_->call("GET", "/api/v3/tasks/" + client::url_escape(running->task));
    if (!task) {
        error_ = "GET task " + running->task + ": " + task.error().message;
        return retry_after(o_.run_retry);
    }
    auto shipping = hooks_.ship_in_background ? LogShipper::Shipping::Background
                                              : LogShipper::Shipping::OnFlush;
    running->shipper = std::make_unique<LogShipper>(*api_, id, o_.state_dir + "/spool",
                                                    hooks_.ship_in_background, shipping);
    Json start = Json::array(
        {patch_op("test", "/State", str(job, "State")), patch_op("replace", "/State", "running")});
    if (auto err = move_job(id, start, "running", ""); !err.empty()) {
        error_ = "cannot start job " + id + ": " + err;
        return retry_after(o_.run_retry);
    }
    auto actions = api_->call("GET", "/api/v3/jobs/" + id + "/actions?os=linux");
    std::chrono::milliseconds hold{0};
    if (!actions) {
        running->shipper->write("Failed to render actions: " + actions.error().message + "\n");
        auto& result = running->outcome.result;
        result.state = model::JobState::Failed;
        result.exit_state = model::ExitState::Failed;
        result.make_not_runnable = true;
    } else {
        TaskRun run;
        run.task = running->task;
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
        ShipperSink sink(*running->shipper);
        // A job may outlast the token: renew it meanwhile, here on the stepping thread (whose
        // connection is idle while the actions run), and hand it to the log shipper.
        LogShipper& shipper = *running->shipper;
        auto heartbeat = [this, &shipper] {
            if (renew_token_if_due()) shipper.use_token(token_);
        };
        auto ran = hooks_.actions->run(run, env, sink, stop_, heartbeat);
        running->outcome = std::move(ran.outcome);
        hold = ran.hold;
    }
    job_ = std::move(running);
    if (hold.count() > 0) return {AgentState::FinishJob, {StepWait::Kind::Pause, 0, hold}};
    return finish_job();
}

// The rest of spec 5.7: the log is whole before the job is final, then the result decides.
Step AgentCore::finish_job() {
    if (!job_) return go(AgentState::Init);
    const auto running = std::move(job_);
    const auto& outcome = running->outcome;
    const auto& result = outcome.result;
    const std::string& id = running->id;
    // A stop (SIGTERM) while droverd is unreachable ends the wait: the spool stays, and the next
    // start settles the job (spec 5.6).
    running->shipper->ship_over(*api_);  // this step may run on another connection than the last
    bool shipped = false;
    for (auto end = Clock::now() + std::chrono::hours(1); !shipped && !stop_ && Clock::now() < end;)
        shipped = running->shipper->flush(std::chrono::seconds(1));
    if (!shipped && stop_) return go(AgentState::Exit);
    if (result.make_not_runnable) {
        if (patch_machine(Json::array({patch_op("replace", "/Runnable", false)})))
            hooks_.log("Marked machine " + str(machine_, "Name") + " as not runnable");
    }
    Json done =
        Json::array({patch_op("test", "/State", "running"),
                     patch_op("replace", "/State", model::to_string(result.state)),
                     patch_op("replace", "/ExitState", model::to_string(result.exit_state))});
    if (auto err =
            move_job(id, done, model::to_string(result.state), model::to_string(result.exit_state));
        !err.empty()) {
        error_ = "cannot finish job " + id + ": " + err;
        return retry_after(o_.run_retry);
    }
    hooks_.log("job " + id + " (" + running->task + "): " + model::to_string(result.state) + "/" +
               model::to_string(result.exit_state));
    if (hooks_.job_settled) hooks_.job_settled(id, running->task, result);
    if (outcome.interrupted) return go(AgentState::Exit);
    if (result.reboot) return go(reboot_or_exit(false));
    if (result.poweroff) return go(AgentState::Poweroff);
    if (result.stop) return go(AgentState::Exit);
    if (result.state == model::JobState::Failed && o_.exit_on_failure) {
        error_ = "job " + id + " (" + running->task + ") failed";  // exits non-zero
        return go(AgentState::Exit);
    }
    return go(AgentState::WaitForRunnable);
}

// spec 4: the legacy change-stage/map, for machines without a workflow.
Step AgentCore::change_stage() {
    auto map = api_->call("GET", path_ + "/params/change-stage/map?aggregate=true");
    std::string stage = str(machine_, "Stage"), boot_env = str(machine_, "BootEnv");
    auto plan = rules::plan_change_stage(map ? *map : Json(), stage, boot_env);
    if (!plan) {
        error_ = "change-stage/map is not a map of stage names";
        return retry_after(o_.run_retry);
    }
    rules::NextStageFacts facts;
    if (plan->next_stage != stage) {
        auto next = api_->call("GET", "/api/v3/stages/" + client::url_escape(plan->next_stage));
        if (!next) {
            error_ = "GET stage " + plan->next_stage + ": " + next.error().message;
            return retry_after(o_.run_retry);
        }
        facts = {str(*next, "BootEnv"), next->value("Reboot", false)};
    }
    auto d = rules::decide_change_stage(*plan, stage, boot_env, facts);
    if (d.patch_stage &&
        !patch_machine(Json::array({patch_op("replace", "/Stage", d.next_stage)}))) {
        error_ = "cannot change stage to " + d.next_stage;
        return retry_after(o_.run_retry);
    }
    switch (d.step) {
        case rules::AgentStep::WaitForChangeStage:
            return go(AgentState::WaitForChangeStage);
        case rules::AgentStep::WaitForRunnable:
            return go(AgentState::WaitForRunnable);
        case rules::AgentStep::RebootOrExit:
            return go(reboot_or_exit(true));
        case rules::AgentStep::Exit:
            return go(AgentState::Exit);
        case rules::AgentStep::Poweroff:
            return go(AgentState::Poweroff);
    }
    return go(AgentState::Exit);
}

// spec 5.4: an installer's bootenv (*-install) reboots by itself, so the agent just exits.
AgentState AgentCore::reboot_or_exit(bool auto_kexec) {
    mark_not_runnable();
    if (ends_with(str(machine_, "BootEnv"), "-install")) return AgentState::Exit;
    if (auto_kexec && o_.kexec) {
        std::ifstream loaded("/sys/kernel/kexec_loaded");
        int v = 0;
        if (loaded >> v && v == 1) return AgentState::Kexec;
    }
    return AgentState::Reboot;
}

void AgentCore::mark_not_runnable() {
    if (!o_.context.empty() || !str(machine_, "Context").empty()) return;
    patch_machine(
        Json::array({patch_op("test", "/Context", ""), patch_op("replace", "/Runnable", false)}));
}

Step AgentCore::power(const char* action, const std::string& command) {
    if (o_.skip_power || !o_.context.empty()) {
        hooks_.log(std::string("would ") + action + " now (" +
                   (o_.skip_power ? "--skip-power" : "context " + o_.context) +
                   "); exiting instead");
        power_action_ = action;
        return go(AgentState::Exit);
    }
    mark_not_runnable();
    hooks_.log(std::string(action) + ": running " + command);
    if (std::system(command.c_str()) != 0) error_ = std::string("Failed to ") + action;
    return go(AgentState::Exit);
}

Step AgentCore::kexec() {
    if (!o_.context.empty()) return go(AgentState::Exit);
    hooks_.log("kexec: running systemctl kexec");
    if (std::system("systemctl kexec") == 0) return go(AgentState::Exit);
    return go(AgentState::Reboot);
}

}  // namespace drover::agent
