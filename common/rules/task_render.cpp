// See task_render.hpp. The template namespace is rebuilt for every render (DRP's MergeTemplates:
// global templates, then the task's inline ones, which win a name clash); the engine's parse
// cache keeps that cheap, and a fresh set means a render never sees another task's templates.
#include "common/rules/task_render.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/rules/secure_params.hpp"
#include "common/tmpl/gopath.hpp"

namespace drover::rules {

MachineParamSource::MachineParamSource(const model::Machine& machine, const Catalog& catalog,
                                       const security::ParamSecrets* secrets)
    : resolver_(machine, catalog), secrets_(secrets) {}

tmpl::ParamSource::Lookup MachineParamSource::lookup(std::string_view name) const {
    std::string key(name);
    auto hit = resolver_.resolve(key);
    if (!hit) return Lookup::success(std::nullopt);
    if (!secrets_) return Lookup::success(std::move(hit->value));
    auto clear = open_resolved(key, *hit, *secrets_);
    if (!clear) return Lookup::failure(clear.error());
    return Lookup::success(std::move(*clear));
}

tmpl::ParamSource::Lookup MachineParamSource::compose(std::string_view name) const {
    std::string key(name);
    std::vector<ResolvedParam> hits = resolver_.hits(key);
    if (secrets_) {
        for (auto& hit : hits) {
            auto clear = open_resolved(key, hit, *secrets_);
            if (!clear) return Lookup::failure(clear.error());
            hit.value = std::move(*clear);
        }
    }
    return Lookup::success(compose_values(hits));
}

namespace {

using model::Errors;
using Rendered = tmpl::Result<std::string>;

std::optional<std::string> missing_input(const TaskRenderInput& in) {
    if (!in.task) return "No task to render";
    if (!in.machine) return "No machine to render against";  // DRP's text
    if (!in.catalog) return "No catalog to resolve params against";
    return std::nullopt;
}

std::string where(const model::Task& task, const model::TemplateInfo& ti) {
    return "task " + task.name + " template " + ti.name;
}

// spec 7.4: every RequiredParams entry must pass ParamExists (a schema default counts).
void check_required_params(const model::Task& task, const tmpl::ParamSource& params, Errors& errs) {
    for (const auto& p : task.required_params) {
        auto found = params.lookup(p);
        if (!found.ok())
            errs.push_back(found.error());
        else if (!found.value())
            errs.push_back("Missing required parameter " + p + " for tasks " + task.name);
    }
}

// spec 7.1: every global Template under its ID, then the task's inline TemplateInfos under their
// Name. Globals go in ID order so that {{define}} clashes between them resolve the same way
// whatever order the caller listed them in.
tmpl::TemplateSet template_namespace(const TaskRenderInput& in, Errors& errs) {
    std::vector<const model::Template*> globals = in.templates;
    std::sort(globals.begin(), globals.end(),
              [](const model::Template* a, const model::Template* b) { return a->id < b->id; });
    tmpl::TemplateSet set;
    for (const model::Template* t : globals)
        if (auto e = set.add(t->id, t->contents)) errs.push_back("template " + t->id + ": " + *e);
    for (const auto& ti : in.task->templates) {
        if (!ti.id.empty() || ti.contents.empty()) continue;
        if (auto e = set.add(ti.name, ti.contents)) errs.push_back(where(*in.task, ti) + ": " + *e);
    }
    return set;
}

// spec 7.1: a Path is a template of its own, named after its TemplateInfo as in DRP, rendered
// with missingkey=error. Task paths are path.Clean-ed and may stay relative; "" means a script.
Rendered render_path(const model::TemplateInfo& ti, tmpl::RenderContext ctx) {
    if (ti.path.empty()) return Rendered::success("");
    tmpl::TemplateSet set;
    if (auto e = set.add(ti.name, ti.path)) return Rendered::failure(*e);
    ctx.missing_key_error = true;
    auto out = set.render(ti.name, ctx);
    if (!out.ok()) return out;
    return Rendered::success(tmpl::path_clean(out.value()));
}

// One JobAction per TemplateInfo with Name, Meta and the rendered Path; Content comes later.
std::vector<model::JobAction> actions_with_paths(const model::Task& task,
                                                 const tmpl::RenderContext& ctx, Errors& errs) {
    std::vector<model::JobAction> actions;
    for (const auto& ti : task.templates) {
        auto path = render_path(ti, ctx);
        if (!path.ok()) errs.push_back(where(task, ti) + " path: " + path.error());
        model::JobAction a;
        a.name = ti.name;
        a.path = path.ok() ? path.value() : "";
        a.meta = ti.meta;
        actions.push_back(std::move(a));
    }
    return actions;
}

// A TemplateInfo with an ID runs that global template, an inline one its own Name (DRP's Id()).
Rendered render_content(const tmpl::TemplateSet& set, const model::TemplateInfo& ti,
                        const tmpl::RenderContext& ctx) {
    const std::string& name = ti.id.empty() ? ti.name : ti.id;
    if (!set.contains(name)) return Rendered::failure("Missing template: " + name);
    return set.render(name, ctx);
}

void fill_contents(const model::Task& task, const tmpl::TemplateSet& set,
                   const tmpl::RenderContext& ctx, std::vector<model::JobAction>& actions,
                   Errors& errs) {
    for (std::size_t i = 0; i < actions.size(); ++i) {
        auto content = render_content(set, task.templates[i], ctx);
        if (content.ok())
            actions[i].content = content.value();
        else
            errs.push_back(where(task, task.templates[i]) + ": " + content.error());
    }
}

tmpl::RenderContext make_context(const TaskRenderInput& in, const model::Json& task_json,
                                 const tmpl::ParamSource& params) {
    tmpl::RenderContext ctx;
    ctx.machine = in.machine_json;
    ctx.task = &task_json;
    ctx.stage = in.stage_json;
    ctx.env = in.boot_env_json;
    ctx.info = in.info_json;
    ctx.params = &params;
    ctx.tokens = in.tokens;
    ctx.api_url = in.api_url;
    ctx.provisioner_url = in.provisioner_url;
    ctx.extensions = true;  // the server offers .ComposeParam and .Info beyond the Go oracle
    return ctx;
}

}  // namespace

api::Expected<std::vector<model::JobAction>, Errors> render_task_actions(
    const TaskRenderInput& in) {
    if (auto e = missing_input(in)) return api::unexpected(Errors{*e});
    const model::Task& task = *in.task;
    MachineParamSource params(*in.machine, *in.catalog, in.secrets);
    const model::Json task_json = model::encode(task);
    const tmpl::RenderContext ctx = make_context(in, task_json, params);

    Errors errs;
    check_required_params(task, params, errs);
    const tmpl::TemplateSet set = template_namespace(in, errs);
    std::vector<model::JobAction> actions = actions_with_paths(task, ctx, errs);
    if (!errs.empty()) return api::unexpected(std::move(errs));
    fill_contents(task, set, ctx, actions, errs);
    if (!errs.empty()) return api::unexpected(std::move(errs));
    return model::filter_actions_for_os(actions, in.target_os);
}

}  // namespace drover::rules
