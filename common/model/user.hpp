// A User (issue 7; DRP's users, prefix `users`, key Name): who may log in, with which roles.
// PasswordHash is hidden like Machine.Secret: the API always shows it as "", requests cannot set
// it (the server hashes a `Password` given with a write, see server/security/user_accounts), and
// events never carry it.
#pragma once
#include "common/model/envelope.hpp"

namespace drover::model {

struct User : Envelope {
    static constexpr const char* kTypeName = "User";
    static constexpr const char* kPrefix = "users";
    static constexpr const char* kKeyName = "Name";
    std::string name;
    std::string description;
    std::vector<std::string> roles;  // admin, operator, readonly (common/security/roles)
    std::string password_hash;       // "scrypt$N$r$p$salt$hash", or "" (no password login)

    const std::string& key() const { return name; }

    template <class V, class Self>
    static void fields(V& v, Self& s) {
        envelope_fields(v, s);
        v("Name", s.name);
        v("Description", s.description);
        v("Roles", s.roles);
        v("PasswordHash", s.password_hash);
    }
};

// spec 1.0 ValidUserName; every role known, none twice. Prefixed "<Name>: ".
Errors validate(const User& u);

}  // namespace drover::model
