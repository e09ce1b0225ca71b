#include "common/rules/secure_params.hpp"

namespace drover::rules {

std::optional<security::SecretOwner> owner_of(const ParamSource& source, const std::string& param) {
    switch (source.kind) {
        case ParamSourceKind::Machine:
            return security::SecretOwner{"machines", source.name, param};
        case ParamSourceKind::Stage:
            return security::SecretOwner{"stages", source.name, param};
        case ParamSourceKind::Profile:
        case ParamSourceKind::StageProfile:
        case ParamSourceKind::Global:
        case ParamSourceKind::GlobalProfile:
            return security::SecretOwner{"profiles", source.name, param};
        case ParamSourceKind::Default:
            return std::nullopt;
    }
    return std::nullopt;
}

api::Expected<model::Json, std::string> open_resolved(const std::string& name,
                                                      const ResolvedParam& hit,
                                                      const security::ParamSecrets& secrets) {
    auto owner = owner_of(hit.source, name);
    if (!owner || !security::is_sealed(hit.value)) return hit.value;
    auto clear = secrets.open(*owner, hit.value);
    if (!clear) return api::unexpected(owner->describe() + ": the sealed value " + clear.error());
    return clear;
}

void open_params(model::Json& params, const std::string& prefix, const std::string& key,
                 const security::ParamSecrets& secrets) {
    if (!params.is_object()) return;
    for (auto& [name, value] : params.items()) {
        if (!security::is_sealed(value)) continue;
        if (auto clear = secrets.open({prefix, key, name}, value)) value = std::move(*clear);
    }
}

}  // namespace drover::rules
