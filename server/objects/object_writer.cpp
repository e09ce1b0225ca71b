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

std::string quoted(std::string_view text) {
    return model::Json(text).dump();
}

std::string job_machine_of(const model::Json* object, const model::Json* original) {
    for (const model::Json* doc : {object, original}) {
        if (!doc || !doc->is_object()) continue;
        auto it = doc->find("Machine");
        if (it != doc->end() && it->is_string()) return it->get<std::string>();
    }
    return {};
}

}  // namespace

void write_object(store::WriteTxn& txn, const ObjectWrite& w) {
    std::string stored = w.object ? w.object->dump() : std::string();
    if (w.object)
        txn.put(w.prefix, w.key, stored);
    else
        txn.erase(w.prefix, w.key);
    update_refs(txn, w);
    const model::Json* object = w.event_object ? w.event_object : w.object;
    const model::Json* original = w.event_original ? w.event_original : w.original;
    // The stored object's text goes into the Event as it is: each document is encoded once.
    std::string hidden = object && object != w.object ? object->dump() : std::string();
    std::string_view object_text = "null";
    if (object) object_text = object == w.object ? std::string_view(stored) : hidden;
    std::string original_text = original ? original->dump() : "null";
    store::EventRoute route{w.prefix, w.action, w.key,
                            w.prefix == "jobs" ? job_machine_of(object, original) : ""};
    txn.append_event(event_json({w.prefix, w.action, w.key, w.principal, object_text, original_text,
                                 now_rfc3339()}),
                     std::move(route));
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

std::string event_json(const EventText& e) {
    // Keys in the order model::encode(model::Event) dumps them (nlohmann's sorted objects).
    std::string out;
    out.reserve(e.object.size() + e.original.size() + 160);
    out += "{\"Action\":" + quoted(e.action);
    out += ",\"Key\":" + quoted(e.key);
    out += ",\"Object\":";
    out += e.object;
    out += ",\"Original\":";
    out += e.original;
    out += ",\"Principal\":" + quoted(e.principal);
    out += ",\"Time\":" + quoted(e.time);
    out += ",\"Type\":" + quoted(e.type) + "}";
    return out;
}

}  // namespace drover::objects
