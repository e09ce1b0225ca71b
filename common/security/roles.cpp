#include "common/security/roles.hpp"

namespace drover::security {

namespace {

std::string join(const std::vector<std::string_view>& parts) {
    std::string out;
    for (auto p : parts) {
        if (!out.empty()) out += ',';
        out += p;
    }
    return out;
}

Claim claim(std::string scope, std::string action, std::string specific) {
    Claim c;
    c.scope = std::move(scope);
    c.action = std::move(action);
    c.specific = std::move(specific);
    return c;
}

}  // namespace

std::optional<Role> parse_role(std::string_view name) {
    if (name == "admin") return Role::Admin;
    if (name == "operator") return Role::Operator;
    if (name == "readonly") return Role::ReadOnly;
    return std::nullopt;
}

std::string_view role_name(Role role) {
    switch (role) {
        case Role::Admin:
            return "admin";
        case Role::Operator:
            return "operator";
        case Role::ReadOnly:
            return "readonly";
    }
    return "";
}

const std::vector<std::string_view>& operator_scopes() {
    // Not here, so admin-only: users, security (settings such as token lifetimes), prefs.
    // contents: POST /contents writes a bundle of the content types listed here, nothing more.
    static const std::vector<std::string_view> scopes{
        "bootenvs", "contents", "contexts", "events",   "files",     "indexes",
        "info",     "isos",     "jobs",     "machines", "meta",      "objects",
        "params",   "profiles", "stages",   "tasks",    "templates", "workflows"};
    return scopes;
}

std::vector<Claim> role_claims(Role role) {
    switch (role) {
        case Role::Admin:
            return {claim("*", "*", "*")};
        case Role::Operator: {
            std::vector<std::string_view> actions;
            for (auto a : all_actions())
                if (a != action::kGetSecure) actions.push_back(a);
            return {claim(join(operator_scopes()), join(actions), "*")};
        }
        case Role::ReadOnly:
            return {claim(join(operator_scopes()), join({action::kGet, action::kList}), "*")};
    }
    return {};
}

std::vector<Claim> user_claims(const std::string& name, const std::vector<std::string>& roles) {
    std::vector<Claim> out;
    for (const auto& r : roles)
        if (auto role = parse_role(r)) {
            auto more = role_claims(*role);
            out.insert(out.end(), more.begin(), more.end());
        }
    out.push_back(claim("users", join({action::kGet, action::kToken}), name));
    return out;
}

std::vector<Claim> machine_claims(const std::string& uuid) {
    return {
        // update: the task helper's set_param/remove_param (POST/DELETE params/<name>) write the
        // machine's own params, as DRP's machine tokens allow.
        claim("machines", join({action::kGet, action::kPatch, action::kUpdate, action::kToken}),
              uuid),
        claim("jobs",
              join({action::kCreate, action::kGet, action::kUpdate, action::kPatch,
                    action::kActions, action::kLog, action::kGetSecure}),
              uuid),
        claim("bootenvs,params,profiles,stages,tasks,templates", std::string(action::kGet), "*"),
        claim("events", std::string(action::kList), "*"),
    };
}

}  // namespace drover::security
