// The Collection for one model type T. The type's own rules come in as overloads (validate,
// extra_validation, reference_errors, references_of, on_save) and as the Admission hooks that
// machines replace with the spec 3.3-3.5 rules; the Params of machines, profiles and stages go
// through admit_params (schemas, secure values sealed). Included only by collections.cpp.
#pragma once
#include "common/model/checks.hpp"
#include "server/objects/collection.hpp"
#include "server/objects/object_writer.hpp"
#include "server/objects/param_values.hpp"
#include "server/objects/store_catalog.hpp"
#include "server/objects/type_rules.hpp"

namespace drover::objects {

// Key generation, hidden fields and unique indexes: the defaults suit name-keyed content. A type
// specialises TypeTraits, inheriting DefaultTraits, and overrides only what differs.
struct DefaultTraits {
    template <class T>
    static void assign_key(T&) {}
    template <class T>
    static void keep_hidden(const T&, T&) {}
    static void hide(model::Json&) {}
    static std::optional<std::string> lookup_index(const store::ReadView&, const std::string&,
                                                   const std::string&) {
        return std::nullopt;
    }
    template <class T>
    static std::optional<std::string> unique_conflict(const store::ReadView&, const T*, const T&) {
        return std::nullopt;
    }
    template <class T>
    static void update_indexes(store::WriteTxn&, const T*, const T*) {}
    // Objects that may change but never go away (the global profile).
    static bool undeletable(const std::string&) { return false; }
    // Why this object may not be deleted now (a job still in progress), if it may not.
    template <class T>
    static std::optional<std::string> removal_refused(const store::ReadView&, const T&) {
        return std::nullopt;
    }
};

template <class T>
struct TypeTraits : DefaultTraits {};

// Decides whether `obj` may be stored (errors reject it with 422) and sets its validation
// envelope. The default is spec 1.0: syntax errors reject, broken references only make the
// object not Available.
template <class T>
model::Errors admit(const T* /*old*/, T& obj, const StoreCatalog& catalog, const WriteContext&) {
    on_save(obj);
    model::Errors errs = model::validate(obj);
    model::append(errs, extra_validation(obj));
    if (!errs.empty()) return errs;
    obj.validated = true;
    obj.errors = reference_errors(obj, catalog);
    obj.available = obj.errors.empty();
    return {};
}

template <class T>
model::Errors recheck_references(T& obj, const StoreCatalog& catalog) {
    return reference_errors(obj, catalog);
}

template <class T>
class TypedCollection final : public Collection {
  public:
    explicit TypedCollection(const security::ParamSecrets& secrets) : secrets_(secrets) {}

    const char* prefix() const override { return T::kPrefix; }
    const char* type_name() const override { return T::kTypeName; }
    const char* key_field() const override { return T::kKeyName; }

    std::optional<std::string> resolve_key(const store::ReadView& view,
                                           const std::string& id) const override {
        auto colon = id.find(':');
        if (colon != std::string::npos) {
            std::string index = id.substr(0, colon), value = id.substr(colon + 1);
            if (index == T::kKeyName) return value;
            return TypeTraits<T>::lookup_index(view, index, value);
        }
        return id;
    }

    std::optional<model::Json> get(const store::ReadView& view,
                                   const std::string& key) const override {
        auto raw = view.get(T::kPrefix, key);
        if (!raw) return std::nullopt;
        model::Json doc = model::Json::parse(*raw);
        TypeTraits<T>::hide(doc);
        return doc;
    }

    void list(const store::ReadView& view,
              const std::function<void(model::Json)>& visit) const override {
        view.scan(T::kPrefix, "", [&](std::string_view, std::string_view value) {
            model::Json doc = model::Json::parse(value);
            TypeTraits<T>::hide(doc);
            visit(std::move(doc));
            return true;
        });
    }

    void list_fields(
        const store::ReadView& view, const api::FieldSet& fields,
        const std::function<void(std::string_view, model::Json)>& visit) const override {
        view.scan(T::kPrefix, "", [&](std::string_view key, std::string_view value) {
            auto projected = api::project_fields(value, fields);
            model::Json doc = projected ? std::move(*projected) : model::Json::parse(value);
            TypeTraits<T>::hide(doc);
            visit(key, std::move(doc));
            return true;
        });
    }

    ObjectResult create(store::WriteTxn& txn, const model::Json& body,
                        const WriteContext& ctx) override {
        T obj;
        if (auto errs = model::decode(body, obj); !errs.empty())
            return fail(bad_request(T::kPrefix, "", errs));
        TypeTraits<T>::assign_key(obj);
        obj.read_only = false;  // read-only objects come from content layers, never from a request
        if (!obj.key().empty() && txn.get(T::kPrefix, obj.key()))
            return fail(conflict(T::kPrefix, obj.key(),
                                 std::string(T::kTypeName) + " " + obj.key() + " already exists"));
        return store_version(txn, nullptr, std::move(obj), ctx, "create");
    }

    ObjectResult replace(store::WriteTxn& txn, const std::string& key, const model::Json& body,
                         const WriteContext& ctx) override {
        std::optional<T> old = load(txn, key);
        if (!old) return fail(not_found(T::kPrefix, key, "PUT"));
        if (old->read_only)
            return fail(
                conflict(T::kPrefix, key, std::string(T::kTypeName) + " " + key + " is read-only"));
        T obj;
        if (auto errs = model::decode(body, obj); !errs.empty())
            return fail(bad_request(T::kPrefix, key, errs));
        obj.read_only = false;  // as in create: a request never makes an object read-only
        if (obj.key() != key)
            return fail(bad_request(
                T::kPrefix, key,
                {std::string(T::kKeyName) + " cannot change from " + key + " to " + obj.key()}));
        TypeTraits<T>::keep_hidden(*old, obj);
        return store_version(txn, &*old, std::move(obj), ctx, "update");
    }

