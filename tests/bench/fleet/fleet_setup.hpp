// The content and machines of a fleet scenario, written through the API as an admin would:
// tasks whose rendered scripts the simulated actions act out, stages, bootenvs, one workflow,
// and N machines each with its own machine token (the agent's credentials).
#pragma once
#include <string>
#include <vector>

#include "fleet_scheduler.hpp"

namespace drover::fleet {

enum class Scenario { Steady, BootStorm, LogHeavy, Churn };
bool parse_scenario(const std::string& name, Scenario& out);
const char* name_of(Scenario s);

struct ScenarioContent {
    std::string workflow;
    int jobs_per_round = 0;  // jobs one machine settles in one pass of the workflow
    bool repeat = false;     // steady-state scenarios start the workflow over
};

// Writes the scenario's tasks, templates, stages, bootenvs and workflow; `tasks` is T (steady).
// Returns an error message, empty on success.
std::string write_content(const std::string& endpoint, const std::string& admin_token,
                          Scenario scenario, int tasks, ScenarioContent& out);

// Creates machines fleet-m<i> (i in [first, first+count)) on `workflow` with a token each, on
// `threads` connections at once. Returns an error message, empty on success.
std::string create_machines(const std::string& endpoint, const std::string& admin_token,
                            const std::string& workflow, int first, int count, int threads,
                            std::vector<MachineSpec>& out);

}  // namespace drover::fleet
