// spec 1.5/7: a Task rendered into the JobActions a machine runs (GET /jobs/<id>/actions and the
// dry-run of a machine's remaining tasks). Pure: the caller passes objects read in one snapshot;
// params resolve by spec 8 through the Catalog, so a render always sees the current values.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "common/api/expected.hpp"
#include "common/model/job.hpp"
#include "common/model/machine.hpp"
#include "common/model/task.hpp"
#include "common/rules/catalog.hpp"
#include "common/rules/param_precedence.hpp"
#include "common/security/secure_value.hpp"
#include "common/tmpl/template.hpp"

namespace drover::rules {

// The tmpl::ParamSource over spec 8: `.Param`/`.ParamExists` see ParamResolver::resolve (a
// schema default counts), `.ComposeParam` sees compose_values. With `secrets`, sealed values are
// opened for the level they come from (issue 7: a machine's own job rendering reads its secure
// params in clear) and one that does not open fails the render; without, they are seen sealed.
class MachineParamSource : public tmpl::ParamSource {
  public:
    MachineParamSource(const model::Machine& machine, const Catalog& catalog,
                       const security::ParamSecrets* secrets = nullptr);
    Lookup lookup(std::string_view name) const override;
    Lookup compose(std::string_view name) const override;

  private:
    ParamResolver resolver_;
    const security::ParamSecrets* secrets_;
};

// task, machine and catalog are required (a null one is an error, not undefined behaviour); the
// JSON views are what templates see as .Machine/.Stage/.Env/.Info, null ones are nil maps.
struct TaskRenderInput {
    const model::Task* task = nullptr;
    const model::Machine* machine = nullptr;        // params and RequiredParams resolve against it
    const model::Json* machine_json = nullptr;      // .Machine (the caller hides Secret)
    const model::Json* stage_json = nullptr;        // .Stage: the machine's current stage
    const model::Json* boot_env_json = nullptr;     // .Env: the machine's current bootenv
    const model::Json* info_json = nullptr;         // .Info
    std::vector<const model::Template*> templates;  // every stored global Template, non-null
    const Catalog* catalog = nullptr;
    const tmpl::TokenSource* tokens = nullptr;  // null: the engine's placeholder tokens
    // Opens secure values (MachineParamSource); null renders them in their sealed form.
    const security::ParamSecrets* secrets = nullptr;
    std::string api_url;
    std::string provisioner_url;
    std::string target_os;  // "" = no OS filter (spec 1.5)
};

// spec 7.1/7.4: one JobAction per TemplateInfo, in order, then the spec 1.5 OS filter. Errors are
// collected in two rounds as DRP does: first every missing required param ("Missing required
// parameter <p> for tasks <t>"), template parse error and Path error; only when those are clean
// are the contents rendered, each failing template adding "task <t> template <name>: <error>".
// Any error fails the whole render.
api::Expected<std::vector<model::JobAction>, model::Errors> render_task_actions(
    const TaskRenderInput& in);

}  // namespace drover::rules
