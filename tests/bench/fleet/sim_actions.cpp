#include "sim_actions.hpp"

#include <algorithm>
#include <sstream>

#include "common/rules/exit_codes.hpp"

namespace drover::fleet {

SimulatedActions::SimulatedActions(ActionProfile profile)
    : profile_(profile), random_(profile.seed) {}

std::string simulated_log(const std::string& task, const std::string& machine,
                          std::size_t log_bytes) {
    std::string out = "fleet: " + task + " on " + machine + "\n";
    std::size_t head = out.size();
    out.resize(std::max(log_bytes, head), 'x');
    for (std::size_t i = head + 79; i < out.size(); i += 80)
        out[i] = '\n';
    return out;
}

int simulated_exit_code(const std::string& script) {
    std::istringstream in(script);
    std::string line;
    int code = 0;
    while (std::getline(in, line)) {
        auto at = line.find_first_not_of(" \t");
        if (at == std::string::npos || line.compare(at, 5, "exit ") != 0) continue;
        code = std::atoi(line.c_str() + at + 5);
    }
    return code;
}

std::chrono::milliseconds SimulatedActions::draw_hold() {
    if (profile_.hold_max <= profile_.hold_min) return profile_.hold_min;
    std::lock_guard lock(mutex_);
    std::uniform_int_distribution<long> d(profile_.hold_min.count(), profile_.hold_max.count());
    return std::chrono::milliseconds(d(random_));
}

SimulatedActions::Result SimulatedActions::run(const agent::TaskRun& run,
                                               const agent::RunnerEnvironment& env,
                                               agent::LogSink& log, const std::atomic<bool>&,
                                               const std::function<void()>&) {
    log.write(simulated_log(run.task, env.machine_uuid, profile_.log_bytes));
    auto mode = rules::exit_code_mode(run.feature_flags, false);
    std::vector<rules::ExitFlags> flags;
    for (const auto& action : run.actions)
        flags.push_back(action.path.empty()
                            ? rules::classify_exit_code(simulated_exit_code(action.content), mode)
                            : rules::file_action_flags(true));
    Result r;
    r.outcome.result = rules::fold_actions(flags);
    r.hold = draw_hold();
    return r;
}

}  // namespace drover::fleet
