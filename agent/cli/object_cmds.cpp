// The generic object commands of spec 6.8, one set per object type: list (filters as query
// parameters, spec 6.2), show, exists, create, update (merge, then a GenPatch PATCH), patch,
// destroy and meta.
#include <CLI/CLI.hpp>
#include <iostream>

#include "agent/cli/commands.hpp"
#include "agent/cli/input_doc.hpp"
#include "agent/cli/object_ops.hpp"

namespace drover::cli {

namespace {

using SessionPtr = std::shared_ptr<Session>;

struct ListArgs {
    std::vector<std::string> filters;
    std::string limit, offset, sort;
    bool reverse = false;
};

std::string list_query(const ListArgs& a) {
    std::string q;
    auto add = [&q](const std::string& k, const std::string& v) {
        q += (q.empty() ? "?" : "&") + client::url_escape(k) + "=" + client::url_escape(v);
    };
    for (const auto& f : a.filters) {
        auto eq = f.find('=');
        if (eq == std::string::npos || eq == 0)
            throw Failure("a filter is Field=value or Field=Op(args): " + f);
        add(f.substr(0, eq), f.substr(eq + 1));
    }
    if (!a.limit.empty()) add("limit", a.limit);
    if (!a.offset.empty()) add("offset", a.offset);
    if (!a.sort.empty()) add("sort", a.sort);
    if (a.reverse) add("reverse", "true");
    return q;
}

void add_list(CLI::App& cmd, const SessionPtr& s, const ObjectType& t) {
    auto a = std::make_shared<ListArgs>();
    auto* c = cmd.add_subcommand("list", "List " + t.prefix + ", optionally filtered");
    c->add_option("filters", a->filters, "Field=value or Field=Op(args), e.g. Stage=Re(^dis)");
    c->add_option("--limit", a->limit, "At most this many");
    c->add_option("--offset", a->offset, "Skip this many first");
    c->add_option("--sort", a->sort, "Sort by this index");
    c->add_flag("--reverse", a->reverse, "Reverse the order");
    c->callback(
        [s, &t, a] { s->print(s->call("GET", collection_path(t) + list_query(*a)), t.columns); });
}

// A subcommand whose one argument, the object's id, lands in `id`.
CLI::App* with_id(CLI::App& cmd, const std::string& name, const std::string& help,
                  const std::shared_ptr<std::string>& id) {
    auto* c = cmd.add_subcommand(name, help);
    c->add_option("id", *id, "The key, or Index:value (e.g. Name:foo)")->required();
    return c;
}

void add_by_id(CLI::App& cmd, const SessionPtr& s, const ObjectType& t) {
    auto id = std::make_shared<std::string>();
    with_id(cmd, "show", "Show a " + t.singular, id)->callback([s, &t, id] {
        s->print(fetch(*s, t, *id));
    });
    with_id(cmd, "exists", "Exit 0 if the " + t.singular + " exists, else 1", id)
        ->callback([s, &t, id] { fetch(*s, t, *id); });
    with_id(cmd, "meta", "Show a " + t.singular + "'s Meta", id)->callback([s, &t, id] {
        auto obj = fetch(*s, t, *id);
        s->print(obj.value("Meta", nlohmann::json::object()));
    });
    with_id(cmd, "destroy", "Delete a " + t.singular, id)->callback([s, &t, id] {
        s->call("DELETE", object_path(t, *id));
        std::cout << "Deleted " << t.singular << " " << *id << '\n';
    });
}

// A bare word names the new object (jobs: the machine to make a job for).
nlohmann::json new_object(const ObjectType& t, const std::string& arg) {
    auto doc = read_document(arg);
    if (doc.is_object()) return doc;
    if (doc.is_structured() || doc.is_null()) throw Failure("create needs a JSON object: " + arg);
    std::string field = t.prefix == "jobs" ? "Machine" : t.prefix == "machines" ? "Name" : t.key;
    return {{field, arg}};
}

void add_create(CLI::App& cmd, const SessionPtr& s, const ObjectType& t) {
    auto arg = std::make_shared<std::string>();
    auto* c = cmd.add_subcommand("create", "Create a " + t.singular);
    c->add_option("object", *arg, "JSON or YAML: text, a file, - for stdin, or a bare name")
        ->required();
    c->callback([s, &t, arg] {
        auto body = new_object(t, *arg);
        s->print(s->call("POST", collection_path(t), &body));
    });
}

struct EditArgs {
    std::string id, doc;
};

void add_update_patch(CLI::App& cmd, const SessionPtr& s, const ObjectType& t) {
    auto a = std::make_shared<EditArgs>();
    auto* u = cmd.add_subcommand(
        "update", "Merge a JSON object into a " + t.singular + " (a PATCH with test ops)");
    u->add_option("id", a->id, "The key, or Index:value")->required();
    u->add_option("json", a->doc, "JSON or YAML object: text, a file or -")->required();
    u->callback([s, &t, a] {
        auto merge = read_object(a->doc, "update");
        s->print(update_object(*s, t, a->id, [&](nlohmann::json& obj) { obj.merge_patch(merge); }));
    });
    auto* p = cmd.add_subcommand("patch", "Apply a JSON Patch (RFC 6902) to a " + t.singular);
    p->add_option("id", a->id, "The key, or Index:value")->required();
    p->add_option("jsonpatch", a->doc, "JSON Patch array: text, a file or -")->required();
    p->callback([s, &t, a] {
        auto patch = read_document(a->doc);
        if (!patch.is_array()) throw Failure("patch needs a JSON Patch array: " + a->doc);
        s->print(s->call("PATCH", object_path(t, a->id), &patch));
    });
}

}  // namespace

void add_object_commands(CLI::App& app, const SessionPtr& s) {
    for (const auto& t : object_types()) {
        auto* cmd = app.add_subcommand(t.prefix, "Access the " + t.prefix + " API");
        cmd->require_subcommand(1);
        add_list(*cmd, s, t);
        add_by_id(*cmd, s, t);
        add_create(*cmd, s, t);
        add_update_patch(*cmd, s, t);
    }
}

}  // namespace drover::cli
