// The object API of spec 6.2/6.3 against the real droverd: CRUD for every type, DRP error bodies,
// validation and Available, references, params with the precedence of spec 8, filters.
#include <catch2/catch.hpp>

#include "droverd_process.hpp"

using namespace drover::testing;
using nlohmann::json;

namespace {

const char* kUuid = "3e7031fe-3062-45f1-835c-92541bc9cbd3";

json machine_body(const std::string& name = "john") {
    return {{"Uuid", kUuid},
            {"Name", name},
            {"BootEnv", "local"},
            {"Meta", {{"feature-flags", "change-stage-v2"}}}};
}

}  // namespace

TEST_CASE("built-in objects exist from the first start (spec 1.0)", "[integration][spec1.0]") {
    DroverdProcess d;
    auto c = d.client();
    CHECK(get(*c, "/healthz").status == 200);
    CHECK(get(*c, "/api/v3/bootenvs/local").body["ReadOnly"] == true);
    CHECK(get(*c, "/api/v3/bootenvs/ignore").body["OnlyUnknown"] == true);
    CHECK(get(*c, "/api/v3/stages/none").status == 200);
    CHECK(get(*c, "/api/v3/stages/local").body["BootEnv"] == "local");
    CHECK(get(*c, "/api/v3/profiles/global").body["Available"] == true);
    auto gone = del(*c, "/api/v3/profiles/global");
    CHECK(gone.status == 409);
    CHECK(del(*c, "/api/v3/stages/none").status == 409);
}

TEST_CASE("machine create and the DRP error bodies (spec 5.8 rows 1, api tests)",
          "[integration][spec5.8]") {
    DroverdProcess d;
    auto c = d.client();
    auto created = post(*c, "/api/v3/machines", machine_body());
    REQUIRE(created.status == 201);
    CHECK(created.body["Runnable"] == true);
    CHECK(created.body["Stage"] == "none");
    CHECK(created.body["CurrentTask"] == 0);
    CHECK(created.body["WorkflowComplete"] == true);
    CHECK(created.body["Pool"] == "default");
    CHECK(created.body["PoolStatus"] == "Free");
    CHECK(created.body["Secret"] == "");
    CHECK(created.body["Meta"]["feature-flags"] == "change-stage-v2");

    auto missing = get(*c, "/api/v3/machines/foo");
    CHECK(missing.status == 404);
    CHECK(missing.body == json{{"Model", "machines"},
                               {"Key", "foo"},
                               {"Type", "GET"},
                               {"Messages", {"Not Found"}},
                               {"Code", 404}});
    CHECK(get(*c, "/api/v3/machines/Name:john").body["Uuid"] == kUuid);

    auto noname = post(*c, "/api/v3/machines", {{"BootEnv", "local"}});
    CHECK(noname.status == 422);
    CHECK(noname.body["Type"] == "ValidationError");
    REQUIRE(noname.body["Messages"].size() == 1);
    CHECK(noname.body["Messages"][0].get<std::string>().find(": Invalid Name ``") !=
          std::string::npos);

    auto bad_refs =
        post(*c, "/api/v3/machines", {{"Name", "m2"}, {"Stage", "baz"}, {"BootEnv", "bar"}});
    CHECK(bad_refs.status == 422);
    auto dup = post(*c, "/api/v3/machines", machine_body());
    CHECK(dup.status == 409);
    auto same_name = post(*c, "/api/v3/machines", {{"Name", "john"}, {"BootEnv", "local"}});
    CHECK(same_name.status == 409);
    REQUIRE(patch(*c, "/api/v3/machines/Name:john",
                  json::array({{{"op", "add"}, {"path", "/Address"}, {"value", "10.0.0.5"}}}))
                .status == 200);
    CHECK(get(*c, "/api/v3/machines/Address:10.0.0.5").body["Name"] == "john");
    auto same_address = post(*c, "/api/v3/machines",
                             {{"Name", "m4"}, {"BootEnv", "local"}, {"Address", "10.0.0.5"}});
    CHECK(same_address.status == 409);
    auto onlyunknown = post(*c, "/api/v3/machines", {{"Name", "m3"}, {"BootEnv", "ignore"}});
    CHECK(onlyunknown.status == 422);
    CHECK(onlyunknown.body["Messages"][0] ==
          "BootEnv ignore does not allow Machine assignments, it has the OnlyUnknown flag.");
}

