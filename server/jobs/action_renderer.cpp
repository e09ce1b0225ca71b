#include "server/jobs/action_renderer.hpp"

#include "common/rules/task_entry.hpp"
#include "common/rules/task_render.hpp"
#include "server/objects/object_service.hpp"
#include "server/objects/store_catalog.hpp"

namespace drover::jobs {

using model::Json;
using objects::ObjectResult;

namespace {

// Everything one render reads, from one snapshot: the catalog caches decoded objects and the
// global templates are loaded once however many tasks are rendered.
class RenderScope {
  public:
    explicit RenderScope(const store::ReadView& view) : view_(view), catalog_(view) {}

    std::optional<Json> object(const char* bucket, const std::string& key) const {
        auto raw = view_.get(bucket, key);
        if (!raw) return std::nullopt;
        Json doc = Json::parse(*raw);
        if (doc.contains("Secret")) doc["Secret"] = "";  // templates never see a machine secret
        return doc;
    }
    const std::vector<const model::Template*>& templates() {
        if (!loaded_) {
            view_.scan("templates", "", [&](std::string_view, std::string_view raw) {
                model::Template t;
                model::decode(Json::parse(raw), t);
                owned_.push_back(std::move(t));
                return true;
            });
            for (const auto& t : owned_)
                pointers_.push_back(&t);
            loaded_ = true;
        }
        return pointers_;
    }
    const objects::StoreCatalog& catalog() const { return catalog_; }

  private:
    const store::ReadView& view_;
    objects::StoreCatalog catalog_;
    std::vector<model::Template> owned_;
    std::vector<const model::Template*> pointers_;
    bool loaded_ = false;
};

api::Expected<std::vector<model::JobAction>, model::Errors> render_for(
    RenderScope& scope, const RenderSettings& settings, const model::Task& task,
    const model::Machine& machine, const std::string& target_os,
    const security::ParamSecrets* secrets) {
    Json machine_json = model::encode(machine);
    machine_json["Secret"] = "";
    auto stage = scope.object("stages", machine.stage);
    auto env = scope.object("bootenvs", machine.boot_env);
    rules::TaskRenderInput in;
    in.task = &task;
    in.machine = &machine;
    in.machine_json = &machine_json;
    in.stage_json = stage ? &*stage : nullptr;
    in.boot_env_json = env ? &*env : nullptr;
    in.info_json = &settings.info;
    in.templates = scope.templates();
    in.catalog = &scope.catalog();
    std::shared_ptr<const tmpl::TokenSource> tokens =
        settings.tokens_for ? settings.tokens_for(machine) : nullptr;
    in.tokens = tokens.get();
    in.api_url = settings.api_url;
    in.provisioner_url = settings.provisioner_url;
    in.target_os = target_os;
    in.secrets = secrets;
    return rules::render_task_actions(in);
}

Json actions_json(const std::vector<model::JobAction>& actions) {
    Json out = Json::array();
    for (const auto& a : actions)
        out.push_back(model::encode(a));
    return out;
}

template <class T>
std::optional<T> load(const RenderScope& scope, const char* bucket, const std::string& key) {
    auto doc = scope.object(bucket, key);
    if (!doc) return std::nullopt;
    T obj;
    model::decode(*doc, obj);
    return obj;
}

}  // namespace

ActionRenderer::ActionRenderer(objects::ObjectService& objects, RenderSettings settings)
    : objects_(objects), settings_(std::move(settings)) {}

ObjectResult ActionRenderer::job_actions(const std::string& job_id, const std::string& target_os,
                                         bool decode) const {
    const security::ParamSecrets* secrets = decode ? &objects_.secrets() : nullptr;
    std::optional<ObjectResult> out;
    objects_.store().read([&](const store::ReadView& view) {
        RenderScope scope(view);
        auto job = load<model::Job>(scope, "jobs", job_id);
        if (!job) return out.emplace(objects::fail(objects::not_found("jobs", job_id)));
        // Server entries (stage:, bootenv:, chroot: ...) have no actions for the agent to run.
        if (job->task.find(':') != std::string::npos) return out.emplace(Json::array());
        auto machine = load<model::Machine>(scope, "machines", job->machine);
        if (!machine)
            return out.emplace(objects::fail(
                objects::invalid("jobs", job_id, {"Machine " + job->machine + " does not exist"})));
        const model::Task* task = scope.catalog().task(job->task);
        if (!task)
            return out.emplace(objects::fail(
                objects::invalid("jobs", job_id, {"Task " + job->task + " does not exist"})));
        auto actions = render_for(scope, settings_, *task, *machine, target_os, secrets);
        if (!actions)
            return out.emplace(objects::fail(objects::invalid("jobs", job_id, actions.error())));
        return out.emplace(actions_json(actions.value()));
    });
    return *out;
}

ObjectResult ActionRenderer::dry_run(const std::string& machine_id, const DryRunRequest& request,
                                     bool decode) const {
    const security::ParamSecrets* secrets = decode ? &objects_.secrets() : nullptr;
    std::optional<ObjectResult> out;
    objects_.store().read([&](const store::ReadView& view) {
        RenderScope scope(view);
        auto key = objects_.resolve_key(view, "machines", machine_id);
        auto machine = key ? load<model::Machine>(scope, "machines", *key) : std::nullopt;
        if (!machine) return out.emplace(objects::fail(objects::not_found("machines", machine_id)));
        Json tasks = Json::array();
        auto render_one = [&](const std::string& name, int index, const model::Machine& as) {
            Json row{{"Task", name}, {"Index", index}};
            const model::Task* task = scope.catalog().task(name);
            auto actions =
                task ? render_for(scope, settings_, *task, as, request.target_os, secrets)
                     : api::Expected<std::vector<model::JobAction>, model::Errors>(
                           api::unexpected(model::Errors{"Task " + name + " does not exist"}));
            if (actions)
                row["Actions"] = actions_json(actions.value());
            else
                row["Errors"] = actions.error();
            tasks.push_back(std::move(row));
        };
        if (request.task) {
            render_one(*request.task, -1, *machine);
        } else {
            // Walk what is left as the engine would: stage: and bootenv: entries change what the
            // later tasks see (.Stage, .Env and stage params).
            model::Machine as = *machine;
            int first = std::max(0, machine->current_task);
            // The task under CurrentTask is done once its job finished (spec 2.3 step 4).
            auto current = load<model::Job>(scope, "jobs", machine->current_job);
            if (current && current->current_index == machine->current_task &&
                current->state == "finished")
                ++first;
            for (int i = first; i < static_cast<int>(machine->tasks.size()); ++i) {
                const std::string& entry = machine->tasks[static_cast<std::size_t>(i)];
                auto e = rules::parse_task_entry(entry);
                if (e.kind == rules::EntryKind::Stage) as.stage = e.name;
                if (e.kind == rules::EntryKind::BootEnv) as.boot_env = e.name;
                if (e.kind == rules::EntryKind::Context) as.context = e.name;
                if (e.kind == rules::EntryKind::Task) render_one(entry, i, as);
            }
        }
        return out.emplace(Json{{"Machine", machine->uuid}, {"Tasks", std::move(tasks)}});
    });
    return *out;
}

}  // namespace drover::jobs
