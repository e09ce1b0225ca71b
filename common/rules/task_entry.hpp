// spec 3.1: the grammar of one Machine.Tasks / Stage.Tasks entry. An entry without ':' is a task
// name; otherwise the part before the first ':' says what it is (stage, bootenv, context,
// action, chroot). Parsing is total: anything else is Malformed, never an exception.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace drover::rules {

enum class EntryKind { Task, Stage, BootEnv, Context, Action, Chroot, Malformed };

struct TaskEntry {
    EntryKind kind = EntryKind::Malformed;
    std::string name;    // task, stage, bootenv or context name; chroot dir; action command
    std::string plugin;  // action:<plugin>:<cmd> only
};

TaskEntry parse_task_entry(std::string_view entry);

// True for entries the server handles during POST /jobs (spec 2.3 step 6): stage, bootenv,
// context, action; chroot and plain tasks go to the agent.
bool is_server_entry(const TaskEntry& e);

// Whose list is being checked: Stage.Tasks additionally requires `action:plugin:cmd` (spec 1.6).
enum class TaskListOwner { Machine, Stage };

// spec 1.1/1.6/3.1: syntax errors of every entry, unprefixed ("Invalid Stage `x`",
// "foo:bar (at 2) is malformed"). Existence of the named objects is the server's check.
std::vector<std::string> task_list_syntax_errors(const std::vector<std::string>& tasks,
                                                 TaskListOwner owner);

}  // namespace drover::rules
