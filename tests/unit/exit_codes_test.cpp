// spec 2.5, row by row: the exit-code tables (sane and legacy) and the per-job folding over a
// task's actions, including the "Resulting combinations" table.
#include <catch2/catch.hpp>

#include "common/rules/exit_codes.hpp"

using namespace drover::rules;
using drover::model::ExitState;
using drover::model::JobState;

namespace {

ExitFlags sane(int code) {
    return classify_exit_code(code, ExitCodeMode::Sane);
}
ExitFlags legacy(int code) {
    return classify_exit_code(code, ExitCodeMode::Legacy);
}

}  // namespace

TEST_CASE("sane exit code table: exact values, not bits", "[exit_codes][spec2.5]") {
    struct Row {
        int code;
        ExitFlags flags;
    };
    const Row rows[] = {
        {0, {}},
        {16, {.stop = true}},
        {32, {.poweroff = true}},
        {64, {.reboot = true}},
        {128, {.incomplete = true}},
        {144, {.stop = true, .incomplete = true}},
        {160, {.poweroff = true, .incomplete = true}},
        {192, {.reboot = true, .incomplete = true}},
    };
    for (const auto& r : rows) {
        INFO("code " << r.code);
        CHECK(sane(r.code) == r.flags);
    }
    for (int code : {1, 2, 3, 15, 17, 48, 80, 208, 224, 255, kKilledBySignal}) {
        INFO("code " << code);
        CHECK(sane(code) == ExitFlags{.failed = true});
    }
}

TEST_CASE("legacy exit code table", "[exit_codes][spec2.5]") {
    CHECK(legacy(0) == ExitFlags{});
    CHECK(legacy(1) == ExitFlags{.reboot = true});
    CHECK(legacy(2) == ExitFlags{.incomplete = true});
    CHECK(legacy(3) == ExitFlags{.reboot = true, .incomplete = true});
    for (int code : {4, 16, 64, 128, 255, kKilledBySignal})
        CHECK(legacy(code) == ExitFlags{.failed = true});
}

TEST_CASE("which table applies", "[exit_codes][spec2.5][spec1.13]") {
    CHECK(exit_code_mode("sane-exit-codes", false) == ExitCodeMode::Sane);
    CHECK(exit_code_mode("foo, sane-exit-codes", false) == ExitCodeMode::Sane);
    CHECK(exit_code_mode("original-exit-codes", true) ==
          ExitCodeMode::Sane);  // the helper's marker file
    CHECK(exit_code_mode("original-exit-codes", false) == ExitCodeMode::Legacy);
    CHECK(exit_code_mode("", false) == ExitCodeMode::Legacy);
}

TEST_CASE("resulting combinations: one code on the last or a non-last action",
          "[exit_codes][spec2.5]") {
    struct Row {
        int code;
        bool last;
        JobState state;
        ExitState exit;
        bool not_runnable;
    };
    const Row rows[] = {
        {0, true, JobState::Finished, ExitState::Complete, false},
        {16, true, JobState::Finished, ExitState::Stop, true},
        {16, false, JobState::Incomplete, ExitState::Stop, true},
        {32, true, JobState::Finished, ExitState::Poweroff, true},
        {32, false, JobState::Incomplete, ExitState::Poweroff, true},
        {64, true, JobState::Finished, ExitState::Reboot, true},
        {64, false, JobState::Incomplete, ExitState::Reboot, true},
        {128, true, JobState::Incomplete, ExitState::Complete, true},
        {128, false, JobState::Finished, ExitState::Complete, false},
        {144, true, JobState::Incomplete, ExitState::Stop, true},
        {144, false, JobState::Incomplete, ExitState::Stop, true},
        {160, true, JobState::Incomplete, ExitState::Poweroff, true},
        {160, false, JobState::Incomplete, ExitState::Poweroff, true},
        {192, true, JobState::Incomplete, ExitState::Reboot, true},
        {192, false, JobState::Incomplete, ExitState::Reboot, true},
        {1, true, JobState::Failed, ExitState::Failed, true},
        {1, false, JobState::Failed, ExitState::Failed, true},
        {255, false, JobState::Failed, ExitState::Failed, true},
    };
    for (const auto& r : rows) {
        INFO("code " << r.code << (r.last ? " last" : " not last"));
        std::vector<ExitFlags> actions;
        if (!r.last) {
            actions = {sane(r.code), sane(0)};
        } else {
            actions = {sane(0), sane(r.code)};
        }
        JobResult res = fold_actions(actions);
        CHECK(res.state == r.state);
        CHECK(res.exit_state == r.exit);
        CHECK(res.make_not_runnable == r.not_runnable);
    }
}

