// proto-schemas/*.schema.json, as embedded in the binaries: every schema compiles, documents
// itself, lets unknown fields through, accepts a hand-written sample of its object (spec
// 1.1-1.12) and rejects bad ones at the right instance pointer.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "common/jsonschema/embedded.hpp"
#include "common/jsonschema/schema.hpp"
#include "embedded_schemas.hpp"

using nlohmann::json;
using namespace drover::jsonschema;

namespace {

const std::vector<std::string> kExpectedNames = {
    "bootenv",    "claim",         "error", "event",      "info",     "job",
    "job_action", "machine",       "param", "profile",    "stage",    "task",
    "template",   "template_info", "user",  "user_token", "workflow",
};

json embedded_document(std::string_view name) {
    for (const auto& schema : drover::schemas::all())
        if (schema.name == name) return json::parse(schema.text);
    FAIL("no embedded schema " << name);
    return nullptr;
}

const json kUuid = "3e7031fe-3062-45f1-835c-92541bc9cbd3";
const json kTime = "2017-12-21T23:26:43.412554192Z";

json envelope(json object) {
    object["Validated"] = true;
    object["Available"] = true;
    object["Errors"] = json::array();
    object["ReadOnly"] = false;
    object["Meta"] = {{"icon", "server"}, {"feature-flags", "change-stage-v2"}};
    object["Endpoint"] = "";
    object["Bundle"] = "";
    return object;
}

json template_info() {
    return {{"Name", "setup"},    {"Path", ""},
            {"ID", "setup.tmpl"}, {"Contents", ""},
            {"Link", ""},         {"Meta", {{"OS", "linux"}, {"Interpreter", "/bin/bash"}}}};
}

json claim() {
    return {{"scope", "machines"}, {"action", "get"}, {"specific", "*"}};
}

json info() {
    return {{"arch", "amd64"},
            {"os", "linux"},
            {"version", "v0.1.0"},
            {"id", "drover"},
            {"local_id", "node1"},
            {"api_port", 8092},
            {"file_port", 8091},
            {"secure_file_port", 8090},
            {"tftp_port", 69},
            {"dhcp_port", 67},
            {"address", "10.0.0.1"},
            {"server_hostname", "drover.example.com"},
            {"features", {"auto-boot-target", "secure-params", "slim-objects"}}};
}

// One realistic, fully populated sample per schema.
std::map<std::string, json> valid_samples() {
    std::map<std::string, json> s;
    s["machine"] = envelope(
        {{"Uuid", kUuid},
         {"Name", "node-01.example.com"},
         {"Description", ""},
         {"Address", "10.0.0.5"},
         {"HardwareAddrs", {"52:54:00:12:34:56"}},
         {"Arch", "amd64"},
         {"OS", "centos-8"},
         {"BootEnv", "local"},
         {"Stage", "none"},
         {"Workflow", ""},
         {"Profiles", {"rack-1"}},
         {"Params", {{"ntp/servers", {"10.0.0.1"}}, {"retries", 3}, {"debug", false}}},
         {"Tasks", {"stage:discover", "bootenv:sledgehammer", "inventory", "context:runner"}},
         {"CurrentTask", -1},
         {"CurrentJob", ""},
         {"Runnable", true},
         {"Context", ""},
         {"Locked", false},
         {"Secret", ""},
         {"RetryTaskAttempt", 0},
         {"TaskErrorStacks", {{{"CurrentTask", 2}, {"TaskList", {"a1", "b2"}}}}},
         {"WorkflowComplete", false},
         {"Pool", "default"},
         {"PoolStatus", "Free"},
         {"PoolAllocated", false},
         {"Fingerprint",
          {{"SSNHash", "c2Vy"},
           {"CSNHash", nullptr},
           {"CloudInstanceID", ""},
           {"SystemUUID", "4C4C4544-0042"},
           {"MemoryIds", {"bWVt"}}}},
         {"Partial", false}});
    s["task"] = envelope({{"Name", "inventory"},
                          {"Description", "Collect inventory"},
                          {"Documentation", ""},
                          {"Templates", {template_info()}},
                          {"RequiredParams", {"inventory/collect"}},
                          {"OptionalParams", json::array()},
                          {"Prerequisites", {"network-setup"}},
                          {"ExtraRoles", json::array()},
                          {"ExtraClaims", {claim()}}});
    s["template"] = envelope({{"ID", "setup.tmpl"},
                              {"Description", ""},
                              {"Contents", "#!/bin/bash\n{{.Machine.Name}}"}});
    s["template_info"] = template_info();
    s["job"] = envelope({{"Uuid", kUuid},
                         {"Previous", "00000000-0000-0000-0000-000000000000"},
                         {"Machine", "8c1b0c5e-9a0e-4c55-a6c3-2d37b8bd1e6a"},
                         {"Task", "inventory"},
                         {"Stage", "discover"},
                         {"Workflow", "discover-base"},
                         {"BootEnv", "sledgehammer"},
                         {"Context", ""},
                         {"State", "running"},
                         {"ExitState", ""},
                         {"StartTime", kTime},
                         {"EndTime", "0001-01-01T00:00:00Z"},
                         {"Archived", false},
                         {"Current", true},
                         {"CurrentIndex", 2},
                         {"NextIndex", 3},
                         {"ExtraClaims", {claim()}},
                         {"Token", ""}});
    s["job_action"] = {
        {"Name", "setup"}, {"Path", ""}, {"Content", "echo hi"}, {"Meta", {{"OS", "linux"}}}};
    s["stage"] = envelope({{"Name", "discover"},
                           {"Description", ""},
                           {"Documentation", ""},
                           {"Templates", {template_info()}},
                           {"RequiredParams", json::array()},
                           {"OptionalParams", json::array()},
                           {"Params", {{"a/b", {{"nested", true}}}}},
                           {"Profiles", json::array()},
                           {"BootEnv", "sledgehammer"},
                           {"Tasks", {"inventory", "action:ipmi:powercycle"}},
                           {"Reboot", false},
                           {"RunnerWait", true},
                           {"Partial", false}});
    json arch = {{"IsoFile", "c8.iso"},
                 {"Sha256", "ab"},
                 {"IsoUrl", "http://x/c8.iso"},
                 {"Kernel", "vmlinuz"},
                 {"Initrds", {"initrd.img"}},
                 {"BootParams", "ksdevice=bootif"},
                 {"Loader", ""}};
    s["bootenv"] = envelope({{"Name", "centos-8-install"},
                             {"Description", ""},
                             {"Documentation", ""},
                             {"OS",
                              {{"Name", "centos-8"},
                               {"Family", "redhat"},
                               {"Codename", ""},
                               {"Version", "8"},
                               {"IsoFile", "c8.iso"},
                               {"IsoSha256", "ab"},
                               {"IsoUrl", ""},
                               {"SupportedArchitectures", {{"amd64", arch}}}}},
                             {"Templates", {template_info()}},
                             {"Kernel", "images/pxeboot/vmlinuz"},
                             {"Initrds", {"images/pxeboot/initrd.img"}},
                             {"BootParams", "ksdevice=bootif"},
                             {"RequiredParams", json::array()},
                             {"OptionalParams", json::array()},
                             {"OnlyUnknown", false},
                             {"Loaders", {{"amd64-uefi", "shimx64.efi"}}}});
    s["workflow"] = envelope({{"Name", "discover-base"},
                              {"Description", ""},
                              {"Documentation", ""},
                              {"Stages", {"discover", "sledgehammer-wait"}}});
    s["profile"] = envelope({{"Name", "global"},
                             {"Description", ""},
                             {"Documentation", ""},
                             {"Params", {{"ntp/servers", {"10.0.0.1"}}}},
                             {"Profiles", json::array()},
                             {"Partial", false}});
    s["param"] = envelope(
        {{"Name", "ntp/servers"},
         {"Description", ""},
         {"Documentation", ""},
         {"Secure", false},
         {"Schema",
          {{"type", "array"}, {"items", {{"type", "string"}}}, {"default", json::array()}}}});
    s["event"] = {{"Time", kTime},
                  {"Type", "machines"},
                  {"Action", "update"},
                  {"Key", kUuid},
                  {"Principal", "user:rocketskates"},
                  {"Object", s["machine"]},
                  {"Original", nullptr}};
    s["info"] = info();
    s["error"] = {{"Model", "machines"},
                  {"Key", kUuid},
                  {"Type", "ValidationError"},
                  {"Messages", {"Invalid Name ``"}},
                  {"Code", 422}};
    s["claim"] = claim();
    s["user"] = envelope({{"Name", "admin@example.com"},
                          {"Description", ""},
                          {"Roles", {"admin", "readonly"}},
                          {"PasswordHash", ""}});
    s["user_token"] = {{"Token", "eyJhbGciOi"}, {"Info", info()}};
    return s;
}

std::vector<std::string> messages(const std::vector<ValidationError>& errors) {
    std::vector<std::string> out;
    for (const auto& e : errors)
        out.push_back(to_string(e));
    return out;
}

// Every "properties" member anywhere in `schema` has a description; returns the ones that do not.
void undocumented(const json& schema, const std::string& at, std::vector<std::string>& out) {
    if (!schema.is_object()) return;
    if (schema.contains("properties")) {
        for (const auto& [name, sub] : schema["properties"].items())
            if (!sub.contains("description")) out.push_back(at + "/properties/" + name);
    }
    for (const auto& [key, sub] : schema.items()) {
        if (sub.is_object()) undocumented(sub, at + "/" + key, out);
    }
}

json without(json object, std::initializer_list<const char*> keys) {
    for (const char* key : keys)
        object.erase(key);
    return object;
}

}  // namespace

