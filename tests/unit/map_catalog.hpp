// A Catalog over in-memory maps, for testing the rules without a store.
#pragma once
#include <map>

#include "common/rules/catalog.hpp"

namespace drover::testing {

class MapCatalog : public rules::Catalog {
  public:
    std::map<std::string, model::Stage> stages;
    std::map<std::string, model::BootEnv> boot_envs;
    std::map<std::string, model::Task> tasks;
    std::map<std::string, model::Workflow> workflows;
    std::map<std::string, model::Profile> profiles;
    std::map<std::string, model::Param> params;

    const model::Stage* stage(const std::string& n) const override { return find(stages, n); }
    const model::BootEnv* boot_env(const std::string& n) const override {
        return find(boot_envs, n);
    }
    const model::Task* task(const std::string& n) const override { return find(tasks, n); }
    const model::Workflow* workflow(const std::string& n) const override {
        return find(workflows, n);
    }
    const model::Profile* profile(const std::string& n) const override { return find(profiles, n); }
    const model::Param* param(const std::string& n) const override { return find(params, n); }

    model::Stage& add_stage(const std::string& name, std::vector<std::string> tasks_,
                            std::string boot_env = "") {
        auto& s = stages[name];
        s.name = name;
        s.tasks = std::move(tasks_);
        s.boot_env = std::move(boot_env);
        s.validated = s.available = true;
        return s;
    }
    model::Task& add_task(const std::string& name, std::vector<std::string> prereqs = {}) {
        auto& t = tasks[name];
        t.name = name;
        t.prerequisites = std::move(prereqs);
        t.validated = t.available = true;
        return t;
    }
    model::Profile& add_profile(const std::string& name, model::Params params_ = {},
                                std::vector<std::string> nested = {}) {
        auto& p = profiles[name];
        p.name = name;
        p.params = std::move(params_);
        p.profiles = std::move(nested);
        p.validated = p.available = true;
        return p;
    }
    model::BootEnv& add_boot_env(const std::string& name, bool only_unknown = false) {
        auto& b = boot_envs[name];
        b.name = name;
        b.only_unknown = only_unknown;
        b.validated = b.available = true;
        return b;
    }

  private:
    template <class T>
    static const T* find(const std::map<std::string, T>& m, const std::string& n) {
        auto it = m.find(n);
        return it == m.end() ? nullptr : &it->second;
    }
};

}  // namespace drover::testing
