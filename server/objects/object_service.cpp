#include "server/objects/object_service.hpp"

#include <deque>

#include "common/api/json_patch.hpp"
#include "common/rules/param_precedence.hpp"
#include "common/rules/secure_params.hpp"
#include "server/objects/object_writer.hpp"
#include "server/objects/store_catalog.hpp"

namespace drover::objects {

using model::Json;

namespace {

model::Error store_failure(const std::string& prefix, const std::string& key,
                           const store::Status& st) {
    if (st.code == store::StoreCode::NoSpace)
        return storage_error(prefix, key, 507, "Insufficient storage: " + st.message);
    return storage_error(prefix, key, 503, "Storage unavailable: " + st.message);
}

// A resolved value as a read shows it: as stored, or with `open` (?decode=true) opened for the
// level it came from; one that does not open stays sealed (rules::open_params).
Json shown(const std::string& name, const rules::ResolvedParam& hit,
           const security::ParamSecrets* open) {
    if (!open) return hit.value;
    auto clear = rules::open_resolved(name, hit, *open);
    return clear ? std::move(*clear) : hit.value;
}

// spec 8: a machine's param value from every level, schema default included.
std::optional<Json> resolve_machine_param(const Json& machine_json, const StoreCatalog& catalog,
                                          const std::string& name,
                                          const security::ParamSecrets* open) {
    model::Machine m;
    model::decode(machine_json, m);
    auto r = rules::ParamResolver(m, catalog).resolve(name);
    return r ? std::optional<Json>(shown(name, *r, open)) : std::nullopt;
}

bool has_params(const std::string& prefix) {
    return prefix == "machines" || prefix == "profiles" || prefix == "stages";
}

}  // namespace

ObjectService::ObjectService(store::Store& store,
                             std::shared_ptr<const security::ParamSecrets> secrets)
    : store_(store), secrets_(std::move(secrets)) {
    for (const auto& prefix : object_prefixes())
        collections_[prefix] = make_collection(prefix, *secrets_);
}

std::vector<std::string> ObjectService::buckets() {
    std::vector<std::string> out = object_prefixes();
    out.push_back(kRefsBucket);
    out.push_back("machines.Name");
    out.push_back("machines.Address");
    return out;
}

bool ObjectService::has_collection(const std::string& prefix) const {
    return find(prefix) != nullptr;
}

std::optional<std::string> ObjectService::resolve_key(const store::ReadView& view,
                                                      const std::string& prefix,
                                                      const std::string& id) const {
    Collection* c = find(prefix);
    return c ? c->resolve_key(view, id) : std::nullopt;
}

Collection* ObjectService::find(const std::string& prefix) const {
    auto it = collections_.find(prefix);
    return it == collections_.end() ? nullptr : it->second.get();
}

ObjectResult ObjectService::transact(const std::string& prefix,
                                     const std::function<ObjectResult(ObjectTxn&)>& fn) {
    std::optional<ObjectResult> result;
    store::Status st = store_.write([&](store::WriteTxn& txn) {
        ObjectTxn objects(*this, txn);
        result.emplace(fn(objects));
        return result->has_value();
    });
    if (st.code == store::StoreCode::Aborted && result) return *result;
    if (!st.ok()) return fail(store_failure(prefix, "", st));
    return *result;
}

ObjectResult ObjectService::in_txn(store::WriteTxn& txn, const std::string& prefix,
                                   const std::string& key,
                                   const std::function<ObjectResult(Collection&)>& op) {
    Collection* c = find(prefix);
    if (!c) return fail(not_found(prefix, key));
    ObjectResult result = op(*c);
    if (!result) return result;
    const Json& obj = result.value();
    std::string written =
        obj.contains(c->key_field()) ? obj[c->key_field()].get<std::string>() : key;
    revalidate_dependents(txn, prefix, written);
    // Issue 7: a Param written Secure takes the clear values stored before out of reach.
    if (prefix == model::Param::kPrefix && obj.value("Secure", false))
        for (auto& [holder_prefix, holder] : collections_)
            if (auto err = holder->seal_param(txn, written))
                return fail(storage_error(prefix, written, 500, *err));
    return result;
}

// spec 1.0: objects are re-validated when anything they reference changes. An object whose
// availability changed is itself a change for its referrers, so this runs to a fixed point (an
// object may be re-checked after a second of its references changed); the budget only guards
// against a pathological reference graph.
void ObjectService::revalidate_dependents(store::WriteTxn& txn, const std::string& prefix,
                                          const std::string& key) {
    std::deque<ObjectRef> queue{{prefix, key}};
    WriteContext system;
    for (int budget = 100000; !queue.empty() && budget > 0; --budget) {
        ObjectRef changed = queue.front();
        queue.pop_front();
        for (const auto& r : referrers_of(txn, changed)) {
            Collection* c = find(r.prefix);
            if (c && c->revalidate(txn, r.key, system)) queue.push_back(r);
        }
    }
}

ObjectResult ObjectTxn::get(const std::string& prefix, const std::string& id) const {
    Collection* c = service_.find(prefix);
    auto key = c ? c->resolve_key(txn_, id) : std::nullopt;
    auto obj = key ? c->get(txn_, *key) : std::nullopt;
    if (!obj) return fail(not_found(prefix, id));
    return *obj;
}

ObjectResult ObjectTxn::create(const std::string& prefix, const Json& body,
                               const WriteContext& ctx) {
    return service_.in_txn(txn_, prefix, "",
                           [&](Collection& c) { return c.create(txn_, body, ctx); });
}

ObjectResult ObjectTxn::replace(const std::string& prefix, const std::string& id, const Json& body,
                                const WriteContext& ctx) {
    return service_.in_txn(txn_, prefix, id, [&](Collection& c) -> ObjectResult {
        auto key = c.resolve_key(txn_, id);
        if (!key) return fail(not_found(prefix, id, "PUT"));
        return c.replace(txn_, *key, body, ctx);
    });
}

ObjectResult ObjectTxn::patch(const std::string& prefix, const std::string& id,
                              const Json& patch_doc, const WriteContext& ctx) {
    auto parsed = api::parse_patch(patch_doc);
    if (!parsed) {
        model::Error e = parsed.error().http_status == 422
                             ? invalid(prefix, id, {parsed.error().message})
                             : bad_request(prefix, id, {parsed.error().message});
        return fail(e);
    }
    return service_.in_txn(txn_, prefix, id, [&](Collection& c) -> ObjectResult {
        auto key = c.resolve_key(txn_, id);
        std::optional<Json> current = key ? c.get(txn_, *key) : std::nullopt;
        if (!current) return fail(not_found(prefix, id, "PATCH"));
        auto next = api::patched(parsed.value(), *current);
        if (!next)
            return fail(patch_failed(prefix, *key,
                                     api::drp_patch_error_messages(parsed.value(), next.error())));
        return c.replace(txn_, *key, next.value(), ctx);
    });
}

ObjectResult ObjectTxn::remove(const std::string& prefix, const std::string& id,
                               const WriteContext& ctx) {
    return service_.in_txn(txn_, prefix, id, [&](Collection& c) -> ObjectResult {
        auto key = c.resolve_key(txn_, id);
        if (!key) return fail(not_found(prefix, id, "DELETE"));
        return c.remove(txn_, *key, ctx);
    });
}

ObjectResult ObjectService::create(const std::string& prefix, const Json& body,
                                   const WriteContext& ctx) {
    return transact(prefix, [&](ObjectTxn& t) { return t.create(prefix, body, ctx); });
}

ObjectResult ObjectService::get(const std::string& prefix, const std::string& id,
                                bool decode) const {
    Collection* c = find(prefix);
    if (!c) return fail(not_found(prefix, id));
    std::optional<Json> out;
    store_.read([&](const store::ReadView& view) {
        if (auto key = c->resolve_key(view, id)) out = c->get(view, *key);
    });
    if (!out) return fail(not_found(prefix, id));
    if (decode) open_object(prefix, *out);
    return *out;
}

void ObjectService::open_object(const std::string& prefix, Json& obj) const {
    if (!has_params(prefix) || !obj.is_object()) return;
    auto params = obj.find("Params");
    auto key = obj.find(find(prefix)->key_field());
    if (params == obj.end() || key == obj.end() || !key->is_string()) return;
    rules::open_params(*params, prefix, key->get<std::string>(), *secrets_);
}

ObjectResult ObjectService::replace(const std::string& prefix, const std::string& id,
                                    const Json& body, const WriteContext& ctx) {
    return transact(prefix, [&](ObjectTxn& t) { return t.replace(prefix, id, body, ctx); });
}

ObjectResult ObjectService::patch(const std::string& prefix, const std::string& id,
                                  const Json& patch_doc, const WriteContext& ctx) {
    return transact(prefix, [&](ObjectTxn& t) { return t.patch(prefix, id, patch_doc, ctx); });
}

ObjectResult ObjectService::remove(const std::string& prefix, const std::string& id,
                                   const WriteContext& ctx) {
    return transact(prefix, [&](ObjectTxn& t) { return t.remove(prefix, id, ctx); });
}

api::Expected<bool, model::Error> ObjectService::list_with_params(
    const std::string& prefix, const std::function<void(std::vector<Json>, const ParamValue&)>& use,
    bool decode) const {
    Collection* c = find(prefix);
    if (!c) return api::unexpected(not_found(prefix, ""));
    const security::ParamSecrets* open = decode ? secrets_.get() : nullptr;
    store_.read([&](const store::ReadView& view) {
        std::vector<Json> items;
        c->list(view, [&](Json j) {
            if (decode) open_object(prefix, j);
            items.push_back(std::move(j));
        });
        StoreCatalog catalog(view);  // profiles, stages and params decoded once for all machines
        ParamValue param = [&](const Json& obj, const std::string& name) -> std::optional<Json> {
            if (prefix == "machines") return resolve_machine_param(obj, catalog, name, open);
            auto params = obj.find("Params");
            if (params == obj.end() || !params->is_object() || !params->contains(name))
                return std::nullopt;
            return (*params)[name];
        };
        use(std::move(items), param);
    });
    return true;
}

api::Expected<bool, model::Error> ObjectService::list_fields(
    const std::string& prefix, const api::FieldSet& fields,
    const std::function<void(std::vector<Json>, const LoadObject&)>& use) const {
    Collection* c = find(prefix);
    if (!c) return api::unexpected(not_found(prefix, ""));
    store_.read([&](const store::ReadView& view) {
        std::vector<std::string> keys;
        std::vector<Json> items;
        c->list_fields(view, fields, [&](std::string_view key, Json j) {
            keys.emplace_back(key);
            items.push_back(std::move(j));
        });
        // Within this snapshot every listed key is present.
        LoadObject load = [&](std::size_t i) { return c->get(view, keys.at(i)).value_or(Json()); };
        use(std::move(items), load);
    });
    return true;
}

ObjectResult ObjectService::get_params(const std::string& prefix, const std::string& id,
                                       ParamScope scope, bool decode) const {
    if (!has_params(prefix)) return fail(not_found(prefix, id));
    const security::ParamSecrets* open = decode ? secrets_.get() : nullptr;
    std::optional<Json> out;
    store_.read([&](const store::ReadView& view) {
        Collection* c = find(prefix);
        auto key = c->resolve_key(view, id);
        auto obj = key ? c->get(view, *key) : std::nullopt;
        if (!obj) return;
        if (scope == ParamScope::Aggregate && prefix == "machines") {
            model::Machine m;
            model::decode(*obj, m);
            StoreCatalog catalog(view);
            Json agg = Json::object();
            for (auto& [name, resolved] : rules::ParamResolver(m, catalog).aggregate())
                agg[name] = shown(name, resolved, open);
            out = std::move(agg);
        } else {
            out = obj->value("Params", Json::object());
            if (open) rules::open_params(*out, prefix, *key, *open);
        }
    });
    if (!out) return fail(not_found(prefix, id));
    return *out;
}

ObjectResult ObjectService::get_param(const std::string& prefix, const std::string& id,
                                      const std::string& name, ParamScope scope,
                                      bool decode) const {
    if (!has_params(prefix)) return fail(not_found(prefix, id));
    const security::ParamSecrets* open = decode ? secrets_.get() : nullptr;
    std::optional<Json> out;
    store_.read([&](const store::ReadView& view) {
        Collection* c = find(prefix);
        auto key = c->resolve_key(view, id);
        auto obj = key ? c->get(view, *key) : std::nullopt;
        if (!obj) return;
        StoreCatalog catalog(view);
        if (scope == ParamScope::Aggregate && prefix == "machines") {
            out = resolve_machine_param(*obj, catalog, name, open).value_or(Json());
            return;
        }
        Json params = obj->value("Params", Json::object());
        if (open) rules::open_params(params, prefix, *key, *open);
        if (auto it = params.find(name); it != params.end())
            out = *it;
        else if (scope == ParamScope::Aggregate) {
            const model::Param* def = catalog.param(name);
            auto d = def ? model::default_value(*def) : std::nullopt;
            out = d ? *d : Json();
        } else {
            out = Json();
        }
    });
    if (!out) return fail(not_found(prefix, id));
    return *out;
}

ObjectResult ObjectService::change_params(
    const std::string& prefix, const std::string& id, const WriteContext& ctx,
    const std::function<std::optional<model::Error>(Json&)>& change,
    const std::function<Json(const Json&)>& answer) {
    if (!has_params(prefix)) return fail(not_found(prefix, id));
    auto result = transact(prefix, [&](ObjectTxn& t) -> ObjectResult {
        auto obj = t.get(prefix, id);
        if (!obj) return obj;
        Json& params = obj.value()["Params"];
        if (!params.is_object()) params = Json::object();
        if (auto refused = change(params)) return fail(*refused);
        return t.replace(prefix, obj.value()[find(prefix)->key_field()].get<std::string>(),
                         obj.value(), ctx);
    });
    if (!result) return result;
    return answer(result.value().value("Params", Json::object()));
}

ObjectResult ObjectService::set_params(const std::string& prefix, const std::string& id,
                                       const Json& params, const WriteContext& ctx) {
    if (!params.is_object()) return fail(bad_request(prefix, id, {"params must be a JSON object"}));
    return change_params(
        prefix, id, ctx,
        [&](Json& p) -> std::optional<model::Error> {
            p = params;
            return std::nullopt;
        },
        [](const Json& stored) { return stored; });
}

ObjectResult ObjectService::patch_params(const std::string& prefix, const std::string& id,
                                         const Json& patch_doc, const WriteContext& ctx) {
    auto parsed = api::parse_patch(patch_doc);
    if (!parsed) return fail(bad_request(prefix, id, {parsed.error().message}));
    return change_params(
        prefix, id, ctx,
        [&](Json& p) -> std::optional<model::Error> {
            auto next = api::patched(parsed.value(), p);
            if (!next)
                return patch_failed(prefix, id,
                                    api::drp_patch_error_messages(parsed.value(), next.error()));
            p = next.value();
            return std::nullopt;
        },
        [](const Json& stored) { return stored; });
}

ObjectResult ObjectService::set_param(const std::string& prefix, const std::string& id,
                                      const std::string& name, const Json& value,
                                      const WriteContext& ctx) {
    return change_params(
        prefix, id, ctx,
        [&](Json& p) -> std::optional<model::Error> {
            p[name] = value;
            return std::nullopt;
        },
        [&](const Json& stored) { return stored.value(name, Json()); });
}

ObjectResult ObjectService::remove_param(const std::string& prefix, const std::string& id,
                                         const std::string& name, const WriteContext& ctx) {
    Json old;
    return change_params(
        prefix, id, ctx,
        [&](Json& p) -> std::optional<model::Error> {
            auto it = p.find(name);
            if (it == p.end()) return not_found(prefix, id + "/params/" + name, "DELETE");
            old = *it;
            p.erase(it);
            return std::nullopt;
        },
        [&](const Json&) { return old; });
}

}  // namespace drover::objects
