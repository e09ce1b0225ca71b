// Rendering tasks for machines on the server (spec 1.5, 7): GET /jobs/<uuid>/actions renders the
// job's task against the machine's current state, and the dry run renders tasks a machine has
// yet to run without creating or changing anything. Each call reads one consistent snapshot.
// With `decode` (issue 7: the caller may read the machine's secure values, as its own agent
// may) `.Param` and friends see secure values in clear and one that does not decrypt fails the
// render; without, templates see them sealed. `.Machine.Params` always shows them sealed.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include <functional>

#include "common/model/codec.hpp"
#include "common/model/error.hpp"
#include "common/model/machine.hpp"
#include "server/objects/object_errors.hpp"

namespace drover::objects {
class ObjectService;
}
namespace drover::tmpl {
class TokenSource;
}

namespace drover::jobs {

struct RenderSettings {
    std::string api_url;          // .ApiURL
    std::string provisioner_url;  // .ProvisionerURL
    model::Json info;             // .Info
    // .GenerateToken and friends: the machine's own tokens (issue 7).
    std::function<std::shared_ptr<const tmpl::TokenSource>(const model::Machine&)> tokens_for;
};

// What the dry run renders: one named task, or (no task) every task left in the machine's list.
struct DryRunRequest {
    std::optional<std::string> task;
    std::string target_os;
};

class ActionRenderer {
  public:
    ActionRenderer(objects::ObjectService& objects, RenderSettings settings);

    // The job's JobActions (422 with the render or required-param errors; 404 unknown job).
    objects::ObjectResult job_actions(const std::string& job, const std::string& target_os,
                                      bool decode = false) const;
    // {"Machine", "Tasks": [{"Task", "Index", "Actions"} | {"Task", "Index", "Errors"}]}.
    objects::ObjectResult dry_run(const std::string& machine, const DryRunRequest& request,
                                  bool decode = false) const;

  private:
    objects::ObjectService& objects_;
    RenderSettings settings_;
};

}  // namespace drover::jobs
