// The machines' extra commands of spec 6.8: stage, workflow, run, pause, tasks add/del (the
// client helpers of spec 3.2), addprofile/removeprofile, `jobs current` and currentlog. Every
// change is an update (GET, edit, PATCH with test ops), so a concurrent edit fails, not lost.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>

#include "agent/cli/commands.hpp"
#include "agent/cli/job_log.hpp"
#include "agent/cli/object_ops.hpp"
#include "common/rules/task_list.hpp"

namespace drover::cli {

namespace {

using SessionPtr = std::shared_ptr<Session>;
using Edit = std::function<void(nlohmann::json& machine, const std::string& value)>;

const ObjectType& machines() {
    return object_type("machines");
}

struct SetterArgs {
    std::string id, value;
};

// `<name> <id> <value>`: sets the machine's field through `edit`.
void add_setter(CLI::App& cmd, const SessionPtr& s, const std::string& name,
                const std::string& help, const std::string& value_name, Edit edit) {
    auto a = std::make_shared<SetterArgs>();
    auto* c = cmd.add_subcommand(name, help);
    c->add_option("id", a->id, "The machine")->required();
    c->add_option(value_name, a->value, "The " + value_name)->required();
    c->callback([s, a, edit] {
        s->print(
            update_object(*s, machines(), a->id, [&](nlohmann::json& m) { edit(m, a->value); }));
    });
}

void add_runnable(CLI::App& cmd, const SessionPtr& s, const std::string& name, bool runnable) {
    auto id = std::make_shared<std::string>();
    auto* c = cmd.add_subcommand(
        name, std::string("Mark a machine ") + (runnable ? "Runnable" : "not Runnable"));
    c->add_option("id", *id, "The machine")->required();
    c->callback([s, id, runnable] {
        s->print(update_object(*s, machines(), *id,
                               [&](nlohmann::json& m) { m["Runnable"] = runnable; }));
    });
}

rules::TaskList tasks_of(const nlohmann::json& m) {
    return m.value("Tasks", rules::TaskList{});
}

int current_task(const nlohmann::json& m) {
    return m.value("CurrentTask", -1);
}

// `tasks add <id> [at <n>] <task...>` (spec 3.2 AddTasks; without `at`, append).
void edit_add_tasks(nlohmann::json& m, const std::vector<std::string>& w) {
    int offset = -1;
    std::size_t first = 1;
    if (w[1] == "at") {
        if (w.size() < 4) throw Failure("usage: tasks add <id> at <n> <task...>");
        auto [end, ec] = std::from_chars(w[2].data(), w[2].data() + w[2].size(), offset);
        if (ec != std::errc() || end != w[2].data() + w[2].size())
            throw Failure("at needs a number: " + w[2]);
        first = 3;
    }
    rules::TaskList added(w.begin() + static_cast<std::ptrdiff_t>(first), w.end());
    m["Tasks"] = rules::add_tasks(tasks_of(m), current_task(m), offset, added);
}

void edit_del_tasks(nlohmann::json& m, const std::vector<std::string>& w) {
    rules::TaskList removed(w.begin() + 1, w.end());
    m["Tasks"] = rules::del_tasks(tasks_of(m), current_task(m), removed);
}

void add_tasks_group(CLI::App& cmd, const SessionPtr& s) {
    auto* tasks = cmd.add_subcommand("tasks", "Edit the present of a machine's task list");
    tasks->require_subcommand(1);
    auto words = std::make_shared<std::vector<std::string>>();
    using TaskEdit = void (*)(nlohmann::json&, const std::vector<std::string>&);
    for (auto [name, help, edit] :
         {std::tuple<const char*, const char*, TaskEdit>{
              "add", "Insert tasks: add <id> [at <n>] <task...>", edit_add_tasks},
          {"del", "Remove tasks: del <id> <task...>", edit_del_tasks}}) {
        auto* c = tasks->add_subcommand(name, help);
        c->add_option("args", *words, "<id> then tasks")->required()->expected(2, -1);
        c->callback([s, words, fn = edit] {
            s->print(update_object(*s, machines(), words->front(),
                                   [&](nlohmann::json& m) { fn(m, *words); }));
        });
    }
}

void add_profile(nlohmann::json& m, const std::string& p) {
    auto profiles = m.value("Profiles", std::vector<std::string>{});
    if (std::find(profiles.begin(), profiles.end(), p) == profiles.end()) profiles.push_back(p);
    m["Profiles"] = profiles;
}

void remove_profile(nlohmann::json& m, const std::string& p) {
    auto profiles = m.value("Profiles", std::vector<std::string>{});
    std::erase(profiles, p);
    m["Profiles"] = profiles;
}

// The machine's CurrentJob's Uuid; fails when it has none.
std::string current_job(Session& s, const std::string& id) {
    auto m = fetch(s, machines(), id);
    std::string job = m.value("CurrentJob", "");
    if (job.empty()) throw Failure("machine " + id + " has no current job");
    return job;
}

void add_current(CLI::App& cmd, const SessionPtr& s) {
    auto id = std::make_shared<std::string>();
    auto* jobs = cmd.add_subcommand("jobs", "A machine's jobs");
    jobs->require_subcommand(1);
    auto* cur = jobs->add_subcommand("current", "Show a machine's current job");
    cur->add_option("id", *id, "The machine")->required();
    cur->callback([s, id] { s->print(fetch(*s, object_type("jobs"), current_job(*s, *id))); });
    auto* log = cmd.add_subcommand("currentlog", "Print the log of a machine's current job");
    log->add_option("id", *id, "The machine")->required();
    log->callback([s, id] { write_job_log(*s, current_job(*s, *id), false); });
}

}  // namespace

void add_machine_commands(CLI::App& app, const SessionPtr& s) {
    auto& cmd = *app.get_subcommand("machines");
    add_setter(cmd, s, "stage", "Set a machine's stage", "stage",
               [](nlohmann::json& m, const std::string& v) { m["Stage"] = v; });
    add_setter(cmd, s, "workflow", "Set a machine's workflow", "workflow",
               [](nlohmann::json& m, const std::string& v) { m["Workflow"] = v; });
    add_setter(cmd, s, "addprofile", "Add a profile to a machine", "profile", add_profile);
    add_setter(cmd, s, "removeprofile", "Remove a profile from a machine", "profile",
               remove_profile);
    add_runnable(cmd, s, "run", true);
    add_runnable(cmd, s, "pause", false);
    add_tasks_group(cmd, s);
    add_current(cmd, s);
}

}  // namespace drover::cli
