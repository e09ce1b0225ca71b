// Reading secure params (spec 1.10, 8; issue 7), the pure part: which object a resolved value
// came from, and opening sealed values for a decoded read (?decode=true) or a task render.
// Opening goes by shape (security::is_sealed), not by the Param's Secure flag: a value sealed
// while its Param was Secure still reads in clear after the flag is dropped. Schema defaults are
// never sealed (a Secure Param's default is not a secret).
#pragma once
#include <optional>
#include <string>

#include "common/api/expected.hpp"
#include "common/rules/param_precedence.hpp"
#include "common/security/secure_value.hpp"

namespace drover::rules {

// The owner a value resolved by spec 8 was sealed for: the machine, the profile (the machine's,
// the stage's or global's) or the stage; nullopt for a schema default.
std::optional<security::SecretOwner> owner_of(const ParamSource& source, const std::string& param);

// A resolved value in clear: a sealed one opened for the level it came from, anything else as it
// is. Errors name the param, its object and why it does not open.
api::Expected<model::Json, std::string> open_resolved(const std::string& name,
                                                      const ResolvedParam& hit,
                                                      const security::ParamSecrets& secrets);

// `?decode=true` on the Params map of the object `prefix`/`key`, in place: sealed values opened.
// One that does not open stays sealed, so the caller sees it was not decoded (a render, which
// cannot go on without the value, fails instead).
void open_params(model::Json& params, const std::string& prefix, const std::string& key,
                 const security::ParamSecrets& secrets);

}  // namespace drover::rules
