// spec 1.0 [2019-srv backend/stack.go]: objects that always exist. They are created read-only on
// first start so a fresh server can hold machines at once (bootenv local, stage none).
#include "server/objects/object_service.hpp"
#include "server/objects/object_writer.hpp"
#include "server/objects/type_rules.hpp"

namespace drover::objects {

namespace {

template <class T>
void put_builtin(store::WriteTxn& txn, T obj, bool read_only = true) {
    if (txn.get(T::kPrefix, obj.key())) return;
    on_save(obj);
    obj.validated = obj.available = true;
    obj.read_only = read_only;
    model::Json doc = model::encode(obj);
    write_object(
        txn, {T::kPrefix, obj.key(), &doc, nullptr, {}, references_of(obj), "create", "system"});
}

}  // namespace

store::Status ObjectService::ensure_builtins() {
    return store_.write([](store::WriteTxn& txn) {
        model::BootEnv ignore;
        ignore.name = "ignore";
        ignore.description = "The boot environment for machines drover does not know";
        ignore.only_unknown = true;
        put_builtin(txn, ignore);
        model::BootEnv local;
        local.name = "local";
        local.description = "Boot from the local disk";
        put_builtin(txn, local);
        model::Stage none;
        none.name = "none";
        none.description = "No stage: no bootenv, no tasks";
        put_builtin(txn, none);
        model::Stage local_stage;
        local_stage.name = "local";
        local_stage.description = "Boot from the local disk";
        local_stage.boot_env = "local";
        put_builtin(txn, local_stage);
        model::Profile global;
        global.name = "global";
        global.description = "Params every machine sees last (spec 8)";
        put_builtin(txn, global,
                    /*read_only=*/false);  // admins set global params; it only cannot go away
        return true;
    });
}

}  // namespace drover::objects
