// spec 1.13: feature flags, a comma separated list in Meta["feature-flags"], and the decisions
// that hang on them (exit-code table, agent start-up Runnable patch, server task save rule).
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace drover::rules {

std::vector<std::string> parse_feature_flags(std::string_view list);
bool has_feature(std::string_view list, std::string_view flag);
// Adds `flag` unless present; keeps the existing order.
std::string add_feature(std::string_view list, std::string_view flag);

using MetaMap = std::map<std::string, std::string>;
std::string feature_flags_of(const MetaMap& meta);

// spec 1.2: on save the server adds `sane-exit-codes` to a task unless it has
// `original-exit-codes`.
void apply_task_exit_code_flag(MetaMap& task_meta);

// spec 2.4/5.2 step 1: the agent PATCHes Runnable=true at start-up only for context "" and a
// machine that lacks `change-stage-v2` or has `original-change-stage`.
bool agent_marks_runnable_at_start(const MetaMap& machine_meta, std::string_view agent_context);

}  // namespace drover::rules
