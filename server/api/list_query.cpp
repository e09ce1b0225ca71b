#include "server/api/list_query.hpp"

#include "common/api/filters.hpp"

namespace drover::api_routes {

namespace {

using api::IndexKind;

// spec 6.2: the indexes of each type (plus the base Available, Validated, ReadOnly).
api::IndexTable indexes_of(const std::string& prefix) {
    api::IndexTable t{{"Available", IndexKind::Bool},
                      {"Validated", IndexKind::Bool},
                      {"ReadOnly", IndexKind::Bool}};
    auto add = [&](std::initializer_list<std::pair<const char*, IndexKind>> more) {
        for (const auto& [name, kind] : more)
            t.emplace(name, kind);
    };
    if (prefix == "machines") {
        add({{"Uuid", IndexKind::Uuid},
             {"Name", IndexKind::String},
             {"Address", IndexKind::String},
             {"BootEnv", IndexKind::String},
             {"Stage", IndexKind::String},
             {"Workflow", IndexKind::String},
             {"Runnable", IndexKind::Bool},
             {"Context", IndexKind::String},
             {"CurrentTask", IndexKind::Int},
             {"CurrentJob", IndexKind::Uuid},
             {"Arch", IndexKind::String},
             {"OS", IndexKind::String},
             {"Pool", IndexKind::String},
             {"PoolStatus", IndexKind::String},
             {"Locked", IndexKind::Bool},
             {"WorkflowComplete", IndexKind::Bool},
             {"Description", IndexKind::String}});
    } else if (prefix == "jobs") {
        add({{"Uuid", IndexKind::Uuid},
             {"Previous", IndexKind::Uuid},
             {"Machine", IndexKind::Uuid},
             {"Stage", IndexKind::String},
             {"Workflow", IndexKind::String},
             {"BootEnv", IndexKind::String},
             {"Task", IndexKind::String},
             {"State", IndexKind::String},
             {"ExitState", IndexKind::String},
             {"Archived", IndexKind::Bool},
             {"Current", IndexKind::Bool},
             {"StartTime", IndexKind::Time},
             {"EndTime", IndexKind::Time},
             {"CurrentIndex", IndexKind::Int},
             {"Context", IndexKind::String}});
    } else if (prefix == "templates") {
        add({{"ID", IndexKind::String}});
    } else {
        add({{"Name", IndexKind::String}, {"Description", IndexKind::String}});
        if (prefix == "stages") add({{"BootEnv", IndexKind::String}, {"Reboot", IndexKind::Bool}});
        if (prefix == "bootenvs") add({{"OnlyUnknown", IndexKind::Bool}});
        if (prefix == "params") add({{"Secure", IndexKind::Bool}});
    }
    return t;
}

bool keys_are_params(const std::string& prefix) {
    return prefix == "machines" || prefix == "profiles";
}

// Members first; for machines and profiles an unknown key names a param (spec 6.2).
api::IndexReader reader_for(const std::string& prefix, const ParamLookup& param_value) {
    bool params = keys_are_params(prefix);
    return [params, &param_value](const model::Json& obj,
                                  const std::string& index) -> std::optional<model::Json> {
        if (auto it = obj.find(index); it != obj.end()) return *it;
        if (!params) return std::nullopt;
        return param_value(obj, index);
    };
}

}  // namespace

api::Expected<ListPage, model::Error> apply_list_query(
    const std::string& prefix, std::vector<model::Json> items,
    const std::multimap<std::string, std::string>& query, const ParamLookup& param_value) {
    api::IndexSchema schema;
    schema.indexes = indexes_of(prefix);
    if (keys_are_params(prefix))
        schema.unknown = [](const std::string&) -> std::optional<IndexKind> {
            return IndexKind::String;
        };
    auto spec = api::parse_list_query(query, schema);
    if (!spec) {
        model::Error e;
        e.model = prefix;
        e.type = "BadRequest";
        e.messages = {spec.error().message};
        e.code = 400;
        return api::unexpected(std::move(e));
    }
    api::ListResult r =
        api::apply_list_query(spec.value(), std::move(items), reader_for(prefix, param_value));
    return ListPage{std::move(r.items), r.total, r.filtered};
}

}  // namespace drover::api_routes
