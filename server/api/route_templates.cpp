#include "server/api/route_templates.hpp"

namespace drover::api_routes {
namespace {

constexpr std::string_view kApi = "/api/v3";
// Sub-resources of one object (spec 6.3-6.5) whose names appear literally in templates.
constexpr std::string_view kSubs[] = {"params", "log", "actions", "render", "token", "pubkey"};
const std::string kOther = "other";

std::string_view before_slash(std::string_view s) {
    return s.substr(0, s.find('/'));
}

// What follows "<sub>/" in a template: the part of the path that names a param or a command.
std::string_view sub_key(std::string_view sub) {
    if (sub == "params") return "{name}";
    if (sub == "actions") return "{cmd}";
    return "{key}";
}

// The path with its IDs replaced by placeholders; not necessarily a known template.
std::string shape_of(std::string_view path) {
    if (path.starts_with("/ui/")) return "/ui/{file}";
    if (path.substr(0, kApi.size()) != kApi) return std::string(path);
    std::string_view rest = path.substr(kApi.size());
    if (rest.empty() || rest == "/") return std::string(kApi);
    if (rest.front() != '/') return kOther;
    rest.remove_prefix(1);
    std::string_view prefix = before_slash(rest);
    std::string shape = std::string(kApi) + "/" + std::string(prefix);
    std::string_view tail = rest.size() > prefix.size() ? rest.substr(prefix.size() + 1) : "";
    if (tail.empty()) return shape;
    shape += "/{id}";
    std::string_view id = before_slash(tail);
    if (prefix == "params" || id.size() + 1 >= tail.size()) return shape;
    std::string_view after = tail.substr(id.size() + 1);
    std::string_view sub = before_slash(after);
    shape += "/" + std::string(sub);
    if (sub.size() + 1 < after.size()) shape += "/" + std::string(sub_key(sub));
    return shape;
}

}  // namespace

RouteTemplates::RouteTemplates(const std::vector<std::string>& object_prefixes) {
    for (std::string_view fixed :
         {"/healthz", "/metrics", "/ui", "/ui/{file}", "/api/v3", "/api/v3/info", "/api/v3/events",
          "/api/v3/contents", "/api/v3/contents/{id}"})
        add(std::string(fixed));
    for (const std::string& prefix : object_prefixes) {
        const std::string base = std::string(kApi) + "/" + prefix;
        add(base);
        add(base + "/{id}");
        if (prefix == "params") continue;  // a Param's name holds '/': the rest is its key
        for (std::string_view sub : kSubs) {
            add(base + "/{id}/" + std::string(sub));
            if (sub == "params" || sub == "actions")
                add(base + "/{id}/" + std::string(sub) + "/" + std::string(sub_key(sub)));
        }
    }
    add(kOther);
}

void RouteTemplates::add(std::string name) {
    if (index_.emplace(name, names_.size()).second) names_.push_back(std::move(name));
}

std::size_t RouteTemplates::index_of(std::string_view path) const {
    auto found = index_.find(shape_of(path));
    return found == index_.end() ? names_.size() - 1 : found->second;
}

}  // namespace drover::api_routes
