#include "server/api/list_query.hpp"

#include "common/api/filters.hpp"
#include "server/objects/object_service.hpp"

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
api::IndexReader reader_for(const std::string& prefix,
                            const objects::ObjectService::ParamValue& param_value) {
    bool params = keys_are_params(prefix);
    return [params, &param_value](const model::Json& obj,
                                  const std::string& index) -> std::optional<model::Json> {
        if (auto it = obj.find(index); it != obj.end()) return *it;
        if (!params) return std::nullopt;
        return param_value(obj, index);
    };
}

api::Expected<api::FilterSpec, model::Error> parse_query(
    const std::string& prefix, const std::multimap<std::string, std::string>& query,
    const api::IndexTable& indexes) {
    api::IndexSchema schema;
    schema.indexes = indexes;
    if (keys_are_params(prefix))
        schema.unknown = [](const std::string&) -> std::optional<IndexKind> {
            return IndexKind::String;
        };
    auto spec = api::parse_list_query(query, schema);
    if (spec) return std::move(spec.value());
    model::Error e;
    e.model = prefix;
    e.type = "BadRequest";
    e.messages = {spec.error().message};
    e.code = 400;
    return api::unexpected(std::move(e));
}

// The members the query reads, if all of them are indexes (every stored object has each of its
// type's index members: the codec writes zero values too, so a member never falls through to a
// param of the same name).
std::optional<api::FieldSet> member_fields(const api::FilterSpec& spec,
                                           const api::IndexTable& indexes) {
    api::FieldSet fields;
    for (auto& name : api::fields_of(spec)) {
        if (!indexes.count(name)) return std::nullopt;
        fields.insert(std::move(name));
    }
    return fields;
}

}  // namespace

api::Expected<ListPage, model::Error> list_objects(
    const objects::ObjectService& objects, const std::string& prefix,
    const std::multimap<std::string, std::string>& query, bool decode, ListItems read) {
    const api::IndexTable indexes = indexes_of(prefix);
    auto spec = parse_query(prefix, query, indexes);
    if (!spec) return api::unexpected(spec.error());
    ListPage page;
    auto fields = decode ? std::nullopt : member_fields(spec.value(), indexes);
    api::Expected<bool, model::Error> listed = true;
    if (fields) {
        listed = objects.list_fields(
            prefix, *fields,
            [&](std::vector<model::Json> items, const objects::ObjectService::LoadObject& load) {
                auto selected = api::select_page(spec.value(), items);
                page.total = selected.total;
                page.filtered = selected.filtered;
                page.count = selected.page.size();
                if (read == ListItems::Read)
                    for (auto i : selected.page)
                        page.items.push_back(load(i));
            });
    } else {
        listed = objects.list_with_params(
            prefix,
            [&](std::vector<model::Json> items, const objects::ObjectService::ParamValue& param) {
                auto r = api::apply_list_query(spec.value(), std::move(items),
                                               reader_for(prefix, param));
                page = ListPage{{}, r.items.size(), r.total, r.filtered};
                if (read == ListItems::Read) page.items = std::move(r.items);
            },
            decode);
    }
    if (!listed) return api::unexpected(listed.error());
    return page;
}

}  // namespace drover::api_routes
