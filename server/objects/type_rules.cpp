#include "server/objects/type_rules.hpp"

#include "common/jsonschema/schema.hpp"
#include "common/model/checks.hpp"
#include "common/rules/durations.hpp"
#include "common/rules/feature_flags.hpp"
#include "common/rules/machine_update.hpp"
#include "common/rules/task_entry.hpp"
#include "common/rules/task_list.hpp"
#include "common/tmpl/template.hpp"

namespace drover::objects {

using model::Errors;

namespace {

void add_task_list_refs(const std::vector<std::string>& tasks, std::vector<ObjectRef>& out) {
    for (const auto& raw : tasks) {
        rules::TaskEntry e = rules::parse_task_entry(raw);
        if (e.kind == rules::EntryKind::Task) out.push_back({"tasks", e.name});
        if (e.kind == rules::EntryKind::Stage) out.push_back({"stages", e.name});
        if (e.kind == rules::EntryKind::BootEnv) out.push_back({"bootenvs", e.name});
    }
}

void add_template_refs(const std::vector<model::TemplateInfo>& infos, std::vector<ObjectRef>& out) {
    for (const auto& ti : infos)
        if (!ti.id.empty()) out.push_back({"templates", ti.id});
}

std::vector<ObjectRef> unique(std::vector<ObjectRef> refs) {
    std::sort(refs.begin(), refs.end());
    refs.erase(std::unique(refs.begin(), refs.end()), refs.end());
    return refs;
}

Errors template_ref_errors(const std::vector<model::TemplateInfo>& infos, const StoreCatalog& c) {
    Errors errs;
    for (std::size_t i = 0; i < infos.size(); ++i)
        if (!infos[i].id.empty() && !c.template_(infos[i].id))
            errs.push_back("Templates[" + std::to_string(i) + "]: No common template for " +
                           infos[i].id);
    return errs;
}

// DRP checks Param schemas with gojsonschema, which mixes drafts 4-7 when "$schema" is absent.
jsonschema::CompileResult compile_param_schema(const model::Json& schema) {
    jsonschema::CompileOptions opts;
    opts.default_draft = jsonschema::Draft::hybrid;
    return jsonschema::Schema::compile(schema, opts);
}

}  // namespace

std::vector<ObjectRef> references_of(const model::Machine& m) {
    std::vector<ObjectRef> out{{"stages", m.stage}, {"bootenvs", m.boot_env}};
    if (!m.workflow.empty()) out.push_back({"workflows", m.workflow});
    for (const auto& p : m.profiles)
        out.push_back({"profiles", p});
    add_task_list_refs(m.tasks, out);
    return unique(std::move(out));
}

std::vector<ObjectRef> references_of(const model::Stage& s) {
    std::vector<ObjectRef> out;
    if (!s.boot_env.empty()) out.push_back({"bootenvs", s.boot_env});
    for (const auto& p : s.profiles)
        out.push_back({"profiles", p});
    add_task_list_refs(s.tasks, out);
    add_template_refs(s.templates, out);
    return unique(std::move(out));
}

std::vector<ObjectRef> references_of(const model::Task& t) {
    std::vector<ObjectRef> out;
    for (const auto& p : t.prerequisites)
        out.push_back({"tasks", p});
    add_template_refs(t.templates, out);
    return unique(std::move(out));
}

std::vector<ObjectRef> references_of(const model::BootEnv& b) {
    std::vector<ObjectRef> out;
    add_template_refs(b.templates, out);
    return unique(std::move(out));
}

std::vector<ObjectRef> references_of(const model::Workflow& w) {
    std::vector<ObjectRef> out;
    for (const auto& s : w.stages)
        out.push_back({"stages", s});
    return unique(std::move(out));
}

std::vector<ObjectRef> references_of(const model::Profile& p) {
    std::vector<ObjectRef> out;
    for (const auto& n : p.profiles)
        out.push_back({"profiles", n});
    return unique(std::move(out));
}

std::vector<ObjectRef> references_of(const model::Template&) {
    return {};
}
std::vector<ObjectRef> references_of(const model::Param&) {
    return {};
}
// Jobs survive their machine and tasks (spec 1.4), so they hold no references.
std::vector<ObjectRef> references_of(const model::Job&) {
    return {};
}
// Users name roles, which are fixed, not objects.
std::vector<ObjectRef> references_of(const model::User&) {
    return {};
}

Errors reference_errors(const model::Stage& s, const StoreCatalog& c) {
    Errors errs;
    if (!s.boot_env.empty()) {
        const model::BootEnv* env = c.boot_env(s.boot_env);
        if (!env)
            errs.push_back("BootEnv " + s.boot_env + " does not exist");
        else if (!env->available)
            errs.push_back("BootEnv " + s.boot_env + " is not available");
    }
    model::append(errs, rules::profile_reference_errors(s.profiles, c));
    model::append(errs, rules::task_list_reference_errors(s.tasks, c));
    model::append(errs, template_ref_errors(s.templates, c));
    return errs;
}

Errors reference_errors(const model::Task& t, const StoreCatalog& c) {
    Errors errs = template_ref_errors(t.templates, c);
    rules::PrerequisiteLookup lookup = [&](const std::string& n) -> std::optional<rules::TaskList> {
        if (n == t.name) return t.prerequisites;  // the version being saved
        const model::Task* other = c.task(n);
        return other ? std::optional<rules::TaskList>(other->prerequisites) : std::nullopt;
    };
    model::append(errs, rules::expand_prerequisites({t.name}, -1, "", lookup).errors);
    return errs;
}

Errors reference_errors(const model::BootEnv& b, const StoreCatalog& c) {
    return template_ref_errors(b.templates, c);
}

Errors reference_errors(const model::Workflow& w, const StoreCatalog& c) {
    Errors errs;
    for (const auto& name : w.stages) {
        const model::Stage* s = c.stage(name);
        if (!s)
            errs.push_back("Stage " + name + " does not exist");
        else if (!s->available)
            errs.push_back("Stage " + name + " is not available");
    }
    return errs;
}

Errors reference_errors(const model::Profile& p, const StoreCatalog& c) {
    return rules::profile_reference_errors(p.profiles, c);
}
Errors reference_errors(const model::Template&, const StoreCatalog&) {
    return {};
}
Errors reference_errors(const model::Job&, const StoreCatalog&) {
    return {};
}

Errors reference_errors(const model::Param&, const StoreCatalog&) {
    return {};
}

Errors reference_errors(const model::User&, const StoreCatalog&) {
    return {};
}

Errors extra_validation(const model::Param& p) {
    if (!p.schema.is_object() && !p.schema.is_boolean()) return {};  // model::validate reports it
    auto compiled = compile_param_schema(p.schema);
    Errors errs;
    if (!compiled) {
        for (const auto& e : compiled.error())
            errs.push_back(p.name + ": Schema: " + jsonschema::to_string(e));
        return errs;
    }
    if (auto def = model::default_value(p))
        for (const auto& e : compiled.value().validate(*def))
            errs.push_back(p.name + ": Schema default: " + jsonschema::to_string(e));
    return errs;
}

model::Errors param_value_errors(const model::Param& def, const model::Json& value, bool secret) {
    Errors errs;
    if (!(def.schema.is_object() || def.schema.is_boolean())) return errs;
    auto compiled = compile_param_schema(def.schema);
    if (!compiled) return errs;  // a Param whose schema does not compile was never stored
    for (const auto& e : compiled.value().validate(value)) {
        if (!secret) {
            errs.push_back("Param " + def.name + ": " + jsonschema::to_string(e));
            continue;
        }
        std::string rule = e.schema_pointer.empty() ? std::string("(root)") : e.schema_pointer;
        errs.push_back("Param " + def.name + ": the value fails the schema at " + rule +
                       " (a secure value is not shown)");
    }
    return errs;
}

namespace {

std::optional<std::string> parse_error(const std::string& name, const std::string& text) {
    tmpl::TemplateSet set;
    return set.add(name.empty() ? "template" : name, text);
}

Errors template_info_parse_errors(const std::string& key,
                                  const std::vector<model::TemplateInfo>& infos) {
    Errors errs;
    for (std::size_t i = 0; i < infos.size(); ++i) {
        const std::string at = key + ": Template[" + std::to_string(i) + "]";
        if (auto e = parse_error(infos[i].name, infos[i].contents))
            errs.push_back(at + " Contents: " + *e);
        if (auto e = parse_error(infos[i].name, infos[i].path))
            errs.push_back(at + " Path is not a valid text/template: " + *e);
    }
    return errs;
}

}  // namespace

Errors extra_validation(const model::Template& t) {
    if (auto e = parse_error(t.id, t.contents)) return {t.id + ": " + *e};
    return {};
}
Errors extra_validation(const model::Task& t) {
    Errors errs = template_info_parse_errors(t.name, t.templates);
    // Meta.timeout (beyond DRP) is enforced by the agent and the server's sweeper: it must mean
    // something to both.
    if (auto it = t.meta.find("timeout"); it != t.meta.end() && !rules::parse_timeout(it->second))
        errs.push_back(t.name + ": Meta.timeout `" + it->second +
                       "` is not a number of seconds or a Go duration such as 90s or 15m");
    return errs;
}
Errors extra_validation(const model::Stage& s) {
    return template_info_parse_errors(s.name, s.templates);
}
Errors extra_validation(const model::BootEnv& b) {
    return template_info_parse_errors(b.name, b.templates);
}

void on_save(model::Task& t) {
    rules::apply_task_exit_code_flag(t.meta);
}
void on_save(model::Stage& s) {
    s.runner_wait = true;
}

}  // namespace drover::objects
