#include "server/objects/store_catalog.hpp"

namespace drover::objects {

namespace {

// The last decoding of each key on this thread, by the stored bytes it came from. Bounded: a
// thread that has seen too many keys starts over.
template <class T>
struct DecodedCache {
    struct Entry {
        std::string raw;
        std::shared_ptr<const T> obj;
    };
    static constexpr std::size_t kMaxEntries = 4096;
    std::map<std::string, Entry, std::less<>> entries;

    std::shared_ptr<const T> decode(const std::string& key, std::string raw) {
        auto it = entries.find(key);
        if (it != entries.end() && it->second.raw == raw) return it->second.obj;
        auto doc = model::Json::parse(raw, nullptr, /*allow_exceptions=*/false);
        auto decoded = std::make_shared<T>();
        if (doc.is_discarded() || !model::decode(doc, *decoded).empty()) return nullptr;
        if (entries.size() >= kMaxEntries) entries.clear();
        entries[key] = {std::move(raw), decoded};
        return decoded;
    }
};

}  // namespace

template <class T>
const T* StoreCatalog::lookup(Cache<T>& cache, const std::string& key) const {
    thread_local DecodedCache<T> decoded;
    auto it = cache.find(key);
    if (it == cache.end()) {
        std::shared_ptr<const T> obj;
        if (auto raw = view_.get(T::kPrefix, key)) obj = decoded.decode(key, std::move(*raw));
        it = cache.emplace(key, std::move(obj)).first;
    }
    return it->second.get();
}

const model::Stage* StoreCatalog::stage(const std::string& n) const {
    return lookup(stages_, n);
}
const model::BootEnv* StoreCatalog::boot_env(const std::string& n) const {
    return lookup(boot_envs_, n);
}
const model::Task* StoreCatalog::task(const std::string& n) const {
    return lookup(tasks_, n);
}
const model::Workflow* StoreCatalog::workflow(const std::string& n) const {
    return lookup(workflows_, n);
}
const model::Profile* StoreCatalog::profile(const std::string& n) const {
    return lookup(profiles_, n);
}
const model::Param* StoreCatalog::param(const std::string& n) const {
    return lookup(params_, n);
}
const model::Template* StoreCatalog::template_(const std::string& id) const {
    return lookup(templates_, id);
}

void StoreCatalog::forget(const std::string& prefix, const std::string& key) {
    if (prefix == model::Stage::kPrefix)
        stages_.erase(key);
    else if (prefix == model::BootEnv::kPrefix)
        boot_envs_.erase(key);
    else if (prefix == model::Task::kPrefix)
        tasks_.erase(key);
    else if (prefix == model::Workflow::kPrefix)
        workflows_.erase(key);
    else if (prefix == model::Profile::kPrefix)
        profiles_.erase(key);
    else if (prefix == model::Param::kPrefix)
        params_.erase(key);
    else if (prefix == model::Template::kPrefix)
        templates_.erase(key);
}

}  // namespace drover::objects
