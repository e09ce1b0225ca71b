// spec 4: the legacy `change-stage/map` decision the agent makes when a machine without a
// Workflow runs out of tasks. Two pure steps: plan (which stage next, which action token) and
// decide (what the agent does, given the next stage's BootEnv and Reboot flag).
#pragma once
#include <optional>
#include <string>

#include "common/model/codec.hpp"

namespace drover::rules {

// Only these tokens mean anything; `Success` and every other token is Default (spec 4).
enum class ChangeStageToken { Default, Reboot, Stop, Shutdown };

struct ChangeStagePlan {
    std::string next_stage;
    ChangeStageToken token = ChangeStageToken::Default;
};

// Steps 1-2. `map` is the aggregated param value: null when it could not be fetched (treated as
// empty); anything but an object of strings is undecodable and returns nullopt (agent -> INIT).
std::optional<ChangeStagePlan> plan_change_stage(const model::Json& map, const std::string& stage,
                                                 const std::string& boot_env);

enum class AgentStep { WaitForChangeStage, WaitForRunnable, RebootOrExit, Exit, Poweroff };

struct NextStageFacts {
    std::string boot_env;
    bool reboot = false;
};

struct ChangeStageDecision {
    AgentStep step = AgentStep::WaitForChangeStage;
    bool patch_stage = false;  // step 7: PATCH Stage = next (even when about to reboot or exit)
    std::string next_stage;
};

// Steps 3-7. `next` describes plan.next_stage; it is not consulted when that is the current stage.
ChangeStageDecision decide_change_stage(const ChangeStagePlan& plan, const std::string& stage,
                                        const std::string& boot_env, const NextStageFacts& next);

}  // namespace drover::rules
