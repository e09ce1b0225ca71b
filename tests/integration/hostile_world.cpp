#include "hostile_world.hpp"

#include <stdexcept>

#include "server/api/route_templates.hpp"
#include "server/objects/collection.hpp"

namespace drover::testing {

namespace {

using nlohmann::json;

const std::string kApi = "/api/v3/";
const std::string kMachine = "7d1c3a52-0b8e-4f6a-9c2d-1e5f8a7b3c40";

void must(const Reply& r, int status, const std::string& what) {
    if (r.status != status)
        throw std::runtime_error(what + ": " + std::to_string(r.status) + " " + r.body.dump());
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

std::vector<std::string> route_templates() {
    api_routes::RouteTemplates templates(objects::object_prefixes());
    std::vector<std::string> out;
    for (const std::string& t : templates.names())
        if (t != "other") out.push_back(t);
    return out;
}

}  // namespace

std::string prefix_of(const std::string& path) {
    if (path.rfind(kApi, 0) != 0) return "";
    std::string rest = path.substr(kApi.size());
    return rest.substr(0, rest.find('/'));
}

HostileWorld::HostileWorld()
    : droverd_({"--max-body-bytes", std::to_string(kMaxBodyBytes), "--request-timeout-seconds",
                std::to_string(kRequestTimeoutSeconds)}) {
    create_objects();
}

void HostileWorld::create_objects() {
    auto c = droverd_.client();
    auto create = [&](const std::string& prefix, const json& body, const std::string& key) {
        must(post(*c, kApi + prefix, body), 201, "create " + prefix);
        keys_[prefix] = key;
    };
    // An object schema, so that no string, number, null or array body is a valid value of it.
    create("params",
           {{"Name", "hostile/param"}, {"Schema", {{"type", "object"}, {"required", {"v"}}}}},
           "hostile/param");
    create("templates", {{"ID", "hostile.tmpl"}, {"Contents", "echo {{ .Machine.Name }}\n"}},
           "hostile.tmpl");
    create("tasks",
           {{"Name", "hostile-task"},
            {"Templates", {{{"Name", "run"}, {"Contents", "echo hostile\n"}}}}},
           "hostile-task");
    create("stages", {{"Name", "hostile-stage"}, {"Tasks", {"hostile-task"}}}, "hostile-stage");
    create("workflows", {{"Name", "hostile-flow"}, {"Stages", {"hostile-stage"}}}, "hostile-flow");
    create("bootenvs", {{"Name", "hostile-boot"}, {"Kernel", "vmlinuz"}}, "hostile-boot");
    create("profiles", {{"Name", "hostile-profile"}, {"Params", {{"hostile/param", {{"v", 1}}}}}},
           "hostile-profile");
    create("users", {{"Name", "hostile-user"}, {"Password", "hostile-password"}}, "hostile-user");
    create("machines",
           {{"Uuid", kMachine},
            {"Name", "hostile-machine"},
            {"BootEnv", "local"},
            {"Profiles", {"hostile-profile"}}},
           kMachine);
    must(patch(*c, kApi + "machines/" + kMachine,
               json::array({{{"op", "replace"}, {"path", "/Stage"}, {"value", "hostile-stage"}}})),
         200, "machine to its stage");
    auto job = post(*c, kApi + "jobs", {{"Machine", kMachine}});
    must(job, 201, "create job");
    keys_["jobs"] = job.body["Uuid"].get<std::string>();
}

std::vector<std::string> HostileWorld::routes() const {
    std::vector<std::string> out;
    for (const std::string& t : route_templates()) {
        auto key = keys_.find(prefix_of(t));
        std::string path = replace_all(t, "{id}", key == keys_.end() ? "hostile" : key->second);
        path = replace_all(path, "{name}", keys_.at("params"));
        path = replace_all(path, "{cmd}", "hostile");
        out.push_back(replace_all(path, "{key}", "hostile"));
    }
    return out;
}

std::vector<std::string> HostileWorld::routes_with_key(const std::string& hostile_key) const {
    std::vector<std::string> out;
    for (std::string path : route_templates()) {
        if (path.find('{') == std::string::npos) continue;
        for (const char* placeholder : {"{id}", "{name}", "{cmd}", "{key}"})
            path = replace_all(path, placeholder, hostile_key);
        out.push_back(path);
    }
    return out;
}

std::map<std::string, nlohmann::json> HostileWorld::snapshot() const {
    auto c = droverd_.client();
    std::map<std::string, json> out;
    for (const std::string& prefix : objects::object_prefixes()) {
        auto r = get(*c, kApi + prefix + "?decode=true");
        must(r, 200, "list " + prefix);
        out[prefix] = r.body;
    }
    return out;
}

}  // namespace drover::testing
