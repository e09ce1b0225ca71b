#include "common/model/job.hpp"

#include <array>

#include "common/model/checks.hpp"
#include "common/rules/names.hpp"

namespace drover::model {

namespace {

constexpr std::array<std::string_view, 5> kJobStates{"created", "running", "failed", "finished",
                                                     "incomplete"};
constexpr std::array<std::string_view, 6> kExitStates{"",       "complete", "failed",
                                                      "reboot", "poweroff", "stop"};

}  // namespace

std::string to_string(JobState s) {
    return std::string(kJobStates[static_cast<std::size_t>(s)]);
}
std::string to_string(ExitState s) {
    return std::string(kExitStates[static_cast<std::size_t>(s)]);
}

std::optional<JobState> parse_job_state(std::string_view s) {
    for (std::size_t i = 0; i < kJobStates.size(); ++i)
        if (kJobStates[i] == s) return static_cast<JobState>(i);
    return std::nullopt;
}

std::optional<ExitState> parse_exit_state(std::string_view s) {
    for (std::size_t i = 0; i < kExitStates.size(); ++i)
        if (kExitStates[i] == s) return static_cast<ExitState>(i);
    return std::nullopt;
}

bool is_final(JobState s) {
    return s == JobState::Finished || s == JobState::Failed;
}

Errors validate(const Job& j) {
    Errors errs;
    if (j.machine.empty()) errs.push_back("Job has no Machine");
    if (j.task.find(':') == std::string::npos)
        add_if(errs, rules::name_error("Invalid Task", j.task));
    if (!j.stage.empty()) add_if(errs, rules::name_error("Invalid Stage", j.stage));
    if (!parse_job_state(j.state)) errs.push_back("Invalid State `" + j.state + "`");
    if (!parse_exit_state(j.exit_state)) errs.push_back("Invalid ExitState `" + j.exit_state + "`");
    return prefix_errors(j.uuid, std::move(errs));
}

bool action_valid_for_os(const JobAction& a, std::string_view target_os) {
    auto it = a.meta.find("OS");
    if (target_os.empty() || it == a.meta.end()) return true;
    std::string_view list = it->second;
    while (!list.empty()) {
        auto comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        while (!item.empty() && item.front() == ' ')
            item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ')
            item.remove_suffix(1);
        if (item == "any" || item == target_os) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

std::vector<JobAction> filter_actions_for_os(const std::vector<JobAction>& actions,
                                             std::string_view target_os) {
    if (actions.empty() || !actions.front().meta.contains("OS")) return actions;
    std::vector<JobAction> out;
    for (const auto& a : actions)
        if (action_valid_for_os(a, target_os)) out.push_back(a);
    return out;
}

}  // namespace drover::model