TEST_CASE("malformed input gets a 4xx with the DRP body, never a crash", "[integration][spec6.2]") {
    DroverdProcess d;
    auto c = d.client();
    auto r = c->Post("/api/v3/tasks", "{not json", "application/json");
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(json::parse(r->body)["Code"] == 400);
    CHECK(post(*c, "/api/v3/tasks", {{"Name", 5}}).status == 400);
    CHECK(post(*c, "/api/v3/tasks", json::array()).status == 400);
    CHECK(post(*c, "/api/v3/nothings", {{"Name", "x"}}).status == 404);
    CHECK(get(*c, "/api/v3/tasks?Bogus=Eq(1)").status == 400);
    CHECK(get(*c, "/api/v3/machines?limit=-1").status == 400);
    std::string deep(2000, '[');
    r = c->Post("/api/v3/tasks", deep, "application/json");
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(patch(*c, "/api/v3/profiles/global", {{"op", "add"}}).status == 400);
    CHECK(get(*c, "/healthz").status == 200);
}

TEST_CASE("content objects: broken references are stored but not Available, and heal",
          "[integration][spec1.0]") {
    DroverdProcess d;
    auto c = d.client();
    auto stage = post(*c, "/api/v3/stages", {{"Name", "s1"}, {"Tasks", {"t1"}}});
    REQUIRE(stage.status == 201);
    CHECK(stage.body["Validated"] == true);
    CHECK(stage.body["Available"] == false);
    CHECK(stage.body["Errors"] == json{"Task t1 (at 0) does not exist"});
    CHECK(stage.body["RunnerWait"] == true);
    auto task = post(*c, "/api/v3/tasks", {{"Name", "t1"}});
    REQUIRE(task.status == 201);
    CHECK(task.body["Meta"]["feature-flags"] == "sane-exit-codes");
    // The stage is re-validated in the same transaction as the task's creation.
    CHECK(get(*c, "/api/v3/stages/s1").body["Available"] == true);
    CHECK(del(*c, "/api/v3/tasks/t1").status == 409);
    auto wf = post(*c, "/api/v3/workflows", {{"Name", "wf"}, {"Stages", {"s1", "nope"}}});
    CHECK(wf.body["Available"] == false);
    CHECK(post(*c, "/api/v3/tasks", {{"Name", "bad name!"}}).status == 422);
    // spec 1.3: template text must parse as Go text/template.
    auto bad_tmpl =
        post(*c, "/api/v3/templates", {{"ID", "bad.tmpl"}, {"Contents", "{{ if .X }}no end"}});
    CHECK(bad_tmpl.status == 422);
    CHECK(bad_tmpl.body["Messages"][0].get<std::string>().find("bad.tmpl") != std::string::npos);
    CHECK(post(*c, "/api/v3/templates", {{"ID", "good.tmpl"}, {"Contents", "{{ .Machine.Name }}"}})
              .status == 201);
    auto bad_task =
        post(*c, "/api/v3/tasks",
             {{"Name", "t2"}, {"Templates", {{{"Name", "s1"}, {"Contents", "{{ end }}"}}}}});
    CHECK(bad_task.status == 422);
}

TEST_CASE("PUT, PATCH with test ops, DELETE", "[integration][spec6.2]") {
    DroverdProcess d;
    auto c = d.client();
    REQUIRE(post(*c, "/api/v3/profiles", {{"Name", "p1"}, {"Params", {{"alpha", 1}}}}).status ==
            201);
    auto ok = patch(*c, "/api/v3/profiles/p1",
                    json::array({{{"op", "test"}, {"path", "/Params/alpha"}, {"value", 1}},
                                 {{"op", "replace"}, {"path", "/Params/alpha"}, {"value", 2}}}));
    CHECK(ok.status == 200);
    CHECK(ok.body["Params"]["alpha"] == 2);
    auto stale = patch(*c, "/api/v3/profiles/p1",
                       json::array({{{"op", "test"}, {"path", "/Params/alpha"}, {"value", 1}},
                                    {{"op", "replace"}, {"path", "/Params/alpha"}, {"value", 3}}}));
    CHECK(stale.status == 409);
    CHECK(stale.body["Type"] == "PATCH");
    CHECK(stale.body["Messages"][0] == "Patch error at line 0: Test op failed.");
    CHECK(get(*c, "/api/v3/profiles/p1").body["Params"]["alpha"] == 2);
    auto body = get(*c, "/api/v3/profiles/p1").body;
    body["Description"] = "replaced";
    CHECK(put(*c, "/api/v3/profiles/p1", body).body["Description"] == "replaced");
    body["Name"] = "p2";
    CHECK(put(*c, "/api/v3/profiles/p1", body).status == 400);
    CHECK(del(*c, "/api/v3/profiles/p1").status == 200);
    CHECK(get(*c, "/api/v3/profiles/p1").status == 404);
    CHECK(del(*c, "/api/v3/profiles/p1").status == 404);
}

