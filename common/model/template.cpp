#include "common/model/template.hpp"

#include "common/model/checks.hpp"
#include "common/rules/names.hpp"

namespace drover::model {

Errors validate(const Template& t) {
    Errors errs;
    if (auto e = rules::machine_name_error("Invalid ID", t.id)) errs.push_back(*e);
    return prefix_errors(t.id, std::move(errs));
}

Errors validate_template_info(const TemplateInfo& ti, std::size_t index, bool path_required) {
    Errors errs;
    const std::string at = "Template[" + std::to_string(index) + "]";
    if (ti.name.empty())
        errs.push_back(at + " is missing a Name");
    else if (auto e = rules::name_error("Invalid Template Name", ti.name))
        errs.push_back(*e);
    if (path_required && ti.path.empty()) errs.push_back(at + " is missing a Path");
    if (ti.contents.empty() && ti.id.empty() && ti.link.empty())
        errs.push_back(at + " must have either an ID, a Link, or Contents set");
    if (!ti.contents.empty() && !ti.id.empty()) errs.push_back(at + " has both an ID and Contents");
    if (!ti.link.empty() && ti.path.empty()) errs.push_back(at + " has a Link but no Path");
    return errs;
}

}  // namespace drover::model
