#include "server/objects/object_writer.hpp"

#include "common/rules/durations.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "common/model/event.hpp"

namespace drover::objects {

namespace {

constexpr char kSep = '\x1f';

std::string ref_key(const ObjectRef& target, const std::string& prefix, const std::string& key) {
    return target.prefix + "/" + target.key + kSep + prefix + "/" + key;
}

void update_refs(store::WriteTxn& txn, const ObjectWrite& w) {
    for (const auto& old : w.old_refs)
        if (std::find(w.new_refs.begin(), w.new_refs.end(), old) == w.new_refs.end())
            txn.erase(kRefsBucket, ref_key(old, w.prefix, w.key));
    for (const auto& added : w.new_refs)
        if (std::find(w.old_refs.begin(), w.old_refs.end(), added) == w.old_refs.end())
            txn.put(kRefsBucket, ref_key(added, w.prefix, w.key), "");
}

}  // namespace

void write_object(store::WriteTxn& txn, const ObjectWrite& w) {
    if (w.object)
        txn.put(w.prefix, w.key, w.object->dump());
    else
        txn.erase(w.prefix, w.key);
    update_refs(txn, w);
    const model::Json* object = w.event_object ? w.event_object : w.object;
    const model::Json* original = w.event_original ? w.event_original : w.original;
    txn.append_event(make_event(w.prefix, w.action, w.key, w.principal, object, original).dump());
}

std::vector<ObjectRef> referrers_of(const store::ReadView& view, const ObjectRef& target) {
    std::vector<ObjectRef> out;
    const std::string start = target.prefix + "/" + target.key + kSep;
    view.scan(kRefsBucket, start, [&](std::string_view key, std::string_view) {
        if (key.substr(0, start.size()) != start) return false;
        std::string_view rest = key.substr(start.size());
        auto slash = rest.find('/');
        if (slash != std::string_view::npos)
            out.push_back(
                {std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1))});
        return true;
    });
    return out;
}

std::string now_rfc3339() {
    return rules::format_rfc3339(std::chrono::system_clock::now());
}

model::Json make_event(const std::string& type, const std::string& action, const std::string& key,
                       const std::string& principal, const model::Json* object,
                       const model::Json* original) {
    model::Event e;
    e.time = now_rfc3339();
    e.type = type;
    e.action = action;
    e.key = key;
    e.principal = principal;
    if (object) e.object = *object;
    if (original) e.original = *original;
    return model::encode(e);
}

}  // namespace drover::objects
