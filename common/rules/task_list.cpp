#include "common/rules/task_list.hpp"

#include <algorithm>
#include <set>

#include "common/rules/task_entry.hpp"

namespace drover::rules {

TaskListSplit split_tasks(const TaskList& tasks, int current_task) {
    TaskListSplit s;
    if (tasks.empty()) return s;
    const int n = static_cast<int>(tasks.size());
    if (current_task < 0) {
        s.present = tasks;
    } else if (current_task >= n) {
        s.past = tasks;
    } else {
        s.past.assign(tasks.begin(), tasks.begin() + current_task + 1);
        s.present.assign(tasks.begin() + current_task + 1, tasks.end());
    }
    auto stage = std::find_if(s.present.begin(), s.present.end(),
                              [](const std::string& t) { return t.rfind("stage:", 0) == 0; });
    s.future.assign(stage, s.present.end());
    s.present.erase(stage, s.present.end());
    return s;
}

namespace {

TaskList join(TaskListSplit s) {
    TaskList out = std::move(s.past);
    out.insert(out.end(), s.present.begin(), s.present.end());
    out.insert(out.end(), s.future.begin(), s.future.end());
    return out;
}

bool sequence_at(const TaskList& list, std::size_t at, const TaskList& seq) {
    return at + seq.size() <= list.size() && std::equal(seq.begin(), seq.end(), list.begin() + at);
}

}  // namespace

TaskList add_tasks(const TaskList& tasks, int current_task, int offset, const TaskList& added) {
    TaskListSplit s = split_tasks(tasks, current_task);
    const int n = static_cast<int>(s.present.size());
    if (offset < 0) offset = offset + n + 1 < 0 ? n : offset + n + 1;  // too negative: append
    offset = std::min(offset, n);
    // At the end, "already there" means the present already ends with the sequence.
    std::size_t check_at =
        offset == n ? static_cast<std::size_t>(std::max(n - static_cast<int>(added.size()), 0))
                    : static_cast<std::size_t>(offset);
    if (!added.empty() && sequence_at(s.present, check_at, added)) return tasks;
    s.present.insert(s.present.begin() + offset, added.begin(), added.end());
    return join(std::move(s));
}

TaskList del_tasks(const TaskList& tasks, int current_task, const TaskList& removed) {
    if (removed.empty()) return tasks;
    TaskListSplit s = split_tasks(tasks, current_task);
    TaskList kept;
    std::size_t next = 0;
    for (const auto& t : s.present) {
        if (next < removed.size() && removed[next] == t)
            ++next;
        else
            kept.push_back(t);
    }
    s.present = std::move(kept);
    return join(std::move(s));
}

Expansion expand_workflow(const std::vector<std::string>& stages, const StageLookup& stage_lookup) {
    Expansion out;
    std::string last_env;
    for (const auto& name : stages) {
        auto stage = stage_lookup(name);
        if (!stage) {
            out.errors.push_back("Stage " + name + " does not exist");
            continue;
        }
        out.tasks.push_back("stage:" + name);
        if (!stage->boot_env.empty() && stage->boot_env != last_env) {
            out.tasks.push_back("bootenv:" + stage->boot_env);
            last_env = stage->boot_env;
        }
        out.tasks.insert(out.tasks.end(), stage->tasks.begin(), stage->tasks.end());
    }
    return out;
}

namespace {

// Depth-first insertion of one task's prerequisites (prerequisites of prerequisites first).
class PrerequisiteExpander {
  public:
    PrerequisiteExpander(const PrerequisiteLookup& lookup, Expansion& out)
        : lookup_(lookup), out_(out) {}

    void new_segment() { seen_.clear(); }
    void mark_seen(const std::string& task) { seen_.insert(task); }

    void expand(const std::string& task) {
        std::vector<std::string> path{task};
        if (auto prereqs = lookup_(task)) {
            for (const auto& p : *prereqs)
                visit(p, path);
        }
        seen_.insert(task);
    }

  private:
    void visit(const std::string& task, std::vector<std::string>& path) {
        if (std::find(path.begin(), path.end(), task) != path.end()) {
            out_.errors.push_back("Task " + task + " depends on itself!");
            return;
        }
        if (seen_.count(task)) return;
        auto prereqs = lookup_(task);
        if (!prereqs) {
            out_.errors.push_back("Task " + task + " (prerequisite of " + path.back() +
                                  ") does not exist");
            return;
        }
        path.push_back(task);
        for (const auto& p : *prereqs)
            visit(p, path);
        path.pop_back();
        if (seen_.insert(task).second) out_.tasks.push_back(task);
    }

    const PrerequisiteLookup& lookup_;
    Expansion& out_;
    std::set<std::string> seen_;
};

}  // namespace

Expansion expand_prerequisites(const TaskList& tasks, int current_task, const std::string& boot_env,
                               const PrerequisiteLookup& prerequisites) {
    Expansion out;
    PrerequisiteExpander expander(prerequisites, out);
    std::string env = boot_env;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        const std::string& raw = tasks[i];
        TaskEntry e = parse_task_entry(raw);
        if (e.kind == EntryKind::BootEnv && e.name != env) {
            env = e.name;
            expander.new_segment();
        }
        // The past is immutable (spec 3.3): only entries after CurrentTask gain prerequisites.
        bool in_past = current_task >= 0 && static_cast<int>(i) <= current_task;
        if (e.kind == EntryKind::Task && !in_past)
            expander.expand(raw);
        else if (e.kind == EntryKind::Task)
            expander.mark_seen(raw);
        out.tasks.push_back(raw);
    }
    return out;
}

int snap_back_index(const TaskList& tasks, int old_index, const std::string& machine_boot_env,
                    const std::function<std::string(const std::string& stage)>& stage_boot_env) {
    int candidate = -1;
    int start = std::min(old_index, static_cast<int>(tasks.size()) - 1);
    for (int i = start; i >= 0; --i) {
        TaskEntry e = parse_task_entry(tasks[i]);
        if (e.kind != EntryKind::Stage) continue;
        std::string env = stage_boot_env(e.name);
        if (env.empty()) continue;
        if (env != machine_boot_env) break;
        candidate = i;
    }
    return candidate;
}

}  // namespace drover::rules
