// Writes to users that may set a password (issue 7): POST /users, PUT and PATCH /users/<name>.
// A `Password` in the body (or added or replaced by the patch) is taken out of the request,
// hashed with scrypt before the store transaction (hashing is too slow to hold the group commit
// for) and handed to the users collection as WriteContext::password_hash. Everything else about
// users (decode, validation, hiding PasswordHash, events) is the generic collection's.
// Invariants: a clear password never reaches the store, an event or a reply; the hash changes
// only here; a patch may set /Password (add or replace, a string) but not test, move, copy or
// remove it, since it is never stored.
#pragma once
#include <optional>
#include <string>

#include "common/model/user.hpp"
#include "server/objects/object_service.hpp"
#include "server/security/password.hpp"

namespace drover::security {

class UserAccounts {
  public:
    explicit UserAccounts(objects::ObjectService& objects, ScryptCost cost = {});

    objects::ObjectResult create(model::Json body, const objects::WriteContext& ctx);
    objects::ObjectResult replace(const std::string& id, model::Json body,
                                  const objects::WriteContext& ctx);
    objects::ObjectResult patch(const std::string& id, model::Json patch,
                                const objects::WriteContext& ctx);

    // The stored user, PasswordHash included (for authentication; never for a reply).
    std::optional<model::User> find(const std::string& name) const;
    // Whether any user exists (first-start bootstrap).
    bool any() const;

  private:
    // Hashes `password` (if any) into a copy of `ctx` and runs `write` with it.
    objects::ObjectResult with_password(
        const std::optional<std::string>& password, const objects::WriteContext& ctx,
        const std::string& key,
        const std::function<objects::ObjectResult(const objects::WriteContext&)>& write);

    objects::ObjectService& objects_;
    ScryptCost cost_;
};

}  // namespace drover::security
