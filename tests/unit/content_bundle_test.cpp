// Content bundles (DRP content packs): one YAML or JSON document, or a directory with one object
// per file and raw .tmpl templates; typed objects in dependency order, every problem collected
// with its place, unknown sections refused.
#include <catch2/catch.hpp>

#include "common/content/bundle_parse.hpp"

using namespace drover::content;
using nlohmann::json;

namespace {

Bundle ok(const ParseResult& r) {
    if (!r) FAIL(json(r.error()).dump(2));
    return r.value();
}

drover::model::Errors errors(const ParseResult& r) {
    REQUIRE_FALSE(r);
    return r.error();
}

bool has(const drover::model::Errors& errs, const std::string& msg) {
    for (const auto& e : errs)
        if (e == msg) return true;
    FAIL_CHECK("missing: " << msg << "\nin: " << json(errs).dump(2));
    return false;
}

const char* kYamlBundle = R"(---
meta:
  Name: demo
  Version: 1.2
  Description: "  A demo pack  "
  Documentation: "  kept as is\n"
  Writable: false
  Color: blue
sections:
  tasks:
    hello:
      Templates:
        - Name: say
          ID: hello.tmpl
      Meta: {feature-flags: sane-exit-codes}
    bye:
      Name: bye
      Templates: [{Name: go, Contents: "exit 0"}]
  templates:
    hello.tmpl:
      Contents: |
        echo hello {{.Machine.Name}}
  params:
    demo/count:
      Schema: {type: integer, default: 3}
  workflows:
    wf:
      Stages: [s1]
  stages:
    s1:
      Tasks: [hello, bye]
      Profiles: [p1]
  profiles:
    p1:
      Params: {demo/count: 5, enabled: yes}
  bootenvs:
    demo-install:
      OS: {Name: demo-1}
)";

}  // namespace

TEST_CASE("a YAML bundle file becomes typed objects", "[content][bundle]") {
    Bundle b = ok(parse_file({"demo.yaml", kYamlBundle}));
    CHECK(bundle_name(b) == "demo");
    CHECK(b.meta["Version"] == "1.2");  // a number in a string field becomes its text
    CHECK(b.meta["Description"] == "A demo pack");
    CHECK(b.meta["Documentation"] == "  kept as is\n");
    CHECK(b.meta["Writable"] == false);
    CHECK(b.meta["Color"] == "blue");
    REQUIRE(b.tasks.size() == 2);
    CHECK(b.tasks[0].name == "bye");    // sorted by key
    CHECK(b.tasks[1].name == "hello");  // the section key fills the missing Name
    CHECK(b.tasks[1].templates[0].id == "hello.tmpl");
    CHECK(b.tasks[1].meta.at("feature-flags") == "sane-exit-codes");
    REQUIRE(b.templates.size() == 1);
    CHECK(b.templates[0].contents == "echo hello {{.Machine.Name}}\n");
    REQUIRE(b.params.size() == 1);
    CHECK(b.params[0].schema["default"] == 3);
    CHECK(b.profiles[0].params.at("enabled") == true);
    CHECK(b.stages[0].tasks == std::vector<std::string>{"hello", "bye"});
    CHECK(b.workflows[0].stages == std::vector<std::string>{"s1"});
    CHECK(b.bootenvs[0].os.name == "demo-1");

    json summary_doc = summary(b);
    CHECK(summary_doc["meta"]["Name"] == "demo");
    CHECK(summary_doc["Counts"] == json({{"tasks", 2},
                                         {"templates", 1},
                                         {"params", 1},
                                         {"workflows", 1},
                                         {"stages", 1},
                                         {"profiles", 1},
                                         {"bootenvs", 1}}));
    CHECK(summary_doc["Warnings"] == json::array());
}

TEST_CASE("sections are visited in dependency order", "[content][bundle]") {
    std::vector<std::string> order;
    Bundle{}.for_each_section([&](const auto& section) {
        using T = typename std::decay_t<decltype(section)>::value_type;
        order.push_back(T::kPrefix);
    });
    CHECK(order == std::vector<std::string>{"params", "templates", "tasks", "bootenvs", "stages",
                                            "profiles", "workflows"});
    CHECK(section_list() == "params, templates, tasks, bootenvs, stages, profiles, workflows");
}

TEST_CASE("a JSON bundle, and sections beside meta, read the same", "[content][bundle]") {
    json doc = {
        {"meta", {{"Name", "j"}}},
        {"sections", {{"profiles", {{"p1", {{"Params", {{"big", 18446744073709551615u}}}}}}}}},
        {"tasks", {{"t1", {{"Name", "t1"}}}}}};
    Bundle b = ok(parse_file({"bundle.json", doc.dump()}));
    CHECK(b.profiles[0].params.at("big").get<uint64_t>() == 18446744073709551615u);
    CHECK(b.tasks[0].name == "t1");

    // to_document is DRP's {meta, sections} and reads back to the same objects.
    json again = to_document(b);
    CHECK(again["sections"]["tasks"]["t1"]["Name"] == "t1");
    CHECK(again["sections"].contains("profiles"));
    CHECK_FALSE(again["sections"].contains("stages"));  // empty sections are left out
    Bundle b2 = ok(parse_document(again, ""));
    CHECK(to_document(b2) == again);
}