TEST_CASE("every API object has an embedded draft-07 schema that compiles", "[proto-schemas]") {
    std::vector<std::string> names;
    for (const auto& schema : drover::schemas::all())
        names.emplace_back(schema.name);
    CHECK(names == kExpectedNames);
    for (const auto& name : kExpectedNames) {
        INFO(name);
        json document = embedded_document(name);
        CHECK(document["$schema"] == "http://json-schema.org/draft-07/schema#");
        auto compiled = Schema::compile(document);
        if (!compiled) {
            for (const auto& e : compiled.error())
                UNSCOPED_INFO(to_string(e));
        }
        REQUIRE(compiled.has_value());
        CHECK(compiled->draft() == Draft::draft7);
        CHECK(embedded_schema(name) != nullptr);
    }
}

TEST_CASE("schemas document themselves: title, description, a description per property",
          "[proto-schemas]") {
    for (const auto& name : kExpectedNames) {
        INFO(name);
        json document = embedded_document(name);
        CHECK(document["title"].is_string());
        CHECK(document["description"].is_string());
        CHECK(document["type"] == "object");
        std::vector<std::string> missing;
        undocumented(document, "", missing);
        CHECK(missing == std::vector<std::string>{});
    }
}

TEST_CASE("shared definitions are identical wherever they are copied", "[proto-schemas]") {
    // Files are self-contained (each is embedded alone), so shared shapes are copied into each
    // file's definitions. This keeps the copies from drifting apart, and keeps the standalone
    // claim/info/template_info schemas equal to their embedded copies.
    std::map<std::string, std::pair<std::string, json>> first_seen;
    for (const auto& name : kExpectedNames) {
        json document = embedded_document(name);
        const json definitions = document.value("definitions", json::object());
        for (const auto& [def, body] : definitions.items()) {
            INFO(name << " definitions/" << def);
            auto [it, inserted] = first_seen.emplace(def, std::make_pair(name, body));
            if (!inserted) CHECK(body == it->second.second);
        }
    }
    for (const char* standalone : {"claim", "info", "template_info"}) {
        INFO(standalone);
        REQUIRE(first_seen.count(standalone) == 1);
        json root = without(embedded_document(standalone),
                            {"$schema", "$id", "title", "description", "definitions"});
        CHECK(root == without(first_seen[standalone].second, {"description"}));
    }
}

