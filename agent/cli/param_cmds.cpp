// Param commands of spec 6.8 on the types with params sub-resources (spec 6.3: machines,
// profiles, stages): `params <id> [json]`, `get <id> param <k>`, `set <id> param <k> to <v>`
// and `remove <id> param <k>`. The words "param" and "to" are drpcli's and are checked.
// Each word is its own positional: CLI11 would split a vector's `[a,b]` word into items.
#include <CLI/CLI.hpp>

#include "agent/cli/commands.hpp"
#include "agent/cli/input_doc.hpp"
#include "agent/cli/object_ops.hpp"

namespace drover::cli {

namespace {

using SessionPtr = std::shared_ptr<Session>;

struct ParamArgs {
    std::string id, param_word, key, to_word, value;
    bool aggregate = false, compose = false;
};

// Registers `<id> param <key>` (then `to <value>` when `with_value`) on `c`.
void add_words(CLI::App& c, ParamArgs& a, bool with_value) {
    c.add_option("id", a.id, "The key, or Index:value")->required();
    c.add_option("param", a.param_word, "The word param")->required();
    c.add_option("key", a.key, "The param's name")->required();
    if (!with_value) return;
    c.add_option("to", a.to_word, "The word to")->required();
    c.add_option("value", a.value, "JSON, or - for stdin; not JSON: sent as a string")->required();
}

// The param's path once the words are checked.
std::string param_path(const ObjectType& t, const ParamArgs& a, bool with_value) {
    if (a.param_word != "param" || (with_value && a.to_word != "to"))
        throw Failure(with_value ? "usage: set <id> param <key> to <json|->"
                                 : "usage: <id> param <key>");
    return object_path(t, a.id) + "/params/" + client::url_escape(a.key);
}

void add_params(CLI::App& cmd, const SessionPtr& s, const ObjectType& t) {
    auto a = std::make_shared<ParamArgs>();
    auto* c = cmd.add_subcommand("params", "Show a " + t.singular + "'s params, or replace them");
    c->add_option("id", a->id, "The key, or Index:value")->required();
    c->add_option("json", a->value, "The new params: a JSON object, a file or -");
    c->add_flag("--aggregate", a->aggregate, "Include inherited params (spec 8)");
    c->callback([s, &t, a] {
        std::string path = object_path(t, a->id) + "/params";
        if (a->value.empty())
            return s->print(s->call("GET", path + (a->aggregate ? "?aggregate=true" : "")));
        auto params = read_object(a->value, "params");
        s->print(s->call("POST", path, &params));
    });
}

void add_get(CLI::App& cmd, const SessionPtr& s, const ObjectType& t) {
    auto a = std::make_shared<ParamArgs>();
    auto* c = cmd.add_subcommand("get", "Get one param: get <id> param <key>");
    add_words(*c, *a, false);
    c->add_flag("--aggregate", a->aggregate, "Resolve through profiles and defaults (spec 8)");
    c->add_flag("--compose", a->compose, "Compose the value from every level");
    c->callback([s, &t, a] {
        std::string query;
        if (a->aggregate) query += "?aggregate=true";
        if (a->compose) query += (query.empty() ? "?" : "&") + std::string("compose=true");
        s->print(s->call("GET", param_path(t, *a, false) + query));
    });
}

void add_set_remove(CLI::App& cmd, const SessionPtr& s, const ObjectType& t) {
    auto a = std::make_shared<ParamArgs>();
    auto* set = cmd.add_subcommand("set", "Set one param: set <id> param <key> to <json|->");
    add_words(*set, *a, true);
    set->callback([s, &t, a] {
        std::string path = param_path(t, *a, true);
        auto value = read_value(a->value);
        s->print(s->call("POST", path, &value));
    });
    auto* remove = cmd.add_subcommand("remove", "Remove one param: remove <id> param <key>");
    add_words(*remove, *a, false);
    remove->callback([s, &t, a] { s->print(s->call("DELETE", param_path(t, *a, false))); });
}

}  // namespace

void add_param_commands(CLI::App& app, const SessionPtr& s) {
    for (const auto& t : object_types()) {
        if (!t.has_params) continue;
        auto* cmd = app.get_subcommand(t.prefix);
        add_params(*cmd, s, t);
        add_get(*cmd, s, t);
        add_set_remove(*cmd, s, t);
    }
}

}  // namespace drover::cli
