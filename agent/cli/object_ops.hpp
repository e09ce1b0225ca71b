// What the command families share about object types (spec 6.2): each type's API prefix, key
// field and table columns, paths, and the read-modify-PATCH cycle of `update` (spec 6.2 GenPatch:
// every change guarded by a `test` of the value read, so a concurrent edit fails with 409).
#pragma once
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "agent/cli/cli_session.hpp"

namespace drover::cli {

struct ObjectType {
    std::string prefix;                // "machines"
    std::string singular;              // "machine"
    std::string key;                   // the key field: Uuid, Name or ID
    std::vector<std::string> columns;  // a list's table columns
    bool has_params = false;           // params sub-resources (spec 6.3)
};

// The types the admin CLI manages, in help order.
const std::vector<ObjectType>& object_types();
// Precondition: `prefix` is one of object_types().
const ObjectType& object_type(std::string_view prefix);

// "/api/v3/<prefix>" and "/api/v3/<prefix>/<id>" (id may be "<Index>:<value>").
std::string collection_path(const ObjectType& type);
std::string object_path(const ObjectType& type, const std::string& id);

nlohmann::json fetch(Session& s, const ObjectType& type, const std::string& id);

// The object's key as stored (id may have been "Name:foo").
std::string key_of(const ObjectType& type, const nlohmann::json& object);

// GET the object (or take -r/--ref), let `edit` change a copy, PATCH the difference with its
// `test` ops (a --ref patch also tests the whole object) and return the server's new object.
nlohmann::json update_object(Session& s, const ObjectType& type, const std::string& id,
                             const std::function<void(nlohmann::json&)>& edit);

}  // namespace drover::cli
