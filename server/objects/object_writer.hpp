// Writes one object and everything that must change with it in the same store transaction: the
// reverse-reference index (who names whom, for delete protection and re-validation) and the
// Event (spec 1.11) that the event stream delivers after the commit.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "common/model/codec.hpp"
#include "server/objects/type_rules.hpp"
#include "server/store/store.hpp"

namespace drover::objects {

// Bucket of the reverse-reference index: "<target prefix>/<target key>\x1f<referrer prefix>/<key>".
inline constexpr const char* kRefsBucket = "refs";

struct ObjectWrite {
    std::string prefix;
    std::string key;
    const model::Json* object = nullptr;    // the new version (nullptr for a delete)
    const model::Json* original = nullptr;  // the old version (nullptr for a create)
    std::vector<ObjectRef> old_refs;
    std::vector<ObjectRef> new_refs;
    std::string action;  // create, update, save, delete
    std::string principal;
    // What the Event carries, when it must differ from what is stored (hidden fields blanked).
    const model::Json* event_object = nullptr;
    const model::Json* event_original = nullptr;
};

void write_object(store::WriteTxn& txn, const ObjectWrite& w);

// Objects that name `target`, in key order.
std::vector<ObjectRef> referrers_of(const store::ReadView& view, const ObjectRef& target);

// "2017-12-21T23:26:43.412554192Z", the wall clock in DRP's time format.
std::string now_rfc3339();

// A change's Event (spec 1.11) with its documents already encoded ("null" when absent).
struct EventText {
    std::string_view type;
    std::string_view action;
    std::string_view key;
    std::string_view principal;
    std::string_view object;
    std::string_view original;
    std::string_view time;
};

// The Event's JSON, byte for byte what model::encode(model::Event).dump() would write.
std::string event_json(const EventText& e);

}  // namespace drover::objects
