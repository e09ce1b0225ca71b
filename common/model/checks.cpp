#include "common/model/checks.hpp"

#include "common/rules/names.hpp"

namespace drover::model {

Errors profile_list_errors(const std::vector<std::string>& profiles) {
    Errors errs;
    for (std::size_t i = 0; i < profiles.size(); ++i) {
        add_if(errs, rules::name_error("Invalid Profile", profiles[i]));
        for (std::size_t j = i + 1; j < profiles.size(); ++j)
            if (profiles[i] == profiles[j])
                errs.push_back("Duplicate profile " + profiles[i] + ": at " + std::to_string(i) +
                               " and " + std::to_string(j));
    }
    return errs;
}

Errors param_list_errors(const char* what, const std::vector<std::string>& params) {
    Errors errs;
    for (const auto& p : params)
        add_if(errs, rules::param_name_error(what, p));
    return errs;
}

Errors param_key_errors(const std::map<std::string, Json>& params) {
    Errors errs;
    for (const auto& [name, _] : params)
        add_if(errs, rules::param_name_error("Invalid Param Name", name));
    return errs;
}

}  // namespace drover::model
