// The model's JSON: exact DRP field names (spec 1.1-1.12), every type round-trips, unknown
// fields survive, and decoding reports each type error with its path instead of throwing.
#include <catch2/catch.hpp>

#include "common/model/bootenv.hpp"
#include "common/model/error.hpp"
#include "common/model/event.hpp"
#include "common/model/info.hpp"
#include "common/model/job.hpp"
#include "common/model/machine.hpp"
#include "common/model/param.hpp"
#include "common/model/profile.hpp"
#include "common/model/stage.hpp"
#include "common/model/task.hpp"
#include "common/model/workflow.hpp"

using namespace drover::model;
using nlohmann::json;

namespace {

template <class T>
json round_trip(const json& in) {
    T obj;
    auto errs = decode(in, obj);
    INFO(json(errs).dump());
    REQUIRE(errs.empty());
    return encode(obj);
}

// Every value of `in` comes back unchanged; objects may gain the zero-valued fields Go emits.
void require_superset(const json& out, const json& in) {
    if (!in.is_object() && !in.is_array()) {
        CHECK(out == in);
        return;
    }
    REQUIRE(out.type() == in.type());
    if (in.is_array()) {
        REQUIRE(out.size() == in.size());
        for (std::size_t i = 0; i < in.size(); ++i)
            require_superset(out[i], in[i]);
        return;
    }
    for (const auto& [k, v] : in.items()) {
        INFO(k);
        REQUIRE(out.contains(k));
        require_superset(out[k], v);
    }
}

}  // namespace

TEST_CASE("Machine uses DRP's field names and keeps every value", "[model][spec1.1]") {
    json in = {{"Uuid", "3e7031fe-3062-45f1-835c-92541bc9cbd3"},
               {"Name", "john"},
               {"Address", "10.0.0.5"},
               {"HardwareAddrs", {"52:54:00:12:34:56"}},
               {"Arch", "amd64"},
               {"BootEnv", "local"},
               {"Stage", "stage1"},
               {"Workflow", ""},
               {"Profiles", {"p1", "p2"}},
               {"Params", {{"change-stage/map", {{"a", "b:Reboot"}}}, {"n", 1000000}}},
               {"Tasks", {"stage:s1", "task1", "bootenv:local"}},
               {"CurrentTask", -1},
               {"CurrentJob", "00000000-0000-0000-0000-000000000000"},
               {"Runnable", true},
               {"Context", ""},
               {"Locked", false},
               {"RetryTaskAttempt", 2},
               {"TaskErrorStacks", {{{"CurrentTask", 3}, {"TaskList", {"a", "b"}}}}},
               {"WorkflowComplete", false},
               {"Pool", "default"},
               {"PoolStatus", "Free"},
               {"Meta", {{"feature-flags", "change-stage-v2"}}},
               {"Validated", true},
               {"Available", true},
               {"Errors", json::array()},
               {"ReadOnly", false}};
    json out = round_trip<Machine>(in);
    require_superset(out, in);
    Machine m;
    REQUIRE(decode(in, m).empty());
    CHECK(m.current_task == -1);
    CHECK(m.tasks.size() == 3);
    CHECK(m.params.at("n") == 1000000);
    CHECK(m.task_error_stacks.at(0).task_list == std::vector<std::string>{"a", "b"});
}

TEST_CASE("unknown fields survive a round trip, at the top and nested", "[model][spec1.0]") {
    json in = {{"Name", "t1"},
               {"FutureField", {{"x", 1}}},
               {"Templates", {{{"Name", "a"}, {"Contents", "x"}, {"NewKnob", true}}}},
               {"ExtraClaims",
                {{{"scope", "machines"}, {"action", "get"}, {"specific", "*"}, {"tenant", "t"}}}}};
    json out = round_trip<Task>(in);
    CHECK(out["FutureField"] == json{{"x", 1}});
    CHECK(out["Templates"][0]["NewKnob"] == true);
    CHECK(out["ExtraClaims"][0]["tenant"] == "t");
    CHECK(out["ExtraClaims"][0]["scope"] == "machines");
}

TEST_CASE("encode emits every known field, as Go does for zero values", "[model]") {
    json out = encode(Job{});
    for (const char* k :
         {"Uuid",      "Previous",  "Machine",      "Task",      "Stage",       "Workflow",
          "BootEnv",   "Context",   "State",        "ExitState", "StartTime",   "EndTime",
          "Archived",  "Current",   "CurrentIndex", "NextIndex", "ExtraClaims", "Token",
          "Validated", "Available", "Errors",       "ReadOnly",  "Meta"})
        CHECK(out.contains(k));
    CHECK(out["Errors"].is_array());
    CHECK(out["Meta"].is_object());
    CHECK(out["State"] == "created");
}

