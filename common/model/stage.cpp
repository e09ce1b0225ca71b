#include "common/model/stage.hpp"

#include "common/model/checks.hpp"
#include "common/rules/names.hpp"
#include "common/rules/task_entry.hpp"

namespace drover::model {

Errors validate(const Stage& s) {
    Errors errs;
    add_if(errs, rules::name_error("Invalid Name", s.name));
    if (!s.boot_env.empty()) add_if(errs, rules::name_error("Invalid BootEnv", s.boot_env));
    append(errs, param_list_errors("Invalid Required Param", s.required_params));
    append(errs, param_list_errors("Invalid Optional Param", s.optional_params));
    append(errs, param_key_errors(s.params));
    append(errs, profile_list_errors(s.profiles));
    append(errs, rules::task_list_syntax_errors(s.tasks, rules::TaskListOwner::Stage));
    for (std::size_t i = 0; i < s.templates.size(); ++i)
        append(errs, validate_template_info(s.templates[i], i, /*path_required=*/true));
    return prefix_errors(s.name, std::move(errs));
}

}  // namespace drover::model
