// spec 1.13 feature flags and the decisions that depend on them.
#include <catch2/catch.hpp>

#include "common/rules/feature_flags.hpp"

using namespace drover::rules;

TEST_CASE("feature-flag lists are comma separated and trimmed", "[feature_flags][spec1.13]") {
    CHECK(parse_feature_flags(" a, b ,,c") == std::vector<std::string>{"a", "b", "c"});
    CHECK(parse_feature_flags("").empty());
    CHECK(has_feature("x,change-stage-v2", "change-stage-v2"));
    CHECK_FALSE(has_feature("change-stage-v22", "change-stage-v2"));
    CHECK(add_feature("a", "b") == "a,b");
    CHECK(add_feature("a,b", "b") == "a,b");
    CHECK(add_feature("", "b") == "b");
}

TEST_CASE("tasks get sane-exit-codes on save unless they ask for the original ones",
          "[feature_flags][spec1.2]") {
    MetaMap plain;
    apply_task_exit_code_flag(plain);
    CHECK(plain["feature-flags"] == "sane-exit-codes");
    MetaMap legacy{{"feature-flags", "original-exit-codes"}};
    apply_task_exit_code_flag(legacy);
    CHECK(legacy["feature-flags"] == "original-exit-codes");
    MetaMap twice{{"feature-flags", "sane-exit-codes"}};
    apply_task_exit_code_flag(twice);
    CHECK(twice["feature-flags"] == "sane-exit-codes");
}

TEST_CASE("agent start-up Runnable patch (spec 5.2 step 1)", "[feature_flags][spec5.2]") {
    CHECK(agent_marks_runnable_at_start({}, ""));
    CHECK_FALSE(agent_marks_runnable_at_start({{"feature-flags", "change-stage-v2"}}, ""));
    CHECK(agent_marks_runnable_at_start(
        {{"feature-flags", "change-stage-v2,original-change-stage"}}, ""));
    CHECK_FALSE(agent_marks_runnable_at_start({}, "docker"));
}