TEST_CASE("known fields win over same-named extras", "[model]") {
    Profile p;
    p.name = "real";
    p.extras = {{"Name", "stale"}};
    CHECK(encode(p)["Name"] == "real");
}

TEST_CASE("decode collects every type error with its path", "[model]") {
    Machine m;
    auto errs = decode(json{{"Name", 5},
                            {"Runnable", "yes"},
                            {"Tasks", {"ok", 7}},
                            {"CurrentTask", 1.5},
                            {"Params", json::array()},
                            {"Meta", {{"a", 1}}}},
                       m);
    CHECK(errs == Errors{"Machine.Meta.a: expected string, got integer",
                         "Machine.Name: expected string, got integer",
                         "Machine.Params: expected object, got array",
                         "Machine.Tasks[1]: expected string, got integer",
                         "Machine.CurrentTask: expected integer, got number",
                         "Machine.Runnable: expected boolean, got string"});
}

TEST_CASE("decode of a non-object or nulls", "[model]") {
    Stage s;
    CHECK(decode(json::array(), s) == Errors{"Stage: expected object, got array"});
    s.name = "keep";
    CHECK(decode(json{{"Name", nullptr}}, s).empty());
    CHECK(s.name == "keep");
}

TEST_CASE("every object type round-trips its sample", "[model][spec1.0]") {
    json bootenv = {
        {"Name", "ubuntu-22.04-install"},
        {"OS",
         {{"Name", "ubuntu-22.04"},
          {"Family", "ubuntu"},
          {"SupportedArchitectures",
           {{"amd64", {{"IsoFile", "u.iso"}, {"Initrds", {"initrd"}}}}}}}},
        {"Kernel", "vmlinuz"},
        {"Initrds", {"initrd.gz"}},
        {"BootParams", "console=ttyS0"},
        {"OnlyUnknown", false},
        {"Loaders", {{"amd64-uefi", "shim.efi"}}},
        {"Templates",
         {{{"Name", "pxe"}, {"Path", "pxelinux.cfg/{{.Machine.HexAddress}}"}, {"ID", "p.tmpl"}}}}};
    require_superset(round_trip<BootEnv>(bootenv), bootenv);
    json stage = {{"Name", "s1"},      {"BootEnv", "local"}, {"Tasks", {"t1", "action:plug:cmd"}},
                  {"Reboot", true},    {"RunnerWait", true}, {"Params", {{"a", {1, 2}}}},
                  {"Profiles", {"p"}}, {"Partial", false}};
    require_superset(round_trip<Stage>(stage), stage);
    json wf = {{"Name", "w"}, {"Stages", {"a", "b"}}};
    require_superset(round_trip<Workflow>(wf), wf);
    json param = {
        {"Name", "p/x"}, {"Secure", true}, {"Schema", {{"type", "string"}, {"default", "d"}}}};
    require_superset(round_trip<Param>(param), param);
    json tmpl = {{"ID", "setup.tmpl"}, {"Contents", "{{.Machine.Name}}"}};
    require_superset(round_trip<Template>(tmpl), tmpl);
    json ev = {{"Time", "2017-12-21T23:26:43.412554192Z"},
               {"Type", "machines"},
               {"Action", "update"},
               {"Key", "k"},
               {"Principal", "user:admin"},
               {"Object", {{"Name", "m"}}},
               {"Original", nullptr}};
    require_superset(round_trip<Event>(ev), ev);
    json info = {
        {"arch", "amd64"}, {"api_port", 8092}, {"features", {"secure-params"}}, {"id", "x"}};
    require_superset(round_trip<Info>(info), info);
    json err = {{"Model", "machines"},
                {"Key", "foo"},
                {"Type", "GET"},
                {"Messages", {"Not Found"}},
                {"Code", 404}};
    require_superset(round_trip<Error>(err), err);
    json action = {
        {"Name", "a"}, {"Path", ""}, {"Content", "#!/bin/sh\n"}, {"Meta", {{"OS", "linux"}}}};
    require_superset(round_trip<JobAction>(action), action);
    json token = {{"Token", "abc"}, {"Info", info}};
    CHECK(round_trip<UserToken>(token)["Info"]["api_port"] == 8092);
}

TEST_CASE("the DRP error body for 404 matches spec 5.8", "[model][spec5.8]") {
    CHECK(encode(not_found_error("machines", "foo")) == json{{"Model", "machines"},
                                                             {"Key", "foo"},
                                                             {"Type", "GET"},
                                                             {"Messages", {"Not Found"}},
                                                             {"Code", 404}});
    CHECK(describe(validation_error("machines", "k", {"a", "b"})) ==
          "ValidationError: machines/k: a; b");
}
