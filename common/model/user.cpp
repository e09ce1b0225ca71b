#include "common/model/user.hpp"

#include <set>

#include "common/model/checks.hpp"
#include "common/rules/names.hpp"
#include "common/security/roles.hpp"

namespace drover::model {

Errors validate(const User& u) {
    Errors errs;
    if (!rules::valid_user_name(u.name)) errs.push_back("Invalid Name `" + u.name + "`");
    std::set<std::string> seen;
    for (const auto& role : u.roles) {
        if (!security::parse_role(role)) errs.push_back("Unknown role `" + role + "`");
        if (!seen.insert(role).second) errs.push_back("Duplicate role " + role);
    }
    return prefix_errors(u.name, std::move(errs));
}

}  // namespace drover::model
