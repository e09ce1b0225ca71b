// The object API's operations (spec 6.2, 6.3) over the Store: each write runs in one store
// transaction with its references re-validated (spec 1.0: dependents of a changed object are
// re-checked in the same transaction) and returns once the batch is durable.
//
// Secure params (spec 1.10, issue 7): writes seal the values of Secure Params (param_values.hpp)
// and writing a Param with Secure true seals the clear values already stored for it. Reads and
// write answers show secure values sealed; a read with `decode` opens them (?decode=true, for
// callers allowed getSecure: the router decides, this service does not authorise). List filters
// on param values compare what the read shows: sealed values unless `decode`.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/security/secure_value.hpp"
#include "server/objects/collection.hpp"

namespace drover::objects {

enum class ParamScope { Own, Aggregate };

class ObjectService;

// Collection-level operations inside one write transaction, for callers that change several
// objects together (the job engine saves a job and its machine at once). Every change
// re-validates its dependents, exactly like the ObjectService's single-object calls.
class ObjectTxn {
  public:
    ObjectResult get(const std::string& prefix, const std::string& id) const;
    ObjectResult create(const std::string& prefix, const model::Json& body,
                        const WriteContext& ctx);
    ObjectResult replace(const std::string& prefix, const std::string& id, const model::Json& body,
                         const WriteContext& ctx);
    ObjectResult patch(const std::string& prefix, const std::string& id, const model::Json& patch,
                       const WriteContext& ctx);
    ObjectResult remove(const std::string& prefix, const std::string& id, const WriteContext& ctx);
    // The raw transaction, for buckets outside the object model (indexes the caller owns).
    store::WriteTxn& raw() { return txn_; }

  private:
    friend class ObjectService;
    ObjectTxn(ObjectService& service, store::WriteTxn& txn) : service_(service), txn_(txn) {}
    ObjectService& service_;
    store::WriteTxn& txn_;
};

class ObjectService {
  public:
    // `secrets` seals and opens secure param values (server/security/ParamCipher).
    ObjectService(store::Store& store, std::shared_ptr<const security::ParamSecrets> secrets);

    bool has_collection(const std::string& prefix) const;
    // "<key>" or "<Index>:<value>" to the stored key, within the caller's snapshot.
    std::optional<std::string> resolve_key(const store::ReadView& view, const std::string& prefix,
                                           const std::string& id) const;
    // The stores buckets this service needs (collections plus indexes), for opening the store.
    static std::vector<std::string> buckets();

    ObjectResult create(const std::string& prefix, const model::Json& body,
                        const WriteContext& ctx);
    ObjectResult get(const std::string& prefix, const std::string& id, bool decode = false) const;
    ObjectResult replace(const std::string& prefix, const std::string& id, const model::Json& body,
                         const WriteContext& ctx);
    // RFC 6902 patch of the object as get() shows it; failing ops answer 409 (spec 6.2).
    ObjectResult patch(const std::string& prefix, const std::string& id, const model::Json& patch,
                       const WriteContext& ctx);
    ObjectResult remove(const std::string& prefix, const std::string& id, const WriteContext& ctx);

    // A param's value for one listed object: machines resolve it by spec 8 (schema default
    // included), profiles and stages give their own. Used by list filters on param names.
    using ParamValue =
        std::function<std::optional<model::Json>(const model::Json& obj, const std::string& name)>;
    // Runs `use` inside one snapshot with every object of the type and a ParamValue over the same
    // snapshot, so filtering 10,000 machines by a param costs one read transaction.
    api::Expected<bool, model::Error> list_with_params(
        const std::string& prefix,
        const std::function<void(std::vector<model::Json> items, const ParamValue& param)>& use,
        bool decode = false) const;

    // Runs `use` inside one snapshot with the members named in `fields` of every object of the
    // type (hidden ones blanked) and a loader of any of those objects whole, by its position: a
    // list that filters and sorts by plain members reads whole only the objects it returns.
    using LoadObject = std::function<model::Json(std::size_t position)>;
    api::Expected<bool, model::Error> list_fields(
        const std::string& prefix, const api::FieldSet& fields,
        const std::function<void(std::vector<model::Json> items, const LoadObject& load)>& use)
        const;

    // spec 6.3 param sub-resources (machines, profiles, stages).
    ObjectResult get_params(const std::string& prefix, const std::string& id, ParamScope scope,
                            bool decode = false) const;
    ObjectResult get_param(const std::string& prefix, const std::string& id,
                           const std::string& name, ParamScope scope, bool decode = false) const;
    ObjectResult set_params(const std::string& prefix, const std::string& id,
                            const model::Json& params, const WriteContext& ctx);
    ObjectResult patch_params(const std::string& prefix, const std::string& id,
                              const model::Json& patch, const WriteContext& ctx);
    ObjectResult set_param(const std::string& prefix, const std::string& id,
                           const std::string& name, const model::Json& value,
                           const WriteContext& ctx);
    ObjectResult remove_param(const std::string& prefix, const std::string& id,
                              const std::string& name, const WriteContext& ctx);

    // Runs `fn` in one durable write transaction; an error result rolls all of it back. Storage
    // failures answer 507/503 naming `prefix`.
    ObjectResult transact(const std::string& prefix,
                          const std::function<ObjectResult(ObjectTxn&)>& fn);

    // spec 1.0: the built-in objects (bootenvs ignore and local, stages none and local, profile
    // global), created read-only on first start.
    store::Status ensure_builtins();

    store::Store& store() { return store_; }
    const store::Store& store() const { return store_; }
    // What task rendering opens secure values with.
    const security::ParamSecrets& secrets() const { return *secrets_; }

  private:
    friend class ObjectTxn;
    Collection* find(const std::string& prefix) const;
    // `op`'s changes to the object of `c` re-validate its dependents (within the caller's txn).
    ObjectResult in_txn(store::WriteTxn& txn, const std::string& prefix, const std::string& key,
                        const std::function<ObjectResult(Collection&)>& op);
    void revalidate_dependents(store::WriteTxn& txn, const std::string& prefix,
                               const std::string& key);
    // Applies `change` to the object's Params map, stores it through the collection's rules and
    // answers with `answer(the stored Params)`, in which secure values are sealed.
    ObjectResult change_params(
        const std::string& prefix, const std::string& id, const WriteContext& ctx,
        const std::function<std::optional<model::Error>(model::Json&)>& change,
        const std::function<model::Json(const model::Json&)>& answer);
    // ?decode=true on one object as a read shows it.
    void open_object(const std::string& prefix, model::Json& obj) const;

    store::Store& store_;
    std::shared_ptr<const security::ParamSecrets> secrets_;
    std::map<std::string, std::unique_ptr<Collection>> collections_;
};

}  // namespace drover::objects
