// The task-list grammar and edits (common/rules/task_entry, task_list; spec 3.1-3.6). Input: two
// bytes choosing CurrentTask and the AddTasks offset, then lines: the machine's Tasks, a line
// "--", and the tasks to add/remove (also used as a workflow's stage names). Prerequisites come
// from a fixed table with a cycle, plus "<task>><prereq>" names, so chains and cycles are the
// fuzzer's to build. Properties beyond not crashing: entries re-assemble into their text; the
// split is a partition; add/del change only the present; expansions keep every input entry;
// snap-back lands on a stage entry at or before the old index, or -1.
#include <algorithm>
#include <string>
#include <vector>

#include "common/rules/task_entry.hpp"
#include "common/rules/task_list.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace drover::rules;

namespace {

std::vector<std::string> lines_of(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        auto nl = text.find('\n');
        out.emplace_back(text.substr(0, nl));
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    return out;
}

std::string reassembled(const TaskEntry& e) {
    switch (e.kind) {
        case EntryKind::Task:
        case EntryKind::Malformed:
            return e.name;
        case EntryKind::Stage:
            return "stage:" + e.name;
        case EntryKind::BootEnv:
            return "bootenv:" + e.name;
        case EntryKind::Context:
            return "context:" + e.name;
        case EntryKind::Chroot:
            return "chroot:" + e.name;
        case EntryKind::Action:
            return e.plugin.empty() ? "action:" + e.name : "action:" + e.plugin + ":" + e.name;
    }
    return {};
}

std::optional<TaskList> prerequisites(const std::string& task) {
    if (task == "a") return TaskList{"b", "c"};
    if (task == "b") return TaskList{"c"};
    if (task == "c") return TaskList{};
    if (task == "loop") return TaskList{"loop2"};
    if (task == "loop2") return TaskList{"loop"};
    auto arrow = task.find('>');
    if (arrow != std::string::npos) return TaskList{task.substr(arrow + 1)};
    return std::nullopt;
}

std::optional<StageFacts> stage_facts(const std::string& stage) {
    if (stage == "discover") return StageFacts{"sledgehammer", {"a", "stage:install"}};
    if (stage == "install") return StageFacts{"sledgehammer", {"b", "bootenv:local"}};
    if (stage == "local") return StageFacts{"local", {}};
    if (stage.rfind("s-", 0) == 0) return StageFacts{"", {stage.substr(2)}};
    return std::nullopt;
}

std::string stage_boot_env(const std::string& stage) {
    auto facts = stage_facts(stage);
    return facts ? facts->boot_env : "";
}

TaskList concat(const TaskListSplit& s) {
    TaskList out = s.past;
    out.insert(out.end(), s.present.begin(), s.present.end());
    out.insert(out.end(), s.future.begin(), s.future.end());
    return out;
}

void check_edits_keep_past_and_future(const TaskList& tasks, int current, int offset,
                                      const TaskList& other) {
    TaskListSplit before = split_tasks(tasks, current);
    FUZZ_CHECK(concat(before) == tasks, "split_tasks is a partition of the list");
    for (const TaskList& edited :
         {add_tasks(tasks, current, offset, other), del_tasks(tasks, current, other)}) {
        FUZZ_CHECK(edited.size() >= before.past.size() + before.future.size() &&
                       std::equal(before.past.begin(), before.past.end(), edited.begin()),
                   "an edit leaves the past alone");
        FUZZ_CHECK(std::equal(before.future.rbegin(), before.future.rend(), edited.rbegin()),
                   "an edit leaves the future alone");
    }
    auto added = add_tasks(tasks, current, offset, other);
    FUZZ_CHECK(added.size() == tasks.size() || added.size() == tasks.size() + other.size(),
               "add_tasks inserts the whole sequence or nothing");
    auto deleted = del_tasks(tasks, current, other);
    FUZZ_CHECK(deleted.size() <= tasks.size() && deleted.size() + other.size() >= tasks.size(),
               "del_tasks removes at most one entry per argument");
}

void check_expansions(const TaskList& tasks, int current, const TaskList& other) {
    auto pre = expand_prerequisites(tasks, current, "sledgehammer", prerequisites);
    FUZZ_CHECK(pre.tasks.size() >= tasks.size(), "prerequisite expansion only inserts");
    std::size_t next = 0;
    for (const auto& t : pre.tasks)
        if (next < tasks.size() && t == tasks[next]) ++next;
    FUZZ_CHECK(next == tasks.size(), "every entry survives prerequisite expansion, in order");

    auto flow = expand_workflow(other, stage_facts);
    for (const auto& e : flow.errors)
        FUZZ_CHECK(!e.empty(), "workflow errors say why");

    int snap = snap_back_index(tasks, current, "sledgehammer", stage_boot_env);
    FUZZ_CHECK(snap == -1 || (snap <= current && snap < static_cast<int>(tasks.size()) &&
                              parse_task_entry(tasks[snap]).kind == EntryKind::Stage),
               "snap-back lands on a stage entry at or before the old index");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    auto parts = drover::fuzz::split_at(drover::fuzz::as_text(data + 2, size - 2), "\n--\n");
    TaskList tasks = lines_of(parts.found ? parts.head : parts.rest);
    TaskList other = parts.found ? lines_of(parts.rest) : TaskList{};
    int n = static_cast<int>(tasks.size());
    int current = static_cast<int>(data[0] % (n + 3)) - 2;  // -2 .. n: before, in and past
    int offset = static_cast<std::int8_t>(data[1]);

    for (std::size_t i = 0; i < tasks.size(); ++i) {
        TaskEntry e = parse_task_entry(tasks[i]);
        bool empty_plugin = e.kind == EntryKind::Action && tasks[i] == "action::" + e.name;
        FUZZ_CHECK(reassembled(e) == tasks[i] || empty_plugin,
                   "an entry re-assembles into its text");
        FUZZ_CHECK(
            is_server_entry(e) == (e.kind == EntryKind::Stage || e.kind == EntryKind::BootEnv ||
                                   e.kind == EntryKind::Context || e.kind == EntryKind::Action),
            "server entries are stage, bootenv, context and action");
    }
    for (auto owner : {TaskListOwner::Machine, TaskListOwner::Stage})
        for (const auto& err : task_list_syntax_errors(tasks, owner))
            FUZZ_CHECK(!err.empty(), "syntax errors say why");
    check_edits_keep_past_and_future(tasks, current, offset, other);
    check_expansions(tasks, current, other);
    return 0;
}
