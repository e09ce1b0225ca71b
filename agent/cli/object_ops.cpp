#include "agent/cli/object_ops.hpp"

#include <algorithm>

#include "agent/cli/input_doc.hpp"
#include "common/api/patch_gen.hpp"

namespace drover::cli {

const std::vector<ObjectType>& object_types() {
    static const std::vector<ObjectType> types{
        {"machines", "machine", "Uuid", {"Uuid", "Name", "Stage", "BootEnv", "Runnable"}, true},
        {"tasks", "task", "Name", {"Name", "Description"}},
        {"templates", "template", "ID", {"ID", "Description"}},
        {"stages", "stage", "Name", {"Name", "BootEnv", "Description"}, true},
        {"bootenvs", "bootenv", "Name", {"Name", "Description"}},
        {"workflows", "workflow", "Name", {"Name", "Description"}},
        {"profiles", "profile", "Name", {"Name", "Description"}, true},
        {"params", "param", "Name", {"Name", "Description"}},
        {"jobs", "job", "Uuid", {"Uuid", "Machine", "Task", "State"}},
    };
    return types;
}

const ObjectType& object_type(std::string_view prefix) {
    const auto& types = object_types();
    return *std::find_if(types.begin(), types.end(), [&](auto& t) { return t.prefix == prefix; });
}

std::string collection_path(const ObjectType& type) {
    return "/api/v3/" + type.prefix;
}

std::string object_path(const ObjectType& type, const std::string& id) {
    return collection_path(type) + "/" + client::url_escape(id);
}

nlohmann::json fetch(Session& s, const ObjectType& type, const std::string& id) {
    return s.call("GET", object_path(type, id));
}

std::string key_of(const ObjectType& type, const nlohmann::json& object) {
    auto it = object.find(type.key);
    if (it == object.end() || !it->is_string())
        throw Failure("the server's " + type.singular + " has no " + type.key);
    return it->get<std::string>();
}

nlohmann::json update_object(Session& s, const ObjectType& type, const std::string& id,
                             const std::function<void(nlohmann::json&)>& edit) {
    bool paranoid = !s.options.ref.empty();
    nlohmann::json base = paranoid ? read_object(s.options.ref, "--ref") : fetch(s, type, id);
    nlohmann::json changed = base;
    edit(changed);
    nlohmann::json patch = api::to_json(api::gen_patch(base, changed, paranoid));
    return s.call("PATCH", object_path(type, id), &patch);
}

}  // namespace drover::cli
