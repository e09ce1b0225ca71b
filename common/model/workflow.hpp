// spec 1.8: a Workflow: an ordered list of Stages that is expanded into a machine's task list
// (spec 3.5) when the machine's Workflow is set.
#pragma once
#include "common/model/envelope.hpp"

namespace drover::model {

struct Workflow : Envelope {
    static constexpr const char* kTypeName = "Workflow";
    static constexpr const char* kPrefix = "workflows";
    static constexpr const char* kKeyName = "Name";
    std::string name;
    std::string description;
    std::string documentation;
    std::vector<std::string> stages;

    const std::string& key() const { return name; }

    template <class V, class Self>
    static void fields(V& v, Self& s) {
        envelope_fields(v, s);
        v("Name", s.name);
        v("Description", s.description);
        v("Documentation", s.documentation);
        v("Stages", s.stages);
    }
};

Errors validate(const Workflow& w);

}  // namespace drover::model
