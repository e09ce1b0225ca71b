// spec 3: task-list grammar, the past/present/future split, add/del helpers, workflow and
// prerequisite expansion, and the CurrentTask = -1 snap-back.
#include <catch2/catch.hpp>

#include <map>

#include "common/rules/task_entry.hpp"
#include "common/rules/task_list.hpp"

using namespace drover::rules;

TEST_CASE("task entry grammar (spec 3.1)", "[task_list][spec3.1]") {
    auto t = parse_task_entry("gohai");
    CHECK((t.kind == EntryKind::Task && t.name == "gohai"));
    CHECK(parse_task_entry("stage:discover").kind == EntryKind::Stage);
    CHECK(parse_task_entry("bootenv:sledgehammer").name == "sledgehammer");
    auto ctx = parse_task_entry("context:");
    CHECK((ctx.kind == EntryKind::Context && ctx.name.empty()));
    auto chroot = parse_task_entry("chroot:/mnt/target:x");
    CHECK((chroot.kind == EntryKind::Chroot && chroot.name == "/mnt/target:x"));
    auto a1 = parse_task_entry("action:ipmi:powercycle");
    CHECK((a1.kind == EntryKind::Action && a1.plugin == "ipmi" && a1.name == "powercycle"));
    auto a2 = parse_task_entry("action:nextbootpxe");
    CHECK((a2.kind == EntryKind::Action && a2.plugin.empty() && a2.name == "nextbootpxe"));
    CHECK(parse_task_entry("plugin:foo").kind == EntryKind::Malformed);
    CHECK(is_server_entry(parse_task_entry("stage:x")));
    CHECK_FALSE(is_server_entry(parse_task_entry("chroot:/x")));
    CHECK_FALSE(is_server_entry(parse_task_entry("task")));
}

TEST_CASE("the runner-state example list is valid for a machine", "[task_list][spec3.1]") {
    TaskList list{"stage:discover",
                  "bootenv:sledgehammer",
                  "gohai",
                  "ssh-access",
                  "stage:ipmi-configure",
                  "ipmi-configure",
                  "stage:virtualbox-discover",
                  "virtualbox-discover-uuid",
                  "stage:sledgehammer-wait"};
    CHECK(task_list_syntax_errors(list, TaskListOwner::Machine).empty());
    CHECK(task_list_syntax_errors({"context:bad/", "x"}, TaskListOwner::Machine) ==
          std::vector<std::string>{"Invalid Context `bad/`", "Invalid Task `x`"});
}

TEST_CASE("past / present / future split (spec 3.2)", "[task_list][spec3.2]") {
    TaskList list{"a1", "a2", "stage:s2", "b1"};
    auto s = split_tasks(list, -1);
    CHECK(s.past.empty());
    CHECK(s.present == TaskList{"a1", "a2"});
    CHECK(s.future == TaskList{"stage:s2", "b1"});
    s = split_tasks(list, 0);
    CHECK(s.past == TaskList{"a1"});
    CHECK(s.present == TaskList{"a2"});
    s = split_tasks(list, 4);
    CHECK(s.past == list);
    CHECK((s.present.empty() && s.future.empty()));
    s = split_tasks(list, 2);  // the stage entry itself is past: what follows is present
    CHECK(s.present == TaskList{"b1"});
    CHECK(s.future.empty());
    CHECK(split_tasks({}, -1).present.empty());
}

TEST_CASE("add_tasks inserts into the present only, idempotently (spec 3.2)",
          "[task_list][spec3.2]") {
    TaskList list{"done", "p1", "p2", "stage:next", "f1"};
    CHECK(add_tasks(list, 0, -1, {"x"}) == TaskList{"done", "p1", "p2", "x", "stage:next", "f1"});
    CHECK(add_tasks(list, 0, 0, {"x"}) == TaskList{"done", "x", "p1", "p2", "stage:next", "f1"});
    CHECK(add_tasks(list, 0, 1, {"x", "y"}) ==
          TaskList{"done", "p1", "x", "y", "p2", "stage:next", "f1"});
    CHECK(add_tasks(list, 0, 99, {"x"}) == TaskList{"done", "p1", "p2", "x", "stage:next", "f1"});
    CHECK(add_tasks(list, 0, -99, {"x"}) == TaskList{"done", "p1", "p2", "x", "stage:next", "f1"});
    CHECK(add_tasks(list, 0, -2, {"x"}) == TaskList{"done", "p1", "x", "p2", "stage:next", "f1"});
    // Already there: no change.
    CHECK(add_tasks(list, 0, 0, {"p1"}) == list);
    CHECK(add_tasks(list, 0, -1, {"p2"}) == list);
    CHECK(add_tasks(list, 0, 1, {"p2"}) == list);
}

TEST_CASE("del_tasks removes at most one occurrence per argument, in order (spec 3.2)",
          "[task_list][spec3.2]") {
    TaskList list{"done", "a", "b", "a", "stage:n", "a"};
    CHECK(del_tasks(list, 0, {"a"}) == TaskList{"done", "b", "a", "stage:n", "a"});
    CHECK(del_tasks(list, 0, {"a", "a"}) == TaskList{"done", "b", "stage:n", "a"});
    CHECK(del_tasks(list, 0, {"done"}) == list);  // the past is immutable
    CHECK(del_tasks(list, 0, {"b", "a"}) == TaskList{"done", "a", "stage:n", "a"});
    CHECK(del_tasks(list, 0, {}) == list);
}

