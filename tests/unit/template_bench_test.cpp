// Timing tool (hidden Catch2 case, not a pass/fail test): renders a 200-line task
// template with 30 params, as the server does per GET /jobs/<id>/actions, and prints the
// mean time. Run: unit_tests "[.bench]" -s   (the figure is recorded in BENCHMARKS.md).
#include <catch2/catch.hpp>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/tmpl/template.hpp"

namespace {

using nlohmann::json;

class MapParams : public drover::tmpl::ParamSource {
  public:
    explicit MapParams(json p) : p_(std::move(p)) {}
    Lookup lookup(std::string_view name) const override {
        auto it = p_.find(std::string(name));
        if (it == p_.end()) return Lookup::success(std::nullopt);
        return Lookup::success(*it);
    }

  private:
    json p_;
};

json bench_params() {
    json p = json::object();
    for (int i = 0; i < 20; ++i)
        p["param-" + std::to_string(i)] = "value-" + std::to_string(i);
    p["rs-debug-enable"] = false;
    p["ntp-servers"] = json::array({"0.pool.ntp.org", "1.pool.ntp.org", "2.pool.ntp.org"});
    p["disk-layout"] = {{"root", {{"size", 20000}, {"fs", "xfs"}}}, {"swap", {{"size", 4096}}}};
    p["retries"] = 5;
    p["timeout"] = 1.5;
    p["packages"] = json::array({"curl", "jq", "ipmitool", "lldpd", "chrony"});
    p["proxy"] = "http://proxy:3128";
    p["features"] = {{"a", true}, {"b", false}};
    p["hostname"] = "node1";
    p["big"] = 1000000;
    return p;
}

std::string bench_task() {
    std::string t = "#!/usr/bin/env bash\n{{template \"setup.tmpl\" .}}\n";
    for (int i = 0; i < 20; ++i) {
        std::string n = std::to_string(i);
        t += "# step " + n + "\n";
        t += "{{if .ParamExists \"param-" + n + "\"}}P" + n + "={{.Param \"param-" + n +
             "\" | quote}}{{else}}P" + n + "=unset{{end}}\n";
        t += "echo \"{{.Machine.Name}} step " + n + " of {{len (.Param \"packages\")}}\"\n";
        t += "{{- if eq (.Param \"retries\") 5.0 }}\nRETRIES={{.Param \"retries\"}}\n{{- end }}\n";
        t += "TIMEOUT={{printf \"%.1f\" (.Param \"timeout\")}}\n";
        t += "{{range $i, $p := .Param \"packages\"}}pkg[{{$i}}]={{$p}} {{end}}\n";
        t += "{{with .Param \"disk-layout\"}}ROOT={{.root.size}} FS={{.root.fs}}{{end}}\n";
        t += "{{if and (.Param \"features\").a (not (.Param \"features\").b)}}feature-a{{end}}\n";
        t += "URL={{.ProvisionerURL}}/files/{{.Machine.Arch}}/{{.Param \"hostname\"}}-" + n + "\n";
    }
    t += "{{.ParamAsJSON \"disk-layout\"}}\n{{toJson (.Param \"ntp-servers\")}}\nexit 0\n";
    return t;
}

const char* kSetup =
    "export RS_TOKEN={{.GenerateInfiniteToken}}\nexport RS_ENDPOINT={{.ApiURL}}\n"
    "export RS_UUID={{.Machine.UUID}}\n{{if .Param \"rs-debug-enable\"}}set -x{{end}}\n"
    "[[ -x /usr/local/bin/drpcli ]] || curl -s "
    "{{.ProvisionerURL}}/files/drpcli.{{.Machine.Arch}}\n";

}  // namespace

TEST_CASE("template render benchmark: 200-line task, 30 params", "[.bench]") {
    std::string task = bench_task();
    size_t lines = std::count(task.begin(), task.end(), '\n');
    json machine = {{"Name", "node1.example.com"},
                    {"Uuid", "3e1d7c3a"},
                    {"Address", "10.0.0.5"},
                    {"Arch", "amd64"},
                    {"Profiles", json::array({"p1"})}};
    MapParams params(bench_params());
    drover::tmpl::RenderContext ctx;
    ctx.machine = &machine;
    ctx.params = &params;
    ctx.api_url = "https://10.0.0.1:8092";
    ctx.provisioner_url = "http://10.0.0.1:8091";

    auto render_once = [&] {
        drover::tmpl::TemplateSet set;  // per request, as the server builds it
        REQUIRE_FALSE(set.add("setup.tmpl", kSetup));
        REQUIRE_FALSE(set.add("task", task));
        auto r = set.render("task", ctx);
        REQUIRE(r.ok());
        return r.value().size();
    };
    render_once();  // warm the parse cache
    const int n = 2000;
    auto start = std::chrono::steady_clock::now();
    size_t bytes = 0;
    for (int i = 0; i < n; ++i)
        bytes += render_once();
    auto us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                  .count() /
              n;
    // Cold: a distinct text each time, so every render also lexes and parses the task.
    const int cold_n = 300;
    auto cold_start = std::chrono::steady_clock::now();
    for (int i = 0; i < cold_n; ++i) {
        drover::tmpl::TemplateSet set;
        REQUIRE_FALSE(set.add("setup.tmpl", kSetup));
        REQUIRE_FALSE(set.add("task", task + "{{/* " + std::to_string(i) + " */}}"));
        REQUIRE(set.render("task", ctx).ok());
    }
    auto cold_us =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - cold_start)
            .count() /
        cold_n;
    std::cout << "template parse+render (cache miss): " << cold_us << " us\n";
    std::cout << "template render: " << lines << "-line task, " << bench_params().size()
              << " params, " << bytes / n << " bytes out: " << us << " us/render (mean of " << n
              << ")\n";
}
