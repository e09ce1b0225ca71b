// Param values on every write of a machine, profile or stage (spec 1.10, 6.3; issue 7): values
// of a defined Param must satisfy its Schema, and values of a Secure Param are stored sealed for
// their object and name (security::ParamSecrets) by the same write, checked in clear first.
//   - a clear value of a Secure Param is checked, then sealed;
//   - a sealed value that the old version held under the same name is kept unchecked (it was
//     checked when written), so bookkeeping writes such as the job engine's never open values;
//   - any other sealed value (a client's GET-then-PUT round trip) must open for this object and
//     name, and its clear value pass the checks; it is then kept as sent, never sealed twice. One
//     that does not open (altered, or copied from another object, param or server) is refused;
//   - every other value is checked as it is.
// Messages about a secure value never contain it.
#pragma once
#include <string>

#include "common/model/envelope.hpp"
#include "common/security/secure_value.hpp"
#include "server/objects/store_catalog.hpp"

namespace drover::objects {

// Admits `params` of the object `prefix`/`key` (`old`: its stored version's, if any), sealing
// clear values of Secure Params in place.
model::Errors admit_params(model::Params& params, const model::Params* old,
                           const std::string& prefix, const std::string& key,
                           const StoreCatalog& catalog, const security::ParamSecrets& secrets);

}  // namespace drover::objects