TEST_CASE("workflow expansion (spec 3.5)", "[task_list][spec3.5]") {
    std::map<std::string, StageFacts> stages{
        {"discover", {"sledgehammer", {"gohai", "inventory"}}},
        {"hw", {"sledgehammer", {"raid"}}},
        {"install", {"ubuntu-install", {}}},
        {"done", {"", {"report"}}},
    };
    StageLookup lookup = [&](const std::string& n) -> std::optional<StageFacts> {
        auto it = stages.find(n);
        return it == stages.end() ? std::nullopt : std::optional(it->second);
    };
    auto e = expand_workflow({"discover", "hw", "install", "done"}, lookup);
    CHECK(e.errors.empty());
    CHECK(e.tasks == TaskList{"stage:discover", "bootenv:sledgehammer", "gohai", "inventory",
                              "stage:hw", "raid", "stage:install", "bootenv:ubuntu-install",
                              "stage:done", "report"});
    auto missing = expand_workflow({"discover", "nope"}, lookup);
    CHECK(missing.errors == std::vector<std::string>{"Stage nope does not exist"});
}

TEST_CASE("prerequisite expansion (spec 3.6)", "[task_list][spec3.6]") {
    std::map<std::string, TaskList> prereqs{
        {"install", {"partition", "network"}},
        {"partition", {"raid"}},
        {"raid", {}},
        {"network", {}},
        {"report", {"network"}},
        {"loop-a", {"loop-b"}},
        {"loop-b", {"loop-a"}},
        {"self", {"self"}},
        {"broken", {"ghost"}},
    };
    PrerequisiteLookup lookup = [&](const std::string& t) -> std::optional<TaskList> {
        auto it = prereqs.find(t);
        return it == prereqs.end() ? std::nullopt : std::optional(it->second);
    };
    SECTION("depth first, prerequisites of prerequisites first, once per bootenv segment") {
        auto e = expand_prerequisites({"install", "report"}, -1, "sledgehammer", lookup);
        CHECK(e.errors.empty());
        CHECK(e.tasks == TaskList{"raid", "partition", "network", "install", "report"});
    }
    SECTION("a bootenv change starts a new segment") {
        auto e =
            expand_prerequisites({"report", "bootenv:local", "report"}, -1, "sledgehammer", lookup);
        CHECK(e.tasks == TaskList{"network", "report", "bootenv:local", "network", "report"});
        auto same = expand_prerequisites({"report", "bootenv:sledgehammer", "report"}, -1,
                                         "sledgehammer", lookup);
        CHECK(same.tasks == TaskList{"network", "report", "bootenv:sledgehammer", "report"});
    }
    SECTION("tasks already in the segment count as seen; the past is not expanded") {
        auto e = expand_prerequisites({"network", "report"}, -1, "x", lookup);
        CHECK(e.tasks == TaskList{"network", "report"});
        auto past = expand_prerequisites({"install", "report"}, 0, "x", lookup);
        CHECK(past.tasks == TaskList{"install", "network", "report"});
    }
    SECTION("cycles and missing prerequisites are errors") {
        CHECK(expand_prerequisites({"self"}, -1, "x", lookup).errors ==
              std::vector<std::string>{"Task self depends on itself!"});
        CHECK(expand_prerequisites({"loop-a"}, -1, "x", lookup).errors ==
              std::vector<std::string>{"Task loop-a depends on itself!"});
        CHECK(expand_prerequisites({"broken"}, -1, "x", lookup).errors ==
              std::vector<std::string>{"Task ghost (prerequisite of broken) does not exist"});
    }
}

TEST_CASE("snap-back of CurrentTask = -1 (spec 3.3)", "[task_list][spec3.3]") {
    std::map<std::string, std::string> env{{"discover", "sledgehammer"},
                                           {"inventory", "sledgehammer"},
                                           {"note", ""},
                                           {"install", "ubuntu-install"},
                                           {"finish", "local"}};
    auto stage_env = [&](const std::string& s) { return env.count(s) ? env[s] : std::string(); };
    TaskList list{"stage:discover",
                  "bootenv:sledgehammer",
                  "gohai",
                  "stage:inventory",
                  "inv",
                  "stage:note",
                  "n1",
                  "stage:install",
                  "bootenv:ubuntu-install",
                  "i1",
                  "stage:finish",
                  "bootenv:local",
                  "f1"};
    // Rebooted into sledgehammer while in `note`: back to the first stage of the segment.
    CHECK(snap_back_index(list, 6, "sledgehammer", stage_env) == 0);
    // In the installer: back to stage:install, not further.
    CHECK(snap_back_index(list, 9, "ubuntu-install", stage_env) == 7);
    // The machine's bootenv matches no stage before the index: stays -1.
    CHECK(snap_back_index(list, 4, "local", stage_env) == -1);
    CHECK(snap_back_index(list, 99, "local", stage_env) == 10);
    CHECK(snap_back_index({}, 3, "local", stage_env) == -1);
}
