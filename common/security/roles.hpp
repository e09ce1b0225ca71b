// The claim sets drover issues (issue 7): a user's come from its roles, a machine's are exactly
// the machine's own operations of spec 7.2. Tokens carry these claims; authorize() only ever
// matches claims, so every permission in drover is spelled out here.
//
// Roles: `admin` everything; `operator` everything but the admin-only scopes (`users`, and
// `security` and `prefs` for settings such as token lifetimes) and decrypted secure values;
// `readonly` get and list on the operator's scopes, no secure values. Scopes are listed, never "all
// but": a new object type is admin-only until it is added here. Every user may also get its own
// user object and a token for itself. Unknown role names grant nothing (validation refuses them on
// users).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/security/claims.hpp"

namespace drover::security {

enum class Role { Admin, Operator, ReadOnly };

std::optional<Role> parse_role(std::string_view name);
std::string_view role_name(Role role);

// The scopes operators and readonly users see: every object type but the admin-only ones.
const std::vector<std::string_view>& operator_scopes();

std::vector<Claim> role_claims(Role role);

// The claims of user `name` with `roles` (role names as stored on the User).
std::vector<Claim> user_claims(const std::string& name, const std::vector<std::string>& roles);

// The claims of machine `uuid` (spec 7.2 .GenerateToken, narrowed by issue 7): get, patch, update and
// mint a token for itself (its params included, never decrypted); create, get, update and patch
// its own jobs, render their actions (with its secure values) and append to their logs; get the
// bootenvs, params, profiles, stages, tasks and templates it runs; open an event stream, which
// shows it the events of what it may get (event_access): of machines and jobs, only its own.
// Nothing else.
std::vector<Claim> machine_claims(const std::string& uuid);

}  // namespace drover::security
