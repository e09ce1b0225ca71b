#include "server/security/user_accounts.hpp"

namespace drover::security {

namespace {

using model::Json;
using objects::fail;
using objects::ObjectResult;
using PasswordResult = api::Expected<std::optional<std::string>, model::Error>;

constexpr const char* kPrefix = model::User::kPrefix;
constexpr const char* kPasswordPointer = "/Password";

// `obj[key]` when obj is an object and that member a string, else "" (never throws).
std::string string_member(const Json& obj, const char* key) {
    if (!obj.is_object()) return "";
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

PasswordResult password_value(const Json& value, const std::string& key) {
    if (!value.is_string() || value.get_ref<const std::string&>().empty() ||
        value.get_ref<const std::string&>().size() > kMaxPasswordBytes)
        return api::unexpected(objects::invalid(kPrefix, key,
                                                {key + ": Password must be a string of 1 to " +
                                                 std::to_string(kMaxPasswordBytes) + " bytes"}));
    return std::optional<std::string>(value.get<std::string>());
}

// Takes `Password` out of a create or replace body.
PasswordResult take_password(Json& body, const std::string& key) {
    if (!body.is_object() || !body.contains("Password")) return std::optional<std::string>();
    auto password = password_value(body["Password"], key);
    body.erase("Password");
    return password;
}

bool touches_password(const Json& op, const char* field) {
    std::string p = string_member(op, field);
    return p == kPasswordPointer || p.rfind(std::string(kPasswordPointer) + "/", 0) == 0;
}

// Takes the one add or replace of /Password out of a JSON Patch; other ops naming it are refused.
PasswordResult take_password_op(Json& patch, const std::string& key) {
    if (!patch.is_array()) return std::optional<std::string>();  // the patch parser reports it
    std::optional<std::string> password;
    Json kept = Json::array();
    for (auto& op : patch) {
        if (!touches_password(op, "path") && !touches_password(op, "from")) {
            kept.push_back(std::move(op));
            continue;
        }
        std::string name = string_member(op, "op");
        bool settable = (name == "add" || name == "replace") &&
                        string_member(op, "path") == kPasswordPointer && op.contains("value");
        if (!settable || password)
            return api::unexpected(objects::bad_request(
                kPrefix, key, {"Password can only be set, once per patch, with add or replace"}));
        auto value = password_value(op["value"], key);
        if (!value) return value;
        password = std::move(*value);
    }
    patch = std::move(kept);
    return password;
}

}  // namespace

UserAccounts::UserAccounts(objects::ObjectService& objects, ScryptCost cost)
    : objects_(objects), cost_(cost) {}

ObjectResult UserAccounts::with_password(
    const std::optional<std::string>& password, const objects::WriteContext& ctx,
    const std::string& key,
    const std::function<ObjectResult(const objects::WriteContext&)>& write) {
    if (!password) return write(ctx);
    auto hash = hash_password(*password, cost_);
    if (!hash) return fail(objects::invalid(kPrefix, key, {key + ": " + hash.error()}));
    objects::WriteContext with_hash = ctx;
    with_hash.password_hash = std::move(*hash);
    return write(with_hash);
}

ObjectResult UserAccounts::create(Json body, const objects::WriteContext& ctx) {
    std::string key = string_member(body, "Name");
    auto password = take_password(body, key);
    if (!password) return fail(password.error());
    return with_password(*password, ctx, key, [&](const objects::WriteContext& c) {
        return objects_.create(kPrefix, body, c);
    });
}

ObjectResult UserAccounts::replace(const std::string& id, Json body,
                                   const objects::WriteContext& ctx) {
    auto password = take_password(body, id);
    if (!password) return fail(password.error());
    return with_password(*password, ctx, id, [&](const objects::WriteContext& c) {
        return objects_.replace(kPrefix, id, body, c);
    });
}

ObjectResult UserAccounts::patch(const std::string& id, Json patch,
                                 const objects::WriteContext& ctx) {
    auto password = take_password_op(patch, id);
    if (!password) return fail(password.error());
    return with_password(*password, ctx, id, [&](const objects::WriteContext& c) {
        return objects_.patch(kPrefix, id, patch, c);
    });
}

std::optional<model::User> UserAccounts::find(const std::string& name) const {
    std::optional<std::string> raw;
    objects_.store().read([&](const store::ReadView& view) { raw = view.get(kPrefix, name); });
    if (!raw) return std::nullopt;
    model::User u;
    model::decode(Json::parse(*raw), u);
    return u;
}

bool UserAccounts::any() const {
    bool found = false;
    objects_.store().read([&](const store::ReadView& view) {
        view.scan(kPrefix, "", [&](std::string_view, std::string_view) {
            found = true;
            return false;
        });
    });
    return found;
}

}  // namespace drover::security
