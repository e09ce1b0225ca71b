// `drover template render`: renders a task template offline from the JSON document that
// the Go reference renderer (tools/gotmpl-oracle) reads, so both can be compared byte for
// byte. Output on stdout; on error the Go-style message on stderr and exit status 1.
#include <CLI/CLI.hpp>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "agent/cli/commands.hpp"
#include "common/tmpl/template.hpp"

namespace drover::cli {

namespace {

class JsonParams : public tmpl::ParamSource {
public:
    explicit JsonParams(const nlohmann::json& params) : params_(params) {}
    std::optional<nlohmann::json> lookup(std::string_view name) const override {
        if (!params_.is_object()) return std::nullopt;
        auto it = params_.find(std::string(name));
        if (it == params_.end()) return std::nullopt;
        return *it;
    }

private:
    const nlohmann::json& params_;
};

const nlohmann::json* member(const nlohmann::json& in, const char* key) {
    auto it = in.find(key);
    return it == in.end() ? nullptr : &*it;
}

std::string string_member(const nlohmann::json& in, const char* key) {
    auto it = in.find(key);
    return (it != in.end() && it->is_string()) ? it->get<std::string>() : "";
}

int render(std::istream& input) {
    std::string raw((std::istreambuf_iterator<char>(input)), std::istreambuf_iterator<char>());
    auto in = nlohmann::json::parse(raw, nullptr, false);
    if (in.is_discarded() || !in.is_object()) {
        std::cerr << "invalid input: not a JSON object\n";
        return 1;
    }
    tmpl::TemplateSet set;
    if (auto t = member(in, "templates"); t && t->is_object()) {
        for (const auto& [name, text] : t->items()) {
            if (!text.is_string()) continue;
            if (auto err = set.add(name, text.get<std::string>())) {
                std::cerr << *err << '\n';
                return 1;
            }
        }
    }
    static const nlohmann::json kNull;
    const nlohmann::json* params = member(in, "params");
    JsonParams source(params ? *params : kNull);
    tmpl::RenderContext ctx;
    ctx.machine = member(in, "machine");
    ctx.task = member(in, "task");
    ctx.stage = member(in, "stage");
    ctx.env = member(in, "env");
    ctx.params = &source;
    ctx.api_url = string_member(in, "apiURL");
    ctx.provisioner_url = string_member(in, "provisionerURL");
    ctx.extensions = false;  // exactly the oracle's render data
    auto result = set.render(string_member(in, "main"), ctx);
    if (!result.ok()) {
        std::cerr << result.error() << '\n';
        return 1;
    }
    std::cout << result.value();
    std::cout.flush();
    return 0;
}

}  // namespace

void add_template_commands(CLI::App& app) {
    auto* cmd = app.add_subcommand("template", "Template tools");
    cmd->require_subcommand(1);
    auto* r = cmd->add_subcommand(
        "render", "Render a template from the gotmpl-oracle JSON document read on stdin");
    r->callback([] {
        if (int rc = render(std::cin); rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace drover::cli
