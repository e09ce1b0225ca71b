#include "tests/integration/fake_agent.hpp"

#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/api/json_patch.hpp"
#include "common/rules/change_stage.hpp"
#include "common/rules/exit_codes.hpp"
#include "common/rules/feature_flags.hpp"
#include "tests/integration/droverd_process.hpp"

namespace drover::testing {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

enum class State { Init, WaitRunnable, RunTask, WaitChangeStage, ChangeStage, Exit };

const char* name_of(State s) {
    switch (s) {
        case State::Init:
            return "INIT";
        case State::WaitRunnable:
            return "WAIT_FOR_RUNNABLE";
        case State::RunTask:
            return "RUN_TASK";
        case State::WaitChangeStage:
            return "WAIT_FOR_CHANGE_STAGE";
        case State::ChangeStage:
            return "CHANGE_STAGE";
        case State::Exit:
            return "EXIT";
    }
    return "?";
}

using api::patch_op;
using model::meta_of;

struct Agent {
    httplib::Client& c;
    FakeAgentOptions o;
    FakeAgentRun run;
    json machine;  // the agent's last copy
    std::string base;
    int task_runs = 0;

    State fail(const std::string& why) {
        run.error = why;
        return State::Exit;
    }
    bool refresh() {
        auto r = get(c, base);
        if (r.status != 200) return false;
        machine = r.body;
        return true;
    }
    bool patch_machine(json ops) {
        auto r = patch(c, base, ops);
        if (r.status == 200) machine = r.body;
        return r.status == 200;
    }
    // spec 5.4 rebootOrExit: with power disabled both ends are an exit.
    State reboot_or_exit() {
        if (o.context.empty() && machine.value("Context", "").empty())
            patch_machine(json::array(
                {patch_op("test", "/Context", ""), patch_op("replace", "/Runnable", false)}));
        return State::Exit;
    }

    State init() {
        if (!refresh()) return fail("cannot read the machine");
        if (rules::agent_marks_runnable_at_start(meta_of(machine), o.context) &&
            !patch_machine(json::array({patch_op("replace", "/Runnable", true)})))
            return fail("cannot mark the machine runnable");
        std::string cj = machine.value("CurrentJob", "");
        if (cj.empty()) return State::WaitRunnable;
        auto job = get(c, "/api/v3/jobs/" + cj);
        if (job.status != 200 || job.body.value("Context", "") != o.context)
            return State::WaitRunnable;
        std::string state = job.body.value("State", "");
        if (state == "created" || state == "running")
            patch(c, "/api/v3/jobs/" + cj,
                  json::array({patch_op("test", "/State", state),
                               patch_op("replace", "/State", "failed")}));
        return State::WaitRunnable;
    }

    // spec 5.3.1 waitOn, one-shot: the predicate holds now or the wait times out (exit).
    State wait_for(bool cond) {
        if (!machine.value("Available", false)) return State::Exit;
        if (machine.value("Context", "") != o.context) return State::Exit;
        if (!cond) return State::Exit;
        return machine.value("Runnable", false) ? State::RunTask : State::WaitRunnable;
    }
    State wait_runnable() {
        std::string boot_env = machine.value("BootEnv", "");
        if (!refresh()) return fail("cannot read the machine");
        if (machine.value("BootEnv", "") != boot_env && o.context.empty()) return reboot_or_exit();
        return wait_for(machine.value("Runnable", false));
    }
    State wait_change_stage() {
        json before = machine;
        if (!refresh()) return fail("cannot read the machine");
        bool changed = false;
        for (const char* f : {"CurrentTask", "Tasks", "Runnable", "BootEnv", "Stage"})
            changed = changed || machine[f] != before[f];
        if (machine["BootEnv"] != before["BootEnv"] && o.context.empty()) return reboot_or_exit();
        return wait_for(changed);
    }

    State change_stage() {
        auto map = get(c, base + "/params/change-stage/map?aggregate=true");
        std::string stage = machine.value("Stage", ""), boot_env = machine.value("BootEnv", "");
        auto plan =
            rules::plan_change_stage(map.status == 200 ? map.body : json(), stage, boot_env);
        if (!plan) return fail("undecodable change-stage/map");
        rules::NextStageFacts facts;
        if (plan->next_stage != stage) {
            auto next = get(c, "/api/v3/stages/" + plan->next_stage);
            if (next.status != 200) return fail("cannot read stage " + plan->next_stage);
            facts = {next.body.value("BootEnv", ""), next.body.value("Reboot", false)};
        }
        auto d = rules::decide_change_stage(*plan, stage, boot_env, facts);
        if (d.patch_stage &&
            !patch_machine(json::array({patch_op("replace", "/Stage", d.next_stage)})))
            return fail("cannot change stage to " + d.next_stage);
        switch (d.step) {
            case rules::AgentStep::WaitForChangeStage:
                return State::WaitChangeStage;
            case rules::AgentStep::WaitForRunnable:
                return State::WaitRunnable;
            case rules::AgentStep::RebootOrExit:
                return reboot_or_exit();
            case rules::AgentStep::Exit:
            case rules::AgentStep::Poweroff:
                return State::Exit;
        }
        return State::Exit;
    }