TEST_CASE("unknown fields survive a store round trip", "[integration][spec1.0]") {
    DroverdProcess d;
    auto c = d.client();
    REQUIRE(post(*c, "/api/v3/tasks", {{"Name", "t1"}, {"FromTheFuture", {{"x", 1}}}}).status ==
            201);
    d.restart();
    c = d.client();
    CHECK(get(*c, "/api/v3/tasks/t1").body["FromTheFuture"] == json{{"x", 1}});
}

TEST_CASE("lists: filters, sort, reverse, offset, limit and counts", "[integration][spec6.2]") {
    DroverdProcess d;
    auto c = d.client();
    for (int i = 0; i < 5; ++i)
        REQUIRE(post(*c, "/api/v3/profiles",
                     {{"Name", "p" + std::to_string(i)}, {"Description", i % 2 ? "odd" : "even"}})
                    .status == 201);
    auto odd = get(*c, "/api/v3/profiles?Description=odd");
    CHECK(odd.body.size() == 2);
    CHECK(get(*c, "/api/v3/profiles?Name=In(p1,p3,global)").body.size() == 3);
    auto page = get(*c, "/api/v3/profiles?sort=Name&reverse=true&offset=1&limit=2");
    REQUIRE(page.body.size() == 2);
    CHECK(page.body[0]["Name"] == "p3");
    CHECK(page.body[1]["Name"] == "p2");
    CHECK(page.headers.find("X-DRP-LIST-TOTAL-COUNT")->second == "6");
    auto head = c->Head("/api/v3/profiles?Name=Re(^p[0-2]$)");
    REQUIRE(head);
    CHECK(head->get_header_value("X-DRP-LIST-FILTER-COUNT") == "3");
    // A list reads only the members it filters and sorts by, then the page's objects whole:
    // each item is the object as its own GET shows it.
    for (const auto& item : page.body)
        CHECK(item == get(*c, "/api/v3/profiles/" + item["Name"].get<std::string>()).body);
    // HEAD counts the page without building it: GET's counts, and no Content-Length.
    const char* paged = "/api/v3/profiles?Description=odd&sort=Name&offset=1&limit=5";
    auto full = c->Get(paged);
    auto counted = c->Head(paged);
    REQUIRE(full);
    REQUIRE(counted);
    for (const char* h : {"X-DRP-LIST-COUNT", "X-DRP-LIST-FILTER-COUNT", "X-DRP-LIST-TOTAL-COUNT"})
        CHECK(counted->get_header_value(h) == full->get_header_value(h));
    CHECK(counted->get_header_value("X-DRP-LIST-COUNT") == "1");
    CHECK_FALSE(counted->has_header("Content-Length"));
}

TEST_CASE("param sub-resources and the precedence of spec 8", "[integration][spec6.3][spec8]") {
    DroverdProcess d;
    auto c = d.client();
    REQUIRE(post(*c, "/api/v3/params",
                 {{"Name", "console"}, {"Schema", {{"type", "string"}, {"default", "tty0"}}}})
                .status == 201);
    REQUIRE(
        post(*c, "/api/v3/profiles", {{"Name", "p1"}, {"Params", {{"xx", "profile"}}}}).status ==
        201);
    REQUIRE(
        post(*c, "/api/v3/stages", {{"Name", "st"}, {"Params", {{"xx", "stage"}, {"yy", "stage"}}}})
            .status == 201);
    REQUIRE(post(*c, "/api/v3/profiles/global/params/zz", json("global")).status == 200);
    auto m = machine_body();
    m["Profiles"] = {"p1"};
    m["Stage"] = "st";
    REQUIRE(post(*c, "/api/v3/machines", m).status == 201);
    const std::string base = std::string("/api/v3/machines/") + kUuid;
    CHECK(get(*c, base + "/params").body == json::object());
    auto agg = get(*c, base + "/params?aggregate=true").body;
    CHECK(agg == json{{"xx", "profile"}, {"yy", "stage"}, {"zz", "global"}});  // no schema defaults
    CHECK(get(*c, base + "/params/console?aggregate=true").body == "tty0");
    CHECK(get(*c, base + "/params/console").body.is_null());
    CHECK(post(*c, base + "/params/xx", json("machine")).status == 200);
    CHECK(get(*c, base + "/params/xx?aggregate=true").body == "machine");
    auto bad = post(*c, base + "/params/console", json(5));
    CHECK(bad.status == 422);
    CHECK(bad.body["Messages"][0].get<std::string>().find("console") != std::string::npos);
    CHECK(del(*c, base + "/params/xx").body == "machine");
    CHECK(del(*c, base + "/params/xx").status == 404);
    CHECK(post(*c, base + "/params", json{{"kk", {1, 2}}}).body == json{{"kk", {1, 2}}});
    auto patched = patch(*c, base + "/params",
                         json::array({{{"op", "add"}, {"path", "/kk/-"}, {"value", 3}}}));
    CHECK(patched.body == json{{"kk", {1, 2, 3}}});
    CHECK(get(*c, "/api/v3/machines?kk=Eq([1,2,3])").status == 200);
    // spec 6.2: for machines an unknown filter key is a param, with its aggregated value.
    CHECK(get(*c, "/api/v3/machines?zz=global").body.size() == 1);
    CHECK(get(*c, "/api/v3/machines?zz=other").body.empty());
    CHECK(get(*c, "/api/v3/machines?console=tty0").body.size() == 1);  // the schema default counts
    CHECK(post(*c, "/api/v3/params", {{"Name", "broken"}, {"Schema", {{"type", "nonsense"}}}})
              .status == 422);
}

