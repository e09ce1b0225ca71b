#include "server/security/admin_bootstrap.hpp"

#include "server/security/private_file.hpp"

namespace drover::security {

api::Expected<AdminBootstrap, std::string> bootstrap_admin(
    UserAccounts& users, const std::string& data_dir, const std::optional<std::string>& password) {
    AdminBootstrap out;
    if (users.any()) return out;
    std::string chosen;
    if (password) {
        chosen = *password;
    } else {
        chosen = random_password();
        out.password_file = data_dir + "/" + kInitialAdminPasswordFile;
        if (auto err = replace_private_file(out.password_file, chosen + "\n"))
            return api::unexpected(*err);
        out.generated_password = chosen;
    }
    objects::WriteContext ctx;
    ctx.principal = "system";
    model::Json admin = {{"Name", "admin"},
                         {"Description", "Created on first start"},
                         {"Roles", {"admin"}},
                         {"Password", chosen}};
    auto created = users.create(std::move(admin), ctx);
    if (!created) return api::unexpected("cannot create user admin: " + describe(created.error()));
    out.created = true;
    return out;
}

}  // namespace drover::security