    std::uint64_t log_size(const std::string& job) {
        auto r = c.Head(("/api/v3/jobs/" + job + "/log").c_str());
        return r ? std::stoull(r->get_header_value("X-Log-Size")) : 0;
    }
    void upload(const std::string& job, std::uint64_t& offset, const std::string& bytes) {
        if (bytes.empty()) return;
        httplib::Headers h{{"X-Log-Offset", std::to_string(offset)}};
        auto r =
            c.Put(("/api/v3/jobs/" + job + "/log").c_str(), h, bytes, "application/octet-stream");
        if (r && r->status == 204) offset = std::stoull(r->get_header_value("X-Log-Size"));
    }

    // One action as a real process: bash runs the script in the task dir with spec 5.7's env.
    rules::ExitFlags run_action(const json& action, const fs::path& dir, rules::ExitCodeMode mode,
                                std::string& output) {
        std::string path = action.value("Path", "");
        if (!path.empty()) {
            fs::path target = fs::path(path).is_absolute() ? fs::path(path) : dir / path;
            std::ofstream(target) << action.value("Content", "");
            return rules::file_action_flags(fs::exists(target));
        }
        fs::path script = dir / "action.sh", out = dir / "action.out";
        std::ofstream(script) << action.value("Content", "");
        std::string cmd = "cd '" + dir.string() + "' && JT='" + o.work_dir + "' RS_TASK_DIR='" +
                          dir.string() + "' RS_UUID='" + o.machine + "' bash '" + script.string() +
                          "' >'" + out.string() + "' 2>&1";
        int status = std::system(cmd.c_str());
        std::ifstream in(out);
        std::stringstream text;
        text << in.rdbuf();
        output += text.str();
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : rules::kKilledBySignal;
        bool marker = fs::exists(dir / ".sane-exit-codes");
        return rules::classify_exit_code(code, marker ? rules::ExitCodeMode::Sane : mode);
    }

    State run_task() {
        auto r = post(c, "/api/v3/jobs", {{"Machine", o.machine}, {"Context", o.context}});
        if (r.status == 204) {
            if (!refresh()) return fail("cannot read the machine");
            return machine.value("Workflow", "").empty() ? State::ChangeStage
                                                         : State::WaitChangeStage;
        }
        if (r.status != 201 && r.status != 202) return fail("POST /jobs: " + r.body.dump());
        json job = r.body;
        std::string id = job["Uuid"], task_name = job["Task"];
        if (task_name.rfind("chroot:", 0) == 0) return State::WaitRunnable;
        auto running = patch(c, "/api/v3/jobs/" + id,
                             json::array({patch_op("test", "/State", job["State"]),
                                          patch_op("replace", "/State", "running")}));
        if (running.status != 200) return fail("cannot start job: " + running.body.dump());
        auto task = get(c, "/api/v3/tasks/" + task_name);
        auto actions = get(c, "/api/v3/jobs/" + id + "/actions?os=linux");
        if (task.status != 200 || actions.status != 200) {
            patch(c, "/api/v3/jobs/" + id, json::array({patch_op("replace", "/State", "failed")}));
            return fail("cannot render job: " + actions.body.dump());
        }
        auto mode = rules::exit_code_mode(rules::feature_flags_of(meta_of(task.body)), false);
        fs::path dir = fs::path(o.work_dir) / ("task-" + std::to_string(++task_runs));
        fs::create_directories(dir);
        std::uint64_t offset = log_size(id);
        rules::JobResultFolder folder;
        for (std::size_t i = 0; i < actions.body.size(); ++i) {
            std::string output;
            auto flags = run_action(actions.body[i], dir, mode, output);
            upload(id, offset, output);
            if (!folder.record(flags, i + 1 == actions.body.size())) break;
        }
        auto result = folder.result();
        if (result.make_not_runnable)
            patch_machine(json::array({patch_op("replace", "/Runnable", false)}));
        auto done = patch(
            c, "/api/v3/jobs/" + id,
            json::array({patch_op("test", "/State", "running"),
                         patch_op("replace", "/State", model::to_string(result.state)),
                         patch_op("replace", "/ExitState", model::to_string(result.exit_state))}));
        if (done.status != 200) return fail("cannot finish job: " + done.body.dump());
        if (result.reboot) return reboot_or_exit();
        if (result.poweroff || result.stop) return State::Exit;
        if (result.state == model::JobState::Failed && o.exit_on_failure) return State::Exit;
        return State::WaitRunnable;
    }

    State step(State s) {
        switch (s) {
            case State::Init:
                return init();
            case State::WaitRunnable:
                return wait_runnable();
            case State::RunTask:
                return run_task();
            case State::WaitChangeStage:
                return wait_change_stage();
            case State::ChangeStage:
                return change_stage();
            case State::Exit:
                break;
        }
        return State::Exit;
    }
};

}  // namespace

FakeAgentRun run_fake_agent(httplib::Client& c, const FakeAgentOptions& options) {
    Agent a{c, options, {}, json(), "/api/v3/machines/" + options.machine};
    State s = State::Init;
    for (int steps = 0; s != State::Exit; ++steps) {
        a.run.states.push_back(name_of(s));
        if (steps > 200) {
            a.run.error = "the agent did not settle";
            break;
        }
        s = a.step(s);
    }
    a.run.states.push_back("EXIT");
    return a.run;
}

}  // namespace drover::testing
