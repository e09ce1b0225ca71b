#include "common/rules/task_entry.hpp"

#include "common/rules/names.hpp"

namespace drover::rules {

TaskEntry parse_task_entry(std::string_view entry) {
    auto colon = entry.find(':');
    if (colon == std::string_view::npos) return {EntryKind::Task, std::string(entry), {}};
    std::string_view prefix = entry.substr(0, colon);
    std::string rest(entry.substr(colon + 1));
    if (prefix == "stage") return {EntryKind::Stage, rest, {}};
    if (prefix == "bootenv") return {EntryKind::BootEnv, rest, {}};
    if (prefix == "context") return {EntryKind::Context, rest, {}};
    if (prefix == "chroot") return {EntryKind::Chroot, rest, {}};
    if (prefix == "action") {
        auto second = rest.find(':');
        if (second == std::string::npos) return {EntryKind::Action, rest, {}};
        return {EntryKind::Action, rest.substr(second + 1), rest.substr(0, second)};
    }
    return {EntryKind::Malformed, std::string(entry), {}};
}

bool is_server_entry(const TaskEntry& e) {
    return e.kind == EntryKind::Stage || e.kind == EntryKind::BootEnv ||
           e.kind == EntryKind::Context || e.kind == EntryKind::Action;
}

namespace {

void add_if(std::vector<std::string>& errs, std::optional<std::string> e) {
    if (e) errs.push_back(std::move(*e));
}

void check_entry(const std::string& raw, std::size_t index, TaskListOwner owner,
                 std::vector<std::string>& errs) {
    TaskEntry e = parse_task_entry(raw);
    const std::string at = " (at " + std::to_string(index) + ")";
    switch (e.kind) {
        case EntryKind::Task:
            add_if(errs, name_error("Invalid Task", e.name));
            break;
        case EntryKind::Stage:
            add_if(errs, name_error("Invalid Stage", e.name));
            break;
        case EntryKind::BootEnv:
            add_if(errs, name_error("Invalid BootEnv", e.name));
            break;
        case EntryKind::Context:  // `context:` (empty) means "back to the machine agent"
            if (!e.name.empty()) add_if(errs, name_error("Invalid Context", e.name));
            break;
        case EntryKind::Chroot:
            break;  // any directory
        case EntryKind::Action:
            if (e.plugin.empty() && owner == TaskListOwner::Stage) {
                errs.push_back(raw + at + " must be action:plugin:command in a stage");
            } else if (!e.plugin.empty()) {
                add_if(errs, name_error("Invalid Plugin", e.plugin));
            }
            add_if(errs, name_error("Invalid Action", e.name));
            break;
        case EntryKind::Malformed:
            errs.push_back(raw + at + " is malformed");
            break;
    }
}

}  // namespace

std::vector<std::string> task_list_syntax_errors(const std::vector<std::string>& tasks,
                                                 TaskListOwner owner) {
    std::vector<std::string> errs;
    for (std::size_t i = 0; i < tasks.size(); ++i)
        check_entry(tasks[i], i, owner, errs);
    return errs;
}

}  // namespace drover::rules
