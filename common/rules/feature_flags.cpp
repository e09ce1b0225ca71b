#include "common/rules/feature_flags.hpp"

#include <algorithm>

namespace drover::rules {

std::vector<std::string> parse_feature_flags(std::string_view list) {
    std::vector<std::string> out;
    while (!list.empty()) {
        auto comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
            item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
            item.remove_suffix(1);
        if (!item.empty()) out.emplace_back(item);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return out;
}

bool has_feature(std::string_view list, std::string_view flag) {
    auto flags = parse_feature_flags(list);
    return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

std::string add_feature(std::string_view list, std::string_view flag) {
    if (has_feature(list, flag)) return std::string(list);
    auto flags = parse_feature_flags(list);
    flags.emplace_back(flag);
    std::string out;
    for (const auto& f : flags)
        out += (out.empty() ? "" : ",") + f;
    return out;
}

std::string feature_flags_of(const MetaMap& meta) {
    auto it = meta.find("feature-flags");
    return it == meta.end() ? std::string() : it->second;
}

void apply_task_exit_code_flag(MetaMap& task_meta) {
    std::string flags = feature_flags_of(task_meta);
    if (has_feature(flags, "original-exit-codes")) return;
    task_meta["feature-flags"] = add_feature(flags, "sane-exit-codes");
}

bool agent_marks_runnable_at_start(const MetaMap& machine_meta, std::string_view agent_context) {
    if (!agent_context.empty()) return false;
    std::string flags = feature_flags_of(machine_meta);
    return !has_feature(flags, "change-stage-v2") || has_feature(flags, "original-change-stage");
}

}  // namespace drover::rules
