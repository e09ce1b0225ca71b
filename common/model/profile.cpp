#include "common/model/profile.hpp"

#include "common/model/checks.hpp"
#include "common/rules/names.hpp"

namespace drover::model {

Errors validate(const Profile& p) {
    Errors errs;
    add_if(errs, rules::name_error("Invalid Name", p.name));
    append(errs, param_key_errors(p.params));
    append(errs, profile_list_errors(p.profiles));
    for (const auto& nested : p.profiles)
        if (nested == p.name) errs.push_back("Profile " + p.name + " cannot include itself");
    return prefix_errors(p.name, std::move(errs));
}

}  // namespace drover::model
