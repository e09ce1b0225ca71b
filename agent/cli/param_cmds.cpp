// Param commands of spec 6.8 on the types with params sub-resources (spec 6.3: machines,
// profiles, stages): `params <id> [json]`, `get <id> param <k>`, `set <id> param <k> to <v>`
// and `remove <id> param <k>`. The words "param" and "to" are drpcli's and are checked.
#include <CLI/CLI.hpp>

#include "agent/cli/commands.hpp"
#include "agent/cli/input_doc.hpp"
#include "agent/cli/object_ops.hpp"

namespace drover::cli {

namespace {

using SessionPtr = std::shared_ptr<Session>;

struct ParamArgs {
    std::vector<std::string> words;
    std::string id, doc;
    bool aggregate = false, compose = false;
};

// `<id> param <key>` (then `to <value>` when `with_value`): returns the words or throws.
const std::vector<std::string>& check_words(const std::vector<std::string>& w, bool with_value) {
    std::size_t want = with_value ? 5 : 3;
    bool ok = w.size() == want && w[1] == "param" && (!with_value || w[3] == "to");
    if (!ok)
        throw Failure(with_value ? "usage: set <id> param <key> to <json|->"
                                 : "usage: <id> param <key>");
    return w;
}

std::string params_path(const ObjectType& t, const std::string& id) {
    return object_path(t, id) + "/params";
}

std::string param_path(const ObjectType& t, const std::vector<std::string>& w) {
    return params_path(t, w[0]) + "/" + client::url_escape(w[2]);
}

void add_params(CLI::App& cmd, const SessionPtr& s, const ObjectType& t) {
    auto a = std::make_shared<ParamArgs>();
    auto* c = cmd.add_subcommand("params", "Show a " + t.singular + "'s params, or replace them");
    c->add_option("id", a->id, "The key, or Index:value")->required();
    c->add_option("json", a->doc, "The new params: a JSON object, a file or -");
    c->add_flag("--aggregate", a->aggregate, "Include inherited params (spec 8)");
    c->callback([s, &t, a] {
        std::string path = params_path(t, a->id);
        if (a->doc.empty())
            return s->print(s->call("GET", path + (a->aggregate ? "?aggregate=true" : "")));
        auto params = read_object(a->doc, "params");
        s->print(s->call("POST", path, &params));
    });
}

void add_get(CLI::App& cmd, const SessionPtr& s, const ObjectType& t) {
    auto a = std::make_shared<ParamArgs>();
    auto* c = cmd.add_subcommand("get", "Get one param: get <id> param <key>");
    c->add_option("args", a->words, "<id> param <key>")->required();
    c->add_flag("--aggregate", a->aggregate, "Resolve through profiles and defaults (spec 8)");
    c->add_flag("--compose", a->compose, "Compose the value from every level");
    c->callback([s, &t, a] {
        std::string query;
        if (a->aggregate) query += "?aggregate=true";
        if (a->compose) query += (query.empty() ? "?" : "&") + std::string("compose=true");
        s->print(s->call("GET", param_path(t, check_words(a->words, false)) + query));
    });
}

void add_set_remove(CLI::App& cmd, const SessionPtr& s, const ObjectType& t) {
    auto a = std::make_shared<ParamArgs>();
    auto* set = cmd.add_subcommand("set", "Set one param: set <id> param <key> to <json|->");
    set->add_option("args", a->words, "<id> param <key> to <value>")->required();
    set->callback([s, &t, a] {
        const auto& w = check_words(a->words, true);
        auto value = read_value(w[4]);
        s->print(s->call("POST", param_path(t, w), &value));
    });
    auto* remove = cmd.add_subcommand("remove", "Remove one param: remove <id> param <key>");
    remove->add_option("args", a->words, "<id> param <key>")->required();
    remove->callback(
        [s, &t, a] { s->print(s->call("DELETE", param_path(t, check_words(a->words, false)))); });
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