TEST_CASE("a valid sample of every object passes, unknown fields included",
          "[proto-schemas][spec1.0]") {
    auto samples = valid_samples();
    REQUIRE(samples.size() == kExpectedNames.size());
    for (auto& [name, sample] : samples) {
        INFO(name);
        CHECK(messages(validate_against_embedded(name, sample)) == std::vector<std::string>{});
        // spec: content from newer servers must survive, so unknown keys are never rejected.
        sample["FieldFromANewerServer"] = {{"any", "value"}};
        CHECK(messages(validate_against_embedded(name, sample)) == std::vector<std::string>{});
    }
}

TEST_CASE("unset UUIDs, times and IPs may be \"\", times may be the Go zero time",
          "[proto-schemas][spec1.0]") {
    json job = valid_samples()["job"];
    job["Uuid"] = "";
    job["Previous"] = "";
    job["StartTime"] = "";
    job["EndTime"] = "0001-01-01T00:00:00Z";
    CHECK(validate_against_embedded("job", job).empty());
    json machine = valid_samples()["machine"];
    machine["Address"] = "";
    machine["Arch"] = "";
    CHECK(validate_against_embedded("machine", machine).empty());
    CHECK(validate_against_embedded("machine", json{{"Name", "minimal"}}).empty());
}

TEST_CASE("bad samples are rejected at the offending field", "[proto-schemas][spec1.0]") {
    struct Bad {
        const char* schema;
        const char* field;  // JSON pointer into the valid sample
        json value;
        const char* keyword;
    };
    const std::vector<Bad> cases = {
        // strings, booleans, integers, arrays, maps
        {"machine", "/Name", 42, "type"},
        {"machine", "/Runnable", "yes", "type"},
        {"machine", "/CurrentTask", "1", "type"},
        {"machine", "/CurrentTask", 1.5, "type"},
        {"machine", "/CurrentTask", -2, "minimum"},
        {"machine", "/Tasks", "inventory", "type"},
        {"machine", "/Tasks/1", 5, "type"},
        {"machine", "/Meta/icon", 1, "type"},
        {"machine", "/Params", json::array(), "type"},
        {"machine", "/Profiles/0", nullptr, "type"},
        {"machine", "/TaskErrorStacks/0/TaskList", json::object(), "type"},
        {"machine", "/Fingerprint/MemoryIds", 3, "type"},
        // formats and enums
        {"machine", "/Uuid", "not-a-uuid", "anyOf"},
        {"machine", "/CurrentJob", "3e7031fe", "anyOf"},
        {"machine", "/Address", "10.0.0.256", "anyOf"},
        {"machine", "/Arch", "x86_64", "enum"},
        {"job", "/State", "done", "enum"},
        {"job", "/ExitState", "ok", "enum"},
        {"job", "/StartTime", "yesterday", "anyOf"},
        {"job", "/EndTime", "2017-12-21 23:26:43", "anyOf"},
        {"job", "/ExtraClaims/0/scope", 1, "type"},
        {"job", "/Archived", 0, "type"},
        {"task", "/Templates/0/Meta/OS", json::array({"linux"}), "type"},
        {"task", "/Templates/0", "setup", "type"},
        {"stage", "/Reboot", "true", "type"},
        {"stage", "/Params", "a=b", "type"},
        {"bootenv", "/Loaders/x86-bios", "lpxelinux.0", "enum"},
        {"bootenv", "/OS/SupportedArchitectures/amd64/Initrds", "initrd.img", "type"},
        {"bootenv", "/OnlyUnknown", "false", "type"},
        {"workflow", "/Stages", "discover", "type"},
        {"profile", "/Profiles", json::object(), "type"},
        {"param", "/Secure", "no", "type"},
        {"param", "/Schema", 3, "type"},
        {"template", "/Contents", json::array(), "type"},
        {"template_info", "/Path", false, "type"},
        {"job_action", "/Content", nullptr, "type"},
        {"event", "/Time", "now", "anyOf"},
        {"info", "/api_port", 70000, "maximum"},
        {"info", "/features/0", 1, "type"},
        {"error", "/Code", "422", "type"},
        {"error", "/Messages", "Not Found", "type"},
        {"claim", "/specific", 2, "type"},
        {"user", "/Roles", "admin", "type"},
        {"user", "/PasswordHash", nullptr, "type"},
        {"user_token", "/Info/address", "drover.local", "anyOf"},
    };
    auto samples = valid_samples();
    for (const auto& bad : cases) {
        INFO(bad.schema << " " << bad.field << " = " << bad.value.dump());
        json sample = samples.at(bad.schema);
        sample[json::json_pointer(bad.field)] = bad.value;
        auto errors = validate_against_embedded(bad.schema, sample);
        INFO(json(messages(errors)).dump());
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].instance_pointer == bad.field);
        CHECK(errors[0].keyword == bad.keyword);
    }
}

