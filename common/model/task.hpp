// spec 1.2: a Task, the unit a Job runs: templates rendered into JobActions, params it needs,
// prerequisites, and the extra token claims its jobs get.
#pragma once
#include "common/model/envelope.hpp"
#include "common/model/template.hpp"

namespace drover::model {

struct Task : Envelope {
    static constexpr const char* kTypeName = "Task";
    static constexpr const char* kPrefix = "tasks";
    static constexpr const char* kKeyName = "Name";
    std::string name;
    std::string description;
    std::string documentation;
    std::vector<TemplateInfo> templates;
    std::vector<std::string> required_params;
    std::vector<std::string> optional_params;
    std::vector<std::string> prerequisites;
    std::vector<std::string> extra_roles;
    std::vector<Claim> extra_claims;

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
        v("Prerequisites", s.prerequisites);
        v("ExtraRoles", s.extra_roles);
        v("ExtraClaims", s.extra_claims);
    }
};

// spec 1.2: syntactic errors, each prefixed "<Name>: " (names, template infos, duplicate template
// names, Meta.OS values, all-or-none OS metadata).
Errors validate(const Task& t);

}  // namespace drover::model
