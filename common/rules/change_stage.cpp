#include "common/rules/change_stage.hpp"

#include "common/model/bootenv.hpp"

namespace drover::rules {

namespace {

ChangeStageToken parse_token(std::string_view token) {
    if (token == "Reboot") return ChangeStageToken::Reboot;
    if (token == "Stop") return ChangeStageToken::Stop;
    if (token == "Shutdown") return ChangeStageToken::Shutdown;
    return ChangeStageToken::Default;
}

}  // namespace

std::optional<ChangeStagePlan> plan_change_stage(const model::Json& map, const std::string& stage,
                                                 const std::string& boot_env) {
    if (!map.is_null() && !map.is_object()) return std::nullopt;
    ChangeStagePlan plan;
    if (map.is_object()) {
        if (auto it = map.find(stage); it != map.end()) {
            if (!it->is_string()) return std::nullopt;
            const std::string& value = it->get_ref<const std::string&>();
            auto colon = value.find(':');  // split on the first ':'
            plan.next_stage = value.substr(0, colon);
            if (colon != std::string::npos)
                plan.token = parse_token(std::string_view(value).substr(colon + 1));
        }
    }
    if (plan.next_stage.empty())
        plan.next_stage = model::is_install_bootenv(boot_env) ? "local" : stage;
    return plan;
}

ChangeStageDecision decide_change_stage(const ChangeStagePlan& plan, const std::string& stage,
                                        const std::string& boot_env, const NextStageFacts& next) {
    ChangeStageDecision d;
    d.next_stage = plan.next_stage;
    if (plan.next_stage == stage) return d;  // step 3
    d.patch_stage = true;
    bool same_env = next.boot_env.empty() || next.boot_env == boot_env;
    d.step = same_env ? AgentStep::WaitForRunnable : AgentStep::RebootOrExit;  // step 4
    switch (plan.token) {                                                      // step 5
        case ChangeStageToken::Reboot:
            d.step = AgentStep::RebootOrExit;
            break;
        case ChangeStageToken::Stop:
            d.step = AgentStep::Exit;
            break;
        case ChangeStageToken::Shutdown:
            d.step = AgentStep::Poweroff;
            break;
        case ChangeStageToken::Default:
            break;
    }
    if (next.reboot) d.step = AgentStep::RebootOrExit;  // step 6 wins over everything
    return d;
}

}  // namespace drover::rules