    ObjectResult remove(store::WriteTxn& txn, const std::string& key,
                        const WriteContext& ctx) override {
        std::optional<T> old = load(txn, key);
        if (!old) return fail(not_found(T::kPrefix, key, "DELETE"));
        if (old->read_only || TypeTraits<T>::undeletable(key))
            return fail(conflict(T::kPrefix, key,
                                 std::string(T::kTypeName) + " " + key + " cannot be deleted"));
        if (auto refused = TypeTraits<T>::removal_refused(txn, *old))
            return fail(invalid(T::kPrefix, key, {*refused}));
        auto users = referrers_of(txn, {T::kPrefix, key});
        if (!users.empty()) {
            model::Errors msgs;
            for (const auto& u : users)
                msgs.push_back(std::string(T::kTypeName) + " " + key + " is in use by " + u.prefix +
                               " " + u.key);
            return fail(still_in_use(T::kPrefix, key, msgs));
        }
        model::Json original = model::encode(*old);
        TypeTraits<T>::update_indexes(txn, &*old, static_cast<const T*>(nullptr));
        write(txn, key, nullptr, &original, references_of(*old), {}, "delete", ctx);
        TypeTraits<T>::hide(original);
        return original;
    }

    bool revalidate(store::WriteTxn& txn, const std::string& key,
                    const WriteContext& ctx) override {
        std::optional<T> obj = load(txn, key);
        if (!obj || !obj->validated) return false;
        StoreCatalog catalog(txn);
        model::Errors errs = recheck_references(*obj, catalog);
        if (errs == obj->errors && obj->available == errs.empty()) return false;
        model::Json original = model::encode(*obj);
        obj->errors = errs;
        obj->available = errs.empty();
        model::Json now = model::encode(*obj);
        auto refs = references_of(*obj);
        write(txn, key, &now, &original, refs, refs, "save", ctx);
        return true;
    }

    std::optional<std::string> seal_param(store::WriteTxn& txn, const std::string& name) override {
        if constexpr (requires(T t) { t.params; }) {
            std::vector<std::string> holders;  // collected first: no writes under a scan
            txn.scan(T::kPrefix, "", [&](std::string_view key, std::string_view raw) {
                auto doc = model::Json::parse(raw, nullptr, /*allow_exceptions=*/false);
                if (!doc.is_object()) return true;
                auto params = doc.find("Params");
                if (params == doc.end() || !params->is_object()) return true;
                auto value = params->find(name);
                if (value != params->end() && !security::is_sealed(*value))
                    holders.emplace_back(key);
                return true;
            });
            for (const auto& key : holders) {
                std::optional<T> obj = load(txn, key);
                if (!obj) continue;
                const security::SecretOwner owner{T::kPrefix, key, name};
                auto value = secrets_.seal(owner, obj->params[name]);
                if (!value) return owner.describe() + ": cannot be sealed: " + value.error();
                obj->params[name] = std::move(*value);
                model::Json now = model::encode(*obj);
                auto refs = references_of(*obj);
                // The event's Original is the sealed version too: the clear value stays out.
                write(txn, key, &now, &now, refs, refs, "save", WriteContext{});
            }
        }
        return std::nullopt;
    }

  private:
    // Stores `now` (nullptr: deletes) and appends its Event with hidden fields blanked.
    static void write(store::WriteTxn& txn, const std::string& key, const model::Json* now,
                      const model::Json* original, std::vector<ObjectRef> old_refs,
                      std::vector<ObjectRef> new_refs, const char* action,
                      const WriteContext& ctx) {
        std::optional<model::Json> shown_now, shown_original;
        if (now) TypeTraits<T>::hide(*(shown_now = *now));
        if (original) TypeTraits<T>::hide(*(shown_original = *original));
        ObjectWrite w{T::kPrefix,          key,    now,          original, std::move(old_refs),
                      std::move(new_refs), action, ctx.principal};
        w.event_object = shown_now ? &*shown_now : nullptr;
        w.event_original = shown_original ? &*shown_original : nullptr;
        write_object(txn, w);
    }

    static std::optional<T> load(const store::ReadView& view, const std::string& key) {
        auto raw = view.get(T::kPrefix, key);
        if (!raw) return std::nullopt;
        T obj;
        model::decode(model::Json::parse(*raw), obj);
        return obj;
    }

    ObjectResult store_version(store::WriteTxn& txn, const T* old, T obj, const WriteContext& ctx,
                               const char* action) {
        StoreCatalog catalog(txn);
        model::Errors errs = admit(old, obj, catalog, ctx);
        if constexpr (requires { obj.params; })
            model::append(errs, admit_params(obj.params, old ? &old->params : nullptr, T::kPrefix,
                                             obj.key(), catalog, secrets_));
        if (!errs.empty()) return fail(invalid(T::kPrefix, obj.key(), std::move(errs)));
        if (auto clash = TypeTraits<T>::unique_conflict(txn, old, obj))
            return fail(conflict(T::kPrefix, obj.key(), *clash));
        model::Json now = model::encode(obj);
        model::Json original = old ? model::encode(*old) : model::Json();
        TypeTraits<T>::update_indexes(txn, old, &obj);
        write(txn, obj.key(), &now, old ? &original : nullptr,
              old ? references_of(*old) : std::vector<ObjectRef>{}, references_of(obj), action,
              ctx);
        TypeTraits<T>::hide(now);
        return now;
    }

    const security::ParamSecrets& secrets_;
};

}  // namespace drover::objects
