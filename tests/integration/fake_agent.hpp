// A scripted stand-in for the machine agent (spec 5.3), enough to drive the job engine through
// the acceptance tables of spec 5.8 before the real agent exists: INIT, the one-shot waits,
// RUN_TASK with real bash processes for script actions, exit-code folding (spec 2.5), log upload
// with offsets, and the legacy change-stage/map (spec 4). Power actions are never taken (the agent
// ends instead, as --skip-power does).
#pragma once
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace drover::testing {

struct FakeAgentOptions {
    std::string machine;
    std::string context;
    std::string work_dir;  // the scripts' $JT and the task dirs live here
    bool exit_on_failure = true;
};

struct FakeAgentRun {
    std::string error;                // empty: the agent ended cleanly
    std::vector<std::string> states;  // every state entered, for debugging failures
};

// Runs the agent until it would exit, wait or power off.
FakeAgentRun run_fake_agent(httplib::Client& c, const FakeAgentOptions& options);

}  // namespace drover::testing