TEST_CASE("bundle document errors are all reported with their place", "[content][bundle]") {
    auto errs = errors(parse_file({"bad.yaml", R"(
meta:
  Description: no name
  Tags: [a, b]
sections:
  tasks:
    t1: {Name: other}
    t2: {Templates: 3}
    t3: [1]
  machines:
    m1: {}
stuff: 1
)"}));
    has(errs, "bad.yaml: meta: Tags: expected string, got array");
    has(errs, "bad.yaml: sections.tasks.t1: Name \"other\" does not match its key \"t1\"");
    has(errs, "bad.yaml: sections.tasks.t2: Templates: expected array, got integer");
    has(errs, "bad.yaml: sections.tasks.t3: expected an object, got array");
    has(errs,
        "bad.yaml: sections.machines: drover does not store machines (sections: params, "
        "templates, tasks, bootenvs, stages, profiles, workflows)");
    has(errs,
        "bad.yaml: stuff: unknown section; a bundle has meta and sections (params, templates, "
        "tasks, bootenvs, stages, profiles, workflows)");
    has(errs, "bad.yaml: meta: Name is required");
    CHECK(errs.size() == 7);

    CHECK(
        errors(parse_file({"x.yaml", "a: [1\n"})).at(0).starts_with("x.yaml: line 2, column 1: "));
    CHECK(errors(parse_file({"x.json", "{\"meta\": }"}))
              .at(0)
              .starts_with("x.json: parse error at line 1"));
    // Found by tests/fuzz/content_bundle_fuzz: a number beyond double's range is nlohmann's
    // out_of_range, not a parse_error, and escaped the reader.
    CHECK(errors(parse_file({"x.json", R"({"meta": {"Name": 1e400}})"})) ==
          drover::model::Errors{"x.json: number overflow parsing '1e400'"});
    CHECK(errors(parse_document(json::array(), "")) ==
          drover::model::Errors{"a content bundle is an object with meta and sections, got array",
                                "meta: Name is required"});
    has(errors(parse_document(
            {{"meta", {{"Name", "n"}}}, {"tasks", {{"t", {{"Templates", {{{"Name", 1}}}}}}}}}, "")),
        "tasks.t: Templates[0].Name: expected string, got integer");
}

TEST_CASE("a bundle directory: meta file, one object per file, raw templates",
          "[content][bundle]") {
    std::vector<SourceFile> files = {
        {"meta.yaml", "Name: dirpack\nVersion: 2.0.1\n"},
        {"._Description.meta", "From a field file\n"},
        {"._Documentation.meta", "# Docs\n"},
        {"README.md", "ignored"},
        {"tasks/hello.yaml", "Name: hello\nTemplates:\n  - {Name: s, ID: hello.sh.tmpl}\n"},
        {"tasks/other.json", R"({"Name": "other", "RequiredParams": ["x/y"]})"},
        {"tasks/.hidden.yaml", "not: [valid"},
        {"templates/hello.sh.tmpl", "#!/bin/sh\necho {{.Param \"x/y\"}}\n"},
        {"templates/obj.yml", "ID: obj.tmpl\nContents: hi\n"},
        {"params/x-y.yaml", "Name: x/y\nSchema:\n  type: string\n"},
        {"stages/s.yaml", "Name: s\nTasks: [hello]\n"},
        {"workflows/w.yaml", "Name: w\nStages: [s]\n"},
        {"profiles/p.yaml", "Name: p\nParams: {x/y: val}\n"},
        {"bootenvs/b.yaml", "Name: b-install\n"},
    };
    Bundle b = ok(parse_directory(files));
    CHECK(b.meta == json({{"Name", "dirpack"},
                          {"Version", "2.0.1"},
                          {"Description", "From a field file"},
                          {"Documentation", "# Docs\n"}}));
    REQUIRE(b.tasks.size() == 2);
    CHECK(b.tasks[1].required_params == std::vector<std::string>{"x/y"});
    REQUIRE(b.templates.size() == 2);
    CHECK(b.templates[0].id == "hello.sh.tmpl");
    CHECK(b.templates[0].contents == "#!/bin/sh\necho {{.Param \"x/y\"}}\n");
    CHECK(b.templates[1].id == "obj.tmpl");
    CHECK(b.params[0].name == "x/y");
    CHECK(b.bootenvs[0].name == "b-install");

    // The field files alone are a meta too.
    Bundle only_fields = ok(parse_directory({{"._Name.meta", "  fields  \n"}}));
    CHECK(only_fields.meta == json({{"Name", "fields"}}));
}

TEST_CASE("bundle directory errors are all reported with their file", "[content][bundle]") {
    auto errs = errors(parse_directory({
        {"meta.json", R"({"Version": "1"})"},
        {"tasks/a.yaml", "Name: dup\n"},
        {"tasks/b.yaml", "Name: dup\n"},
        {"tasks/c.yaml", "Description: no name\n"},
        {"tasks/d.yaml", "Name: [x]\n"},
        {"tasks/e.yaml", "Name: e\n  bad: indent\n"},
        {"tasks/notes.txt", "hello"},
        {"subnets/s.yaml", "Name: s\n"},
        {"subnets/t.yaml", "Name: t\n"},
    }));
    has(errs, "meta: Name is required");
    has(errs, "tasks/b.yaml: Task dup is also defined in tasks/a.yaml");
    has(errs, "tasks/c.yaml: Name is required");
    has(errs, "tasks/d.yaml: Name: expected string, got array");
    has(errs, "tasks/notes.txt: not a .yaml, .yml or .json file");
    has(errs,
        "subnets/: not a section drover stores (params, templates, tasks, bootenvs, stages, "
        "profiles, workflows)");
    bool syntax = false;
    for (const auto& e : errs)
        syntax = syntax || e.starts_with("tasks/e.yaml: line 2, column ");
    CHECK(syntax);
    CHECK(errs.size() == 7);

    has(errors(parse_directory({{"meta.yaml", "Name: a\n"}, {"meta.json", "{\"Name\": \"b\"}"}})),
        "meta: only one of meta.yaml, meta.yml and meta.json may exist");
}
