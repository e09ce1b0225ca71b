// The read-only view of stored objects that the rules need (reference checks, param precedence,
// task-list rewrites). The server implements it over one store snapshot; tests over maps. The
// returned pointers stay valid for the catalog's lifetime; nullptr means "does not exist".
#pragma once
#include <string>

#include "common/model/bootenv.hpp"
#include "common/model/param.hpp"
#include "common/model/profile.hpp"
#include "common/model/stage.hpp"
#include "common/model/task.hpp"
#include "common/model/workflow.hpp"

namespace drover::rules {

class Catalog {
  public:
    virtual ~Catalog() = default;
    virtual const model::Stage* stage(const std::string& name) const = 0;
    virtual const model::BootEnv* boot_env(const std::string& name) const = 0;
    virtual const model::Task* task(const std::string& name) const = 0;
    virtual const model::Workflow* workflow(const std::string& name) const = 0;
    virtual const model::Profile* profile(const std::string& name) const = 0;
    virtual const model::Param* param(const std::string& name) const = 0;
};

}  // namespace drover::rules
