// A rules::Catalog over one store snapshot or write transaction: objects are decoded on first
// use and cached for the catalog's lifetime (one request). Writers call forget() after putting an
// object so later lookups in the same transaction see the new version. Decoding is also shared
// across requests on the same thread: a stored value identical to the last one decoded for its
// key is not parsed again (every machine write checks each task of its list).
#pragma once
#include <map>
#include <memory>
#include <optional>

#include "common/rules/catalog.hpp"
#include "server/store/store.hpp"

namespace drover::objects {

class StoreCatalog : public rules::Catalog {
  public:
    explicit StoreCatalog(const store::ReadView& view) : view_(view) {}

    const model::Stage* stage(const std::string& name) const override;
    const model::BootEnv* boot_env(const std::string& name) const override;
    const model::Task* task(const std::string& name) const override;
    const model::Workflow* workflow(const std::string& name) const override;
    const model::Profile* profile(const std::string& name) const override;
    const model::Param* param(const std::string& name) const override;
    const model::Template* template_(const std::string& id) const;

    void forget(const std::string& prefix, const std::string& key);

  private:
    template <class T>
    using Cache = std::map<std::string, std::shared_ptr<const T>>;  // nullptr: none

    template <class T>
    const T* lookup(Cache<T>& cache, const std::string& key) const;

    const store::ReadView& view_;
    mutable Cache<model::Stage> stages_;
    mutable Cache<model::BootEnv> boot_envs_;
    mutable Cache<model::Task> tasks_;
    mutable Cache<model::Workflow> workflows_;
    mutable Cache<model::Profile> profiles_;
    mutable Cache<model::Param> params_;
    mutable Cache<model::Template> templates_;
};

}  // namespace drover::objects
