// A DRP content bundle (content pack): the `meta` map (Name required; every field kept) and the
// objects of the seven sections drover stores, typed. The sections are visited in dependency
// order (params, templates, tasks, bootenvs, stages, profiles, workflows) so an object is
// usually written after what it refers to; references that point forward (a stage's profiles,
// a task's prerequisites) are settled by the server's re-validation of dependents.
// Invariant: within a section keys are unique and objects are sorted by key.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "common/model/bootenv.hpp"
#include "common/model/param.hpp"
#include "common/model/profile.hpp"
#include "common/model/stage.hpp"
#include "common/model/task.hpp"
#include "common/model/template.hpp"
#include "common/model/workflow.hpp"

namespace drover::content {

struct Bundle {
    model::Json meta = model::Json::object();
    std::vector<model::Param> params;
    std::vector<model::Template> templates;
    std::vector<model::Task> tasks;
    std::vector<model::BootEnv> bootenvs;
    std::vector<model::Stage> stages;
    std::vector<model::Profile> profiles;
    std::vector<model::Workflow> workflows;

    // Calls f(section) for each section vector, in dependency order; T::kPrefix names it.
    template <class F>
    void for_each_section(F&& f) {
        f(params), f(templates), f(tasks), f(bootenvs), f(stages), f(profiles), f(workflows);
    }
    template <class F>
    void for_each_section(F&& f) const {
        f(params), f(templates), f(tasks), f(bootenvs), f(stages), f(profiles), f(workflows);
    }
};

// "params, templates, tasks, bootenvs, stages, profiles, workflows": for messages.
const std::string& section_list();
bool is_section(std::string_view name);

// meta.Name ("" when missing).
std::string bundle_name(const Bundle& b);

// DRP's Content document: {"meta": {...}, "sections": {"<section>": {"<key>": object}}}, with
// every field of each object (as drpcli writes bundles); empty sections are left out.
model::Json to_document(const Bundle& b);

// DRP's ContentSummary: {"meta": {...}, "Counts": {"<section>": N}, "Warnings": []}, counting
// the non-empty sections.
model::Json summary(const Bundle& b);

}  // namespace drover::content