TEST_CASE("folding stops where the agent stops", "[exit_codes][spec2.5]") {
    JobResultFolder f;
    CHECK(f.record(sane(0), false));          // continue
    CHECK_FALSE(f.record(sane(128), false));  // incomplete on a non-final action: skip the rest
    CHECK(f.result().state == JobState::Finished);
    CHECK_FALSE(f.result().make_not_runnable);

    JobResultFolder g;
    CHECK_FALSE(g.record(sane(64), false));
    CHECK(g.result().reboot);
    CHECK(g.result().state == JobState::Incomplete);

    // Only the last action's flags count: an earlier 0 does not hide a later failure.
    CHECK(fold_actions({sane(0), sane(0), sane(7)}).state == JobState::Failed);
    // A failure stops the task: later actions are not considered.
    CHECK(fold_actions({sane(1), sane(64)}).exit_state == ExitState::Failed);
}

TEST_CASE("file actions and interrupted jobs", "[exit_codes][spec2.5]") {
    CHECK(fold_actions({file_action_flags(true)}).state == JobState::Finished);
    CHECK(fold_actions({file_action_flags(false), sane(0)}).state == JobState::Failed);
    JobResult killed = interrupted_result();
    CHECK(killed.state == JobState::Incomplete);
    CHECK(killed.exit_state == ExitState::Complete);
}

TEST_CASE("TestJobs rows 9-12, 17-20, 23 fold as spec 5.8 expects", "[exit_codes][spec5.8]") {
    // task2 (sane): reboot(64), poweroff(32), stop(16), fail(1), incomplete(128); each template
    // fails only once, so successive runs see the next action's code.
    CHECK(fold_actions({sane(64)}).state == JobState::Finished);  // sanity: alone and last
    auto row9 = fold_actions({sane(64), sane(32), sane(16), sane(1), sane(128)});
    CHECK((row9.state == JobState::Incomplete && row9.exit_state == ExitState::Reboot));
    auto row10 = fold_actions({sane(0), sane(32), sane(16), sane(1), sane(128)});
    CHECK((row10.state == JobState::Incomplete && row10.exit_state == ExitState::Poweroff));
    auto row11 = fold_actions({sane(0), sane(0), sane(16), sane(1), sane(128)});
    CHECK((row11.state == JobState::Incomplete && row11.exit_state == ExitState::Stop));
    auto row12 = fold_actions({sane(0), sane(0), sane(0), sane(1), sane(128)});
    CHECK((row12.state == JobState::Failed && row12.exit_state == ExitState::Failed));
    auto row17 = fold_actions({sane(0), sane(0), sane(0), sane(0), sane(128)});
    CHECK((row17.state == JobState::Incomplete && row17.exit_state == ExitState::Complete));
    // task1 (legacy): reboot(1), fail(4), incomplete(2).
    auto row18 = fold_actions({legacy(1), legacy(4), legacy(2)});
    CHECK((row18.state == JobState::Incomplete && row18.exit_state == ExitState::Reboot));
    auto row19 = fold_actions({legacy(0), legacy(4), legacy(2)});
    CHECK((row19.state == JobState::Failed && row19.exit_state == ExitState::Failed));
    auto row20 = fold_actions({legacy(0), legacy(0), legacy(2)});
    CHECK((row20.state == JobState::Incomplete && row20.exit_state == ExitState::Complete));
    auto row23 = fold_actions({legacy(0), legacy(0), legacy(0)});
    CHECK((row23.state == JobState::Finished && row23.exit_state == ExitState::Complete));
}
