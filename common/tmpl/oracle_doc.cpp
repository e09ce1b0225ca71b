// See oracle_doc.hpp. Templates are added in sorted name order (Go's map order is random,
// so inputs that depend on the order are ill-defined for the oracle too).
#include "common/tmpl/oracle_doc.hpp"

#include <nlohmann/json.hpp>

namespace drover::tmpl {

namespace {

class JsonParams : public ParamSource {
  public:
    explicit JsonParams(const nlohmann::json* params) : params_(params) {}
    Lookup lookup(std::string_view name) const override {
        if (params_ == nullptr || !params_->is_object()) return Lookup::success(std::nullopt);
        auto it = params_->find(std::string(name));
        if (it == params_->end()) return Lookup::success(std::nullopt);
        return Lookup::success(*it);
    }

  private:
    const nlohmann::json* params_;
};

const nlohmann::json* member(const nlohmann::json& in, const char* key) {
    auto it = in.find(key);
    return it == in.end() ? nullptr : &*it;
}

std::string string_member(const nlohmann::json& in, const char* key) {
    auto it = in.find(key);
    return (it != in.end() && it->is_string()) ? it->get<std::string>() : "";
}

}  // namespace

Result<std::string> render_oracle_document(const nlohmann::json& doc) {
    if (!doc.is_object()) return Result<std::string>::failure("invalid input: not a JSON object");
    TemplateSet set;
    if (auto t = member(doc, "templates"); t && t->is_object()) {
        for (const auto& [name, text] : t->items()) {
            if (!text.is_string()) continue;
            if (auto err = set.add(name, text.get<std::string>())) {
                return Result<std::string>::failure(*err);
            }
        }
    }
    JsonParams source(member(doc, "params"));
    RenderContext ctx;
    ctx.machine = member(doc, "machine");
    ctx.task = member(doc, "task");
    ctx.stage = member(doc, "stage");
    ctx.env = member(doc, "env");
    ctx.params = &source;
    ctx.api_url = string_member(doc, "apiURL");
    ctx.provisioner_url = string_member(doc, "provisionerURL");
    ctx.extensions = false;  // exactly the oracle's render data
    return set.render(string_member(doc, "main"), ctx);
}

}  // namespace drover::tmpl
