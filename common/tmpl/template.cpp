// TemplateSet: parsing through a process-wide cache keyed by (name, text) so repeated
// renders of the same content skip lexing/parsing; execution errors are caught here and
// returned as values (the engine uses exceptions only internally).
#include "common/tmpl/template.hpp"

#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "common/tmpl/func.hpp"
#include "common/tmpl/gofmt.hpp"
#include "common/tmpl/parser.hpp"
#include "common/tmpl/render_data.hpp"

namespace drover::tmpl {

namespace {

bool has_function(std::string_view name) {
    std::string n(name);
    return sprig_funcs().count(n) > 0 || builtin_funcs().count(n) > 0;
}

struct CacheEntry {
    std::string name, text;
    std::shared_ptr<const TreeMap> trees;
};

class ParseCache {
  public:
    std::shared_ptr<const TreeMap> get(const std::string& name, std::string_view text,
                                       std::string* err) {
        size_t h = std::hash<std::string_view>{}(text) ^ (std::hash<std::string>{}(name)*31);
        {
            std::lock_guard<std::mutex> lock(mu_);
            auto it = entries_.find(h);
            if (it != entries_.end() && it->second.name == name && it->second.text == text) {
                return it->second.trees;
            }
        }
        std::shared_ptr<const TreeMap> trees;
        try {
            auto parsed = parse_text(name, text, has_function);
            auto out = std::make_shared<TreeMap>();
            for (auto& [k, v] : parsed)
                (*out)[k] = v;
            trees = out;
        } catch (const ParseError& e) {
            *err = e.msg;
            return nullptr;
        }
        std::lock_guard<std::mutex> lock(mu_);
        if (entries_.size() >= kMaxEntries) entries_.clear();
        entries_[h] = CacheEntry{name, std::string(text), trees};
        return trees;
    }

  private:
    static constexpr size_t kMaxEntries = 4096;
    std::mutex mu_;
    std::unordered_map<size_t, CacheEntry> entries_;
};

ParseCache& cache() {
    static ParseCache c;
    return c;
}

}  // namespace

std::shared_ptr<const TreeMap> parse_cached(const std::string& name, std::string_view text,
                                            std::string* err) {
    return cache().get(name, text, err);
}

void associate(TreeMap& set, const TreeMap& parsed) {
    for (const auto& [name, tree] : parsed) {
        auto it = set.find(name);
        if (it != set.end() && is_empty_tree(tree->root.get())) continue;
        set[name] = tree;
    }
}

Result<std::string> execute_named(const TreeMap& set, const std::string& name, const Value& dot,
                                  bool missing_key_error, const RenderLimits& limits) {
    auto it = set.find(name);
    if (it == set.end()) {
        return Result<std::string>::failure("template: no template " + go_quote(name) +
                                            " associated with template \"\"");
    }
    std::string out;
    try {
        execute(set, *it->second, dot, out, missing_key_error, limits);
    } catch (const ExecError& e) {
        return Result<std::string>::failure(e.msg);
    }
    return Result<std::string>::success(std::move(out));
}

ParamSource::~ParamSource() = default;

ParamSource::Lookup ParamSource::compose(std::string_view name) const {
    return lookup(name);
}

struct TemplateSet::Impl {
    std::shared_ptr<const TreeMap> trees = std::make_shared<TreeMap>();
};

TemplateSet::TemplateSet() : impl_(std::make_shared<Impl>()) {}
TemplateSet::~TemplateSet() = default;
TemplateSet::TemplateSet(const TemplateSet&) = default;
TemplateSet& TemplateSet::operator=(const TemplateSet&) = default;

std::optional<std::string> TemplateSet::add(const std::string& name, std::string_view text) {
    std::string err;
    auto parsed = parse_cached(name, text, &err);
    if (!parsed) return err;
    auto next = std::make_shared<Impl>();
    auto trees = std::make_shared<TreeMap>(*impl_->trees);
    associate(*trees, *parsed);
    next->trees = trees;
    impl_ = next;
    return std::nullopt;
}

bool TemplateSet::contains(const std::string& name) const {
    return impl_->trees->count(name) > 0;
}

Result<std::string> TemplateSet::render(const std::string& name, const RenderContext& ctx) const {
    Value dot = make_render_data(ctx, impl_->trees);
    return execute_named(*impl_->trees, name, dot, ctx.missing_key_error, ctx.limits);
}

}  // namespace drover::tmpl