TEST_CASE("missing required keys are reported on the object that lacks them",
          "[proto-schemas][spec1.0]") {
    const std::vector<std::pair<const char*, const char*>> required = {
        {"machine", "/Name"},       {"task", "/Name"},          {"template", "/ID"},
        {"job", "/Machine"},        {"stage", "/Name"},         {"bootenv", "/Name"},
        {"workflow", "/Name"},      {"profile", "/Name"},       {"param", "/Name"},
        {"job_action", "/Content"}, {"event", "/Type"},         {"info", "/version"},
        {"error", "/Code"},         {"claim", "/scope"},        {"user", "/Name"},
        {"user_token", "/Token"},   {"template_info", "/Name"}, {"task", "/Templates/0/Name"},
        {"user_token", "/Info/id"},
    };
    auto samples = valid_samples();
    for (const auto& [schema, field] : required) {
        INFO(schema << " without " << field);
        json sample = samples.at(schema);
        json::json_pointer pointer(field);
        sample[pointer.parent_pointer()].erase(pointer.back());
        auto errors = validate_against_embedded(schema, sample);
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].instance_pointer == pointer.parent_pointer().to_string());
        CHECK(errors[0].keyword == "required");
        CHECK(errors[0].message == "missing required property \"" + pointer.back() + "\"");
    }
    CHECK(messages(validate_against_embedded("machine", json::array())) ==
          std::vector<std::string>{"(root): [] is an array, not an object"});
}
