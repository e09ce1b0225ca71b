// The nine collections of spec 1.1-1.10 and users. Content types use the generic rules; machines
// replace them with the spec 3.3-3.5 rules, a hidden Secret and unique Name and Address indexes;
// users hide their PasswordHash, which only the security layer sets.
#include "common/rules/job_update.hpp"
#include "common/rules/machine_update.hpp"
#include "server/objects/random_ids.hpp"
#include "server/objects/typed_collection.hpp"

namespace drover::objects {

namespace {

constexpr const char* kMachineNameIndex = "machines.Name";
constexpr const char* kMachineAddressIndex = "machines.Address";  // spec 1.1: unique among machines

}  // namespace

template <>
struct TypeTraits<model::Machine> : DefaultTraits {
    static void assign_key(model::Machine& m) {
        if (m.uuid.empty()) m.uuid = random_uuid();
        m.secret = random_secret();
    }
    // The API shows Secret as "", so a PUT or PATCH that sends "" keeps the stored one.
    static void keep_hidden(const model::Machine& old, model::Machine& m) {
        if (m.secret.empty()) m.secret = old.secret;
    }
    static void hide(model::Json& doc) { doc["Secret"] = ""; }
    static std::optional<std::string> lookup_index(const store::ReadView& view,
                                                   const std::string& index,
                                                   const std::string& value) {
        if (index == "Name") return view.get(kMachineNameIndex, value);
        if (index == "Address") return view.get(kMachineAddressIndex, value);
        return std::nullopt;
    }
    static std::optional<std::string> unique_conflict(const store::ReadView& view,
                                                      const model::Machine*,
                                                      const model::Machine& m) {
        auto holder = view.get(kMachineNameIndex, m.name);
        if (holder && *holder != m.uuid)
            return "Machine name " + m.name + " is already used by machine " + *holder;
        if (m.address.empty()) return std::nullopt;
        holder = view.get(kMachineAddressIndex, m.address);
        if (holder && *holder != m.uuid)
            return "Address " + m.address + " is already used by machine " + *holder;
        return std::nullopt;
    }
    static void update_indexes(store::WriteTxn& txn, const model::Machine* old,
                               const model::Machine* now) {
        if (old && (!now || old->name != now->name)) txn.erase(kMachineNameIndex, old->name);
        if (now) txn.put(kMachineNameIndex, now->name, now->uuid);
        if (old && !old->address.empty() && (!now || old->address != now->address))
            txn.erase(kMachineAddressIndex, old->address);
        if (now && !now->address.empty()) txn.put(kMachineAddressIndex, now->address, now->uuid);
    }
};

template <>
struct TypeTraits<model::Job> : DefaultTraits {
    static void assign_key(model::Job& j) {
        if (j.uuid.empty()) j.uuid = random_uuid();
    }
    static std::optional<std::string> removal_refused(const store::ReadView& view,
                                                      const model::Job& j) {
        if (rules::job_deletable(j, view.get("machines", j.machine).has_value()))
            return std::nullopt;
        return "Jobs " + j.uuid + " is not in a deletable state";
    }
};

template <>
struct TypeTraits<model::User> : DefaultTraits {
    static void hide(model::Json& doc) { doc["PasswordHash"] = ""; }
};

template <>
struct TypeTraits<model::Profile> : DefaultTraits {
    static bool undeletable(const std::string& key) { return key == "global"; }
};

// spec 2.1: clients change a job's State (and ExitState, Meta) along the allowed transitions; the
// server stamps the clock fields.
model::Errors admit(const model::Job* old, model::Job& j, const StoreCatalog&,
                    const WriteContext& ctx) {
    if (old && !ctx.job_engine) {
        rules::JobChange change = rules::prepare_job_update(*old, j, now_rfc3339());
        if (!change.errors.empty()) return change.errors;
        j = std::move(change.job);
    }
    model::Errors errs = model::validate(j);
    if (!errs.empty()) return errs;
    j.validated = true;
    j.available = true;
    j.errors.clear();
    return {};
}

// Issue 7: the stored hash is the one the security layer computed for this write's Password, else
// the old one; a clear Password never reaches the store (the security layer takes it out of the
// request first, so one still here means a caller skipped it).
model::Errors admit(const model::User* old, model::User& u, const StoreCatalog&,
                    const WriteContext& ctx) {
    if (u.extras.contains("Password"))
        return {u.name + ": Password can only be set through the users API"};
    u.password_hash = ctx.password_hash ? *ctx.password_hash : old ? old->password_hash : "";
    model::Errors errs = model::validate(u);
    if (!errs.empty()) return errs;
    u.validated = true;
    u.available = true;
    u.errors.clear();
    return {};
}

// The engine's bookkeeping (spec 2.3) moves CurrentTask and applies task-list entries itself;
// only syntax and references are checked.
model::Errors admit_engine_change(model::Machine& m, const StoreCatalog& catalog) {
    m.workflow_complete = model::workflow_complete(m);
    if (auto errs = model::validate(m); !errs.empty()) return errs;
    m.validated = true;
    m.errors = rules::machine_reference_errors(m, catalog);
    m.available = m.errors.empty();
    if (!m.available) m.runnable = false;
    return {};
}

model::Errors admit(const model::Machine* old, model::Machine& m, const StoreCatalog& catalog,
                    const WriteContext& ctx) {
    if (old && ctx.job_engine) return admit_engine_change(m, catalog);
    rules::MachineChangeOptions opts;
    opts.force = ctx.force;
    opts.can_reposition = ctx.can_reposition;
    opts.default_boot_env = ctx.default_boot_env;
    rules::MachineChange change = old ? rules::prepare_machine_update(*old, m, catalog, opts)
                                      : rules::prepare_machine_create(m, catalog, opts);
    m = std::move(change.machine);
    m.validated = true;
    if (!change.ok()) {
        // spec 1.0: machines are stricter than content; only ?force=true stores one whose
        // references do not resolve, and then it is neither Available nor Runnable.
        if (!(ctx.force && change.references_only)) return change.errors;
        m.errors = change.errors;
        m.available = false;
        m.runnable = false;
        return {};
    }
    m.errors.clear();
    m.available = true;
    return {};
}

// spec 1.0 [2019-srv]: an existing machine that becomes non-Available is forced not Runnable.
model::Errors recheck_references(model::Machine& m, const StoreCatalog& catalog) {
    model::Errors errs = rules::machine_reference_errors(m, catalog);
    if (!errs.empty()) m.runnable = false;
    return errs;
}

const std::vector<std::string>& object_prefixes() {
    static const std::vector<std::string> prefixes{"bootenvs", "jobs",     "machines", "params",
                                                   "profiles", "stages",   "tasks",    "templates",
                                                   "users",    "workflows"};
    return prefixes;
}

std::unique_ptr<Collection> make_collection(const std::string& prefix,
                                            const security::ParamSecrets& secrets) {
    if (prefix == "machines") return std::make_unique<TypedCollection<model::Machine>>(secrets);
    if (prefix == "tasks") return std::make_unique<TypedCollection<model::Task>>(secrets);
    if (prefix == "templates") return std::make_unique<TypedCollection<model::Template>>(secrets);
    if (prefix == "stages") return std::make_unique<TypedCollection<model::Stage>>(secrets);
    if (prefix == "bootenvs") return std::make_unique<TypedCollection<model::BootEnv>>(secrets);
    if (prefix == "workflows") return std::make_unique<TypedCollection<model::Workflow>>(secrets);
    if (prefix == "profiles") return std::make_unique<TypedCollection<model::Profile>>(secrets);
    if (prefix == "params") return std::make_unique<TypedCollection<model::Param>>(secrets);
    if (prefix == "jobs") return std::make_unique<TypedCollection<model::Job>>(secrets);
    if (prefix == "users") return std::make_unique<TypedCollection<model::User>>(secrets);
    return nullptr;
}

}  // namespace drover::objects
