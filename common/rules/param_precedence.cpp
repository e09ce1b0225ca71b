#include "common/rules/param_precedence.hpp"

#include <algorithm>

namespace drover::rules {

std::string to_string(ParamSourceKind k) {
    switch (k) {
        case ParamSourceKind::Machine:
            return "machine";
        case ParamSourceKind::Profile:
            return "profile";
        case ParamSourceKind::Stage:
            return "stage";
        case ParamSourceKind::StageProfile:
            return "stage-profile";
        case ParamSourceKind::Global:
            return "global";
        case ParamSourceKind::GlobalProfile:
            return "global-profile";
        case ParamSourceKind::Default:
            return "default";
    }
    return "unknown";
}

ParamResolver::ParamResolver(const model::Machine& machine, const Catalog& catalog)
    : catalog_(catalog) {
    std::vector<std::string> seen;
    levels_.push_back({{ParamSourceKind::Machine, machine.uuid}, &machine.params});
    for (const auto& p : machine.profiles)
        add_profile_levels(p, ParamSourceKind::Profile, seen);
    if (const model::Stage* stage = catalog.stage(machine.stage)) {
        levels_.push_back({{ParamSourceKind::Stage, stage->name}, &stage->params});
        for (const auto& p : stage->profiles)
            add_profile_levels(p, ParamSourceKind::StageProfile, seen);
    }
    if (const model::Profile* global = catalog.profile("global");
        global && std::find(seen.begin(), seen.end(), "global") == seen.end()) {
        seen.push_back("global");
        levels_.push_back({{ParamSourceKind::Global, "global"}, &global->params});
        for (const auto& p : global->profiles)
            add_profile_levels(p, ParamSourceKind::GlobalProfile, seen);
    }
}

void ParamResolver::add_profile_levels(const std::string& name, ParamSourceKind kind,
                                       std::vector<std::string>& seen) {
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) return;  // cycles and repeats
    const model::Profile* profile = catalog_.profile(name);
    if (!profile) return;
    seen.push_back(name);
    levels_.push_back({{kind, name}, &profile->params});
    for (const auto& nested : profile->profiles)
        add_profile_levels(nested, kind, seen);
}

std::optional<ResolvedParam> ParamResolver::resolve(const std::string& name) const {
    for (const auto& level : levels_) {
        auto it = level.params->find(name);
        if (it != level.params->end()) return ResolvedParam{it->second, level.source};
    }
    if (const model::Param* def = catalog_.param(name)) {
        if (auto value = model::default_value(*def))
            return ResolvedParam{*value, {ParamSourceKind::Default, name}};
    }
    return std::nullopt;
}

std::map<std::string, ResolvedParam> ParamResolver::aggregate() const {
    std::map<std::string, ResolvedParam> out;
    for (const auto& level : levels_)
        for (const auto& [name, value] : *level.params)
            out.try_emplace(name, ResolvedParam{value, level.source});
    return out;
}

namespace {

// `higher` wins; objects merge key by key, arrays concatenate without repeating equal items.
model::Json compose_two(const model::Json& higher, const model::Json& lower) {
    if (higher.is_object() && lower.is_object()) {
        model::Json out = higher;
        for (const auto& [k, v] : lower.items())
            out[k] = out.contains(k) ? compose_two(out[k], v) : v;
        return out;
    }
    if (higher.is_array() && lower.is_array()) {
        model::Json out = higher;
        for (const auto& v : lower)
            if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
        return out;
    }
    return higher;
}

}  // namespace

std::vector<ResolvedParam> ParamResolver::hits(const std::string& name) const {
    std::vector<ResolvedParam> out;
    for (const auto& level : levels_) {
        auto it = level.params->find(name);
        if (it != level.params->end()) out.push_back({it->second, level.source});
    }
    if (const model::Param* def = catalog_.param(name)) {
        if (auto value = model::default_value(*def))
            out.push_back({*value, {ParamSourceKind::Default, name}});
    }
    return out;
}

std::optional<model::Json> compose_values(const std::vector<ResolvedParam>& hits) {
    std::optional<model::Json> out;
    for (const auto& hit : hits)
        out = out ? compose_two(*out, hit.value) : hit.value;
    return out;
}

}  // namespace drover::rules
