#include "common/model/workflow.hpp"

#include "common/model/checks.hpp"
#include "common/rules/names.hpp"

namespace drover::model {

Errors validate(const Workflow& w) {
    Errors errs;
    add_if(errs, rules::name_error("Invalid Name", w.name));
    for (const auto& s : w.stages)
        add_if(errs, rules::name_error("Invalid Stage", s));
    return prefix_errors(w.name, std::move(errs));
}

}  // namespace drover::model
