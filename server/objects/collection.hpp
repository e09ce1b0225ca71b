// A Collection is one object type's storage and write rules (spec 1.0): decode, validate, check
// references, set Validated/Available/Errors, keep the reverse-reference index and append the
// Event, all inside the caller's store transaction. The ObjectService picks one by prefix.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "common/api/json_fields.hpp"
#include "common/security/secure_value.hpp"
#include "server/objects/object_errors.hpp"
#include "server/store/store.hpp"

namespace drover::objects {

struct WriteContext {
    std::string principal = "system";
    bool force = false;                      // ?force=true
    bool can_reposition = true;              // spec 3.3 updateTaskList claim
    std::string default_boot_env = "local";  // spec 1.0 pref defaultBootEnv
    // The job engine's own bookkeeping (spec 2.3 advancing CurrentTask, applying stage:/bootenv:
    // entries, job clock fields): the rules for user edits (spec 3.3, 2.1) do not apply to it.
    bool job_engine = false;
    // users: the scrypt hash of the Password this write sets, computed by server/security before
    // the transaction (hashing takes tens of milliseconds). A user's stored hash changes only
    // through this; a PasswordHash in a request is ignored.
    std::optional<std::string> password_hash;
};

class Collection {
  public:
    virtual ~Collection() = default;
    virtual const char* prefix() const = 0;
    virtual const char* type_name() const = 0;
    virtual const char* key_field() const = 0;

    // "<key>" or "<Index>:<value>" (spec 1.0 addressing) to the stored key.
    virtual std::optional<std::string> resolve_key(const store::ReadView& view,
                                                   const std::string& id) const = 0;
    // The object as the API shows it (hidden fields blanked), or nullopt.
    virtual std::optional<model::Json> get(const store::ReadView& view,
                                           const std::string& key) const = 0;
    // Every object as the API shows it, in key order.
    virtual void list(const store::ReadView& view,
                      const std::function<void(model::Json)>& visit) const = 0;
    // Every object's members named in `fields` (hidden ones blanked) with its stored key, in key
    // order: what a list filters and sorts by, without building whole documents.
    virtual void list_fields(
        const store::ReadView& view, const api::FieldSet& fields,
        const std::function<void(std::string_view key, model::Json fields)>& visit) const = 0;

    virtual ObjectResult create(store::WriteTxn& txn, const model::Json& body,
                                const WriteContext& ctx) = 0;
    // Full replace (PUT, and PATCH after the patch is applied to get()'s JSON).
    virtual ObjectResult replace(store::WriteTxn& txn, const std::string& key,
                                 const model::Json& body, const WriteContext& ctx) = 0;
    virtual ObjectResult remove(store::WriteTxn& txn, const std::string& key,
                                const WriteContext& ctx) = 0;
    // Recomputes Available/Errors after something it references changed; true if they changed
    // (the new version is then written with a `save` event).
    virtual bool revalidate(store::WriteTxn& txn, const std::string& key,
                            const WriteContext& ctx) = 0;
    // Issue 7, a Param written Secure: seals every clear value this type's objects hold for it,
    // each a `save` whose event shows only the sealed value (nothing for types without Params).
    // The error, if the cipher failed (the caller rolls the transaction back).
    virtual std::optional<std::string> seal_param(store::WriteTxn& txn,
                                                  const std::string& name) = 0;
};

// The nine object types of spec 1.1-1.10 and users (issue 7), keyed by prefix; machines,
// profiles and stages seal secure param values with `secrets`, which must outlive them.
std::unique_ptr<Collection> make_collection(const std::string& prefix,
                                            const security::ParamSecrets& secrets);
const std::vector<std::string>& object_prefixes();

}  // namespace drover::objects
