#include "server/objects/param_values.hpp"

#include "common/model/checks.hpp"
#include "server/objects/type_rules.hpp"

namespace drover::objects {

namespace {

bool unchanged(const model::Params* old, const std::string& name, const model::Json& value) {
    if (!old) return false;
    auto it = old->find(name);
    return it != old->end() && it->second == value;
}

}  // namespace

model::Errors admit_params(model::Params& params, const model::Params* old,
                           const std::string& prefix, const std::string& key,
                           const StoreCatalog& catalog, const security::ParamSecrets& secrets) {
    model::Errors errs;
    for (auto& [name, value] : params) {
        const model::Param* def = catalog.param(name);
        const security::SecretOwner owner{prefix, key, name};
        if (security::is_sealed(value)) {
            if (unchanged(old, name, value)) continue;
            auto clear = secrets.open(owner, value);
            if (!clear) {
                errs.push_back(owner.describe() + ": the sealed value " + clear.error() +
                               "; send the value in clear to set it");
                continue;
            }
            if (def) model::append(errs, param_value_errors(*def, *clear, true));
            continue;
        }
        const bool secure = def && def->secure;
        model::Errors own = def ? param_value_errors(*def, value, secure) : model::Errors{};
        if (!own.empty()) {
            model::append(errs, own);
            continue;
        }
        if (!secure) continue;
        auto sealed = secrets.seal(owner, value);
        if (!sealed) {
            errs.push_back(owner.describe() + ": cannot be sealed: " + sealed.error());
            continue;
        }
        value = std::move(*sealed);
    }
    return errs;
}

}  // namespace drover::objects
