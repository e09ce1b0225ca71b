// spec 1.6: a Stage: a task list, an optional BootEnv, params and profiles that take part in
// param resolution while a machine is in it, and templates rendered for machines in it.
#pragma once
#include "common/model/envelope.hpp"
#include "common/model/template.hpp"

namespace drover::model {

struct Stage : Envelope {
    static constexpr const char* kTypeName = "Stage";
    static constexpr const char* kPrefix = "stages";
    static constexpr const char* kKeyName = "Name";
    std::string name;
    std::string description;
    std::string documentation;
    std::vector<TemplateInfo> templates;
    std::vector<std::string> required_params;
    std::vector<std::string> optional_params;
    Params params;
    std::vector<std::string> profiles;
    std::string boot_env;
    std::vector<std::string> tasks;
    bool reboot = false;
    bool runner_wait = false;
    bool partial = false;

    const std::string& key() const { return name; }

    template <class V, class Self>
    static void fields(V& v, Self& s) {
        envelope_fields(v, s);
        v("Name", s.name);
        v("Description", s.description);
        v("Documentation", s.documentation);
        v("Templates", s.templates);
        v("RequiredParams", s.required_params);
        v("OptionalParams", s.optional_params);
        v("Params", s.params);
        v("Profiles", s.profiles);
        v("BootEnv", s.boot_env);
        v("Tasks", s.tasks);
        v("Reboot", s.reboot);
        v("RunnerWait", s.runner_wait);
        v("Partial", s.partial);
    }
};

// spec 1.6: syntactic errors prefixed "<Name>: " (templates need a Path; tasks use the stage
// grammar where `action:` must name its plugin).
Errors validate(const Stage& s);

}  // namespace drover::model
