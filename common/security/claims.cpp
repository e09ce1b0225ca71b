#include "common/security/claims.hpp"

namespace drover::security {

namespace {

constexpr std::string_view kUserPrefix = "user:";
constexpr std::string_view kMachinePrefix = "machine:";

bool is_read(std::string_view method) {
    return method == "GET" || method == "HEAD";
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ')
        s.remove_suffix(1);
    return s;
}

// One claim field: "*" or a comma list. An empty value (a collection's specific) is matched
// only by "*".
bool field_matches(std::string_view field, std::string_view value) {
    while (true) {
        auto comma = field.find(',');
        std::string_view entry = trim(field.substr(0, comma));
        if (entry == "*" || (!entry.empty() && entry == value)) return true;
        if (comma == std::string_view::npos) return false;
        field.remove_prefix(comma + 1);
    }
}

// The action for the object itself or its collection.
std::string_view object_action(const Access& a) {
    if (a.key.empty()) {
        if (is_read(a.method)) return action::kList;
        if (a.method == "POST") return action::kCreate;
        if (a.method == "DELETE") return action::kDelete;  // DELETE /jobs: the purge
        return {};
    }
    if (is_read(a.method)) return action::kGet;
    if (a.method == "PUT") return action::kUpdate;
    if (a.method == "PATCH") return action::kPatch;
    if (a.method == "DELETE") return action::kDelete;
    return {};
}

// The action for a sub-resource of one object (spec 6.3-6.5).
std::string_view sub_action(const Access& a) {
    const std::string& s = a.sub;
    if (s == "params") {
        if (is_read(a.method)) return action::kGet;
        if (a.method == "PATCH") return action::kPatch;
        if (a.method == "POST" || a.method == "PUT" || a.method == "DELETE") return action::kUpdate;
        return {};
    }
    if (s == "log") {
        if (is_read(a.method)) return action::kGet;
        if (a.method == "PUT") return action::kLog;
        return {};
    }
    if (s == "actions") {
        if (is_read(a.method)) return action::kActions;
        if (a.method == "POST") return action::kAction;
        return {};
    }
    if (s == "render" && is_read(a.method)) return action::kActions;
    if (s == "token" && a.method == "GET") return action::kToken;
    if (s == "pubkey" && a.method == "GET") return action::kGet;
    return {};
}

std::string target_of(const Access& a) {
    if (a.prefix == "jobs") return a.job_machine.value_or("");
    return a.key;
}

std::string describe(const Access& a) {
    std::string out = a.method + " " + a.prefix;
    if (!a.key.empty()) out += "/" + a.key;
    if (!a.sub.empty()) out += "/" + a.sub;
    return out;
}

}  // namespace

const std::vector<std::string_view>& all_actions() {
    static const std::vector<std::string_view> actions{
        action::kList,  action::kGet,    action::kCreate,   action::kUpdate,
        action::kPatch, action::kDelete, action::kActions,  action::kAction,
        action::kLog,   action::kToken,  action::kGetSecure};
    return actions;
}

std::string Subject::id() const {
    return std::string(kind == SubjectKind::User ? kUserPrefix : kMachinePrefix) + name;
}

std::optional<Subject> parse_subject(std::string_view id) {
    for (auto [prefix, kind] : {std::pair{kUserPrefix, SubjectKind::User},
                                std::pair{kMachinePrefix, SubjectKind::Machine}}) {
        if (id.size() > prefix.size() && id.substr(0, prefix.size()) == prefix)
            return Subject{kind, std::string(id.substr(prefix.size()))};
    }
    return std::nullopt;
}

std::vector<std::string> required_actions(const Access& access) {
    if (access.prefix.empty() || (!access.sub.empty() && access.key.empty())) return {};
    std::string_view primary = access.sub.empty() ? object_action(access) : sub_action(access);
    if (primary.empty()) return {};
    std::vector<std::string> out{std::string(primary)};
    if (access.decode) out.emplace_back(action::kGetSecure);
    return out;
}

bool claim_matches(const Claim& claim, std::string_view scope, std::string_view action,
                   std::string_view specific) {
    return field_matches(claim.scope, scope) && field_matches(claim.action, action) &&
           field_matches(claim.specific, specific);
}

Decision authorize(const Principal& principal, const Access& access) {
    std::vector<std::string> actions = required_actions(access);
    if (actions.empty()) return {false, "no such request: " + describe(access)};
    std::string target = target_of(access);
    for (const auto& act : actions) {
        bool granted = false;
        for (const auto& claim : principal.claims)
            if (claim_matches(claim, access.prefix, act, target)) {
                granted = true;
                break;
            }
        if (!granted) {
            std::string what = access.prefix + (target.empty() ? "" : "/" + target);
            return {false, principal.subject.id() + " may not " + act + " " + what};
        }
    }
    return {true, principal.subject.id() + " may " + describe(access)};
}

Access event_access(std::string type, std::string key, std::optional<std::string> job_machine) {
    Access a;
    a.method = "GET";
    a.prefix = std::move(type);
    a.key = std::move(key);
    a.job_machine = std::move(job_machine);
    return a;
}

}  // namespace drover::security
