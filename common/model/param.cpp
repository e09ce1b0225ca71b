#include "common/model/param.hpp"

#include "common/model/checks.hpp"
#include "common/rules/names.hpp"

namespace drover::model {

std::optional<Json> default_value(const Param& p) {
    if (!p.schema.is_object()) return std::nullopt;
    auto it = p.schema.find("default");
    if (it == p.schema.end()) return std::nullopt;
    return *it;
}

Errors validate(const Param& p) {
    Errors errs;
    add_if(errs, rules::param_name_error("Invalid Name", p.name));
    if (!p.schema.is_object() && !p.schema.is_boolean() && !p.schema.is_null())
        errs.push_back("Schema must be a JSON Schema object");
    return prefix_errors(p.name, std::move(errs));
}

}  // namespace drover::model
