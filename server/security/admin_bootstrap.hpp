// First start (issue 7): a server with no user at all gets user `admin` (role admin), with the
// operator's password (--admin-password / $DROVER_ADMIN_PASSWORD) or a random one that is written
// to <data-dir>/initial-admin-password (mode 0600) and returned for printing once.
// Invariants: runs only while no user exists, so deleting or renaming `admin` later is respected;
// the random password is on disk before the user that needs it is created, so a crash between
// the two never leaves an admin nobody can log in as (the next start simply makes a new one).
#pragma once
#include <optional>
#include <string>

#include "common/api/expected.hpp"
#include "server/security/user_accounts.hpp"

namespace drover::security {

inline constexpr const char* kInitialAdminPasswordFile = "initial-admin-password";

struct AdminBootstrap {
    bool created = false;                           // false: users existed, nothing was done
    std::optional<std::string> generated_password;  // created with a random password: print it
    std::string password_file;                      // where the random password was written
};

api::Expected<AdminBootstrap, std::string> bootstrap_admin(
    UserAccounts& users, const std::string& data_dir, const std::optional<std::string>& password);

}  // namespace drover::security
