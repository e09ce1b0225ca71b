// spec 4 change-stage/map, table-tested, including the TestChangeStage rows of spec 5.8.
#include <catch2/catch.hpp>

#include "common/rules/change_stage.hpp"

using namespace drover::rules;
using nlohmann::json;

namespace {

const json kTestMap = {
    {"stageNoWait", "stageDoneNoWait:Success"},   {"stageNoWait1", "stageDoneWait:Success"},
    {"stageWait", "stageDoneNoWait:Success"},     {"stageWait1", "stageDoneWait:Success"},
    {"stageStop", "stageDoneWait:Stop"},          {"stageReboot", "stageDoneWait:Reboot"},
    {"stageRealReboot", "stageDoneWait:Success"}, {"stageRealReboot1", "stageDoneReboot:Success"},
    {"fred-install", "stageDoneWait:Success"},
};

NextStageFacts facts_of(const std::string& stage) {
    return {"", stage == "stageDoneReboot"};  // all test stages have no BootEnv
}

ChangeStageDecision decide(const json& map, const std::string& stage, const std::string& env) {
    auto plan = plan_change_stage(map, stage, env);
    REQUIRE(plan.has_value());
    return decide_change_stage(*plan, stage, env, facts_of(plan->next_stage));
}

}  // namespace

TEST_CASE("plan: split on the first colon, only three tokens mean anything",
          "[change_stage][spec4]") {
    auto p = plan_change_stage(json{{"a", "b:Reboot:extra"}}, "a", "local");
    REQUIRE(p);
    CHECK(p->next_stage == "b");
    CHECK(p->token == ChangeStageToken::Default);  // "Reboot:extra" is not "Reboot"
    for (const char* token : {"Success", "Continue", "PowerOff", "Poweroff", "Wait", "", "reboot"})
        CHECK(plan_change_stage(json{{"a", std::string("b:") + token}}, "a", "local")->token ==
              ChangeStageToken::Default);
    CHECK(plan_change_stage(json{{"a", "b:Reboot"}}, "a", "x")->token == ChangeStageToken::Reboot);
    CHECK(plan_change_stage(json{{"a", "b:Stop"}}, "a", "x")->token == ChangeStageToken::Stop);
    CHECK(plan_change_stage(json{{"a", "b:Shutdown"}}, "a", "x")->token ==
          ChangeStageToken::Shutdown);
    CHECK(plan_change_stage(json{{"a", "b"}}, "a", "x")->next_stage == "b");
}

TEST_CASE("plan: no entry means local after an installer, else stay", "[change_stage][spec4]") {
    CHECK(plan_change_stage(json::object(), "s", "ubuntu-20.04-install")->next_stage == "local");
    CHECK(plan_change_stage(nullptr, "s", "sledgehammer")->next_stage ==
          "s");  // fetch error: empty map
    CHECK(plan_change_stage(json{{"a", ":Reboot"}}, "a", "local")->next_stage == "a");
}

TEST_CASE("plan: an undecodable map is an error", "[change_stage][spec4]") {
    CHECK_FALSE(plan_change_stage(json::array(), "a", "local"));
    CHECK_FALSE(plan_change_stage("a:b", "a", "local"));
    CHECK_FALSE(plan_change_stage(json{{"a", 5}}, "a", "local"));
}

TEST_CASE("decide: the step table", "[change_stage][spec4]") {
    ChangeStagePlan same{"s", ChangeStageToken::Reboot};
    auto d = decide_change_stage(same, "s", "local", {"other", true});
    CHECK(d.step == AgentStep::WaitForChangeStage);
    CHECK_FALSE(d.patch_stage);

    struct Row {
        ChangeStageToken token;
        std::string next_env;
        bool next_reboot;
        AgentStep step;
    };
    const Row rows[] = {
        {ChangeStageToken::Default, "", false, AgentStep::WaitForRunnable},
        {ChangeStageToken::Default, "local", false, AgentStep::WaitForRunnable},
        {ChangeStageToken::Default, "sledgehammer", false, AgentStep::RebootOrExit},
        {ChangeStageToken::Reboot, "", false, AgentStep::RebootOrExit},
        {ChangeStageToken::Stop, "", false, AgentStep::Exit},
        {ChangeStageToken::Stop, "sledgehammer", false, AgentStep::Exit},
        {ChangeStageToken::Shutdown, "", false, AgentStep::Poweroff},
        {ChangeStageToken::Stop, "", true, AgentStep::RebootOrExit},
        {ChangeStageToken::Shutdown, "local", true, AgentStep::RebootOrExit},
        {ChangeStageToken::Default, "", true, AgentStep::RebootOrExit},
    };
    for (const auto& r : rows) {
        auto dec = decide_change_stage({"t", r.token}, "s", "local", {r.next_env, r.next_reboot});
        CHECK(dec.step == r.step);
        CHECK(dec.patch_stage);  // step 7: patched even when about to reboot or exit
        CHECK(dec.next_stage == "t");
    }
}

TEST_CASE("TestChangeStage rows (spec 5.8)", "[change_stage][spec5.8]") {
    // :Success moves on and the agent keeps running tasks in the new stage.
    for (const char* s :
         {"stageNoWait", "stageWait", "stageNoWait1", "stageWait1", "stageRealReboot"}) {
        auto d = decide(kTestMap, s, "local");
        CHECK(d.step == AgentStep::WaitForRunnable);
        CHECK(d.patch_stage);
    }
    auto reboot = decide(kTestMap, "stageReboot", "local");
    CHECK((reboot.step == AgentStep::RebootOrExit && reboot.next_stage == "stageDoneWait"));
    CHECK(decide(kTestMap, "stageRealReboot1", "local").step == AgentStep::RebootOrExit);
    auto stop = decide(kTestMap, "stageStop", "local");
    CHECK((stop.step == AgentStep::Exit && stop.patch_stage));
    // Stage names ending in -install do not matter, only the bootenv does.
    CHECK(decide(kTestMap, "fred-install", "local").step == AgentStep::WaitForRunnable);
    auto greg = decide(kTestMap, "greg-install", "local");
    CHECK(greg.step == AgentStep::WaitForChangeStage);
    CHECK_FALSE(greg.patch_stage);
    // After the stageDone* stages (no map entry) the agent stays.
    CHECK(decide(kTestMap, "stageDoneWait", "local").step == AgentStep::WaitForChangeStage);
}