TEST_CASE("every object type: create, get, head, list, put, patch, delete",
          "[integration][spec6.2]") {
    DroverdProcess d;
    auto c = d.client();
    struct Sample {
        std::string prefix, key;
        json body;
    };
    const std::vector<Sample> samples{
        {"templates", "t.tmpl", {{"ID", "t.tmpl"}, {"Contents", "echo {{.Machine.Name}}"}}},
        {"tasks", "tk", {{"Name", "tk"}, {"Templates", {{{"Name", "run"}, {"ID", "t.tmpl"}}}}}},
        {"bootenvs", "be", {{"Name", "be"}, {"Kernel", "vmlinuz"}}},
        {"stages", "st", {{"Name", "st"}, {"BootEnv", "be"}, {"Tasks", {"tk"}}}},
        {"workflows", "wf", {{"Name", "wf"}, {"Stages", {"st"}}}},
        {"profiles", "pr", {{"Name", "pr"}, {"Params", {{"pp", 1}}}}},
        {"params", "pa/b", {{"Name", "pa/b"}, {"Schema", {{"type", "integer"}}}}},
        {"machines",
         "3e7031fe-3062-45f1-835c-92541bc9cbd3",
         {{"Uuid", "3e7031fe-3062-45f1-835c-92541bc9cbd3"}, {"Name", "m1"}, {"Workflow", "wf"}}},
        // POST /jobs is next-job selection (spec 2.3); a client may choose the Uuid.
        {"jobs",
         "3e7031fe-3062-45f1-835c-92541bc9cbd4",
         {{"Uuid", "3e7031fe-3062-45f1-835c-92541bc9cbd4"},
          {"Machine", "3e7031fe-3062-45f1-835c-92541bc9cbd3"}}},
    };
    for (const auto& s : samples) {
        INFO(s.prefix);
        const std::string url = "/api/v3/" + s.prefix + "/" + s.key;
        auto created = post(*c, "/api/v3/" + s.prefix, s.body);
        REQUIRE(created.status == 201);
        CHECK(created.body["Available"] == true);
        CHECK(get(*c, url).status == 200);
        auto head = c->Head(url.c_str());
        REQUIRE(head);
        CHECK(head->status == 200);
        CHECK(head->body.empty());
        CHECK(c->Head(("/api/v3/" + s.prefix + "/nope-nope").c_str())->status == 404);
        auto listed = get(*c, "/api/v3/" + s.prefix);
        CHECK(listed.status == 200);
        CHECK(listed.body.is_array());
        json body = created.body;
        body["Description"] = "put";
        CHECK(put(*c, url, body).body["Description"] == "put");
        auto patched = patch(
            *c, url,
            json::array({{{"op", "replace"}, {"path", "/Description"}, {"value", "patched"}}}));
        CHECK(patched.body["Description"] == "patched");
    }
    // A machine's current job is deletable once it is finished (spec 1.4).
    for (const char* state : {"running", "finished"})
        REQUIRE(patch(*c, "/api/v3/jobs/3e7031fe-3062-45f1-835c-92541bc9cbd4",
                      json::array({{{"op", "replace"}, {"path", "/State"}, {"value", state}}}))
                    .status == 200);
    // Delete in dependency order: each succeeds once nothing uses it any more.
    for (auto it = samples.rbegin(); it != samples.rend(); ++it) {
        INFO(it->prefix);
        CHECK(del(*c, "/api/v3/" + it->prefix + "/" + it->key).status == 200);
    }
}
