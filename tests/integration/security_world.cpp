#include "security_world.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>

#include "common/security/base64.hpp"
#include "common/security/token.hpp"
#include "server/security/token_signer.hpp"

namespace drover::testing {

using nlohmann::json;

namespace {

const std::string kApi = "/api/v3";

// The collections snapshot() reads: every object type the API serves.
const std::vector<std::string> kCollections{"bootenvs", "jobs",     "machines", "params",
                                            "profiles", "stages",   "tasks",    "templates",
                                            "users",    "workflows"};

Reply must(const Reply& r, int status, const std::string& what) {
    INFO(what << " -> " << r.status << " " << r.body.dump());
    REQUIRE(r.status == status);
    return r;
}

}  // namespace

Credential bearer(const std::string& token) {
    return {"Bearer " + token, token, ""};
}

Credential basic(const std::string& user, const std::string& password) {
    return {"Basic " + security::base64_encode(user + ":" + password), user + ":" + password, ""};
}

std::string Raw::header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
}

json replace_op(const std::string& path, const json& value) {
    return json::array({{{"op", "replace"}, {"path", path}, {"value", value}}});
}

std::string fresh_loopback_source() {
    static std::atomic<int> next{0};
    int n = next++;
    return "127.1." + std::to_string(1 + n / 250) + "." + std::to_string(1 + n % 250);
}

World::World() : admin(d.client()) {
    auto& c = *admin;
    auto create = [&](const std::string& prefix, const json& body) {
        return must(post(c, kApi + "/" + prefix, body), 201, "POST /" + prefix + " " + body.dump())
            .body;
    };
    const json string_schema = {{"type", "string"}};
    // A default, so tasks render even where every value has been deleted.
    create("params",
           {{"Name", "sec/color"}, {"Schema", {{"type", "string"}, {"default", "default-grey"}}}});
    create("params", {{"Name", "sec/doomed"}, {"Schema", string_schema}});
    create("templates", {{"ID", "sec-tmpl"}, {"Contents", "machine {{.Machine.Name}}\n"}});
    create("templates", {{"ID", "sec-doomed"}, {"Contents", "doomed\n"}});
    // What the agent would run: its param, and a token for itself (.GenerateToken).
    const std::string script =
        "#!/bin/sh\necho color {{.Param \"sec/color\"}}\ntoken={{.GenerateToken}}\n";
    for (const char* task : {"sec-task", "sec-task2"})
        create("tasks", {{"Name", task}, {"Templates", {{{"Name", "run"}, {"Contents", script}}}}});
    create("tasks", {{"Name", "sec-doomed"}});
    create("stages", {{"Name", "sec-stage"},
                      {"Tasks", {"sec-task", "sec-task2"}},
                      {"Params", {{"sec/color", "stage-green"}}}});
    create("stages", {{"Name", "sec-doomed"}});
    create("bootenvs", {{"Name", "sec-be"}});
    create("bootenvs", {{"Name", "sec-doomed"}});
    create("workflows", {{"Name", "sec-wf"}, {"Stages", {"sec-stage"}}});
    create("workflows", {{"Name", "sec-doomed"}, {"Stages", {"sec-stage"}}});
    create("profiles", {{"Name", "sec-prof"}, {"Params", {{"sec/color", "profile-red"}}}});
    create("profiles", {{"Name", "sec-doomed"}});

    auto machine = [&](const std::string& name) {
        json m =
            create("machines", {{"Name", name}, {"BootEnv", "local"}, {"Profiles", {"sec-prof"}}});
        std::string uuid = m["Uuid"].get<std::string>();
        must(patch(c, kApi + "/machines/" + uuid, replace_op("/Stage", "sec-stage")), 200,
             "stage of " + name);
        must(post(c, kApi + "/machines/" + uuid + "/params/sec/color", "blue-" + name), 200,
             "param of " + name);
        return uuid;
    };
    a = machine("sec-a");
    b = machine("sec-b");
    doomed_machine = create("machines", {{"Name", "sec-doomed"}, {"BootEnv", "local"}})["Uuid"]
                         .get<std::string>();

    // B: one finished job (no longer current) and one running, each with a log.
    auto next_job = [&] {
        return must(post(c, kApi + "/jobs", {{"Machine", b}}), 201, "POST /jobs for B")
            .body["Uuid"]
            .get<std::string>();
    };
    auto set_state = [&](const std::string& job, const char* from, const char* to) {
        json ops = json::array({{{"op", "test"}, {"path", "/State"}, {"value", from}},
                                {{"op", "replace"}, {"path", "/State"}, {"value", to}}});
        if (std::string(to) == "finished")
            ops.push_back({{"op", "replace"}, {"path", "/ExitState"}, {"value", "complete"}});
        must(patch(c, kApi + "/jobs/" + job, ops), 200, std::string("job to ") + to);
    };
    auto log = [&](const std::string& job, const std::string& line) {
        Raw r = send_admin(Request::bytes("PUT", kApi + "/jobs/" + job + "/log", line));
        INFO(r.body);
        REQUIRE(r.status == 204);
    };
    b_done_job = next_job();
    set_state(b_done_job, "created", "running");
    log(b_done_job, "first task of B\n");
    set_state(b_done_job, "running", "finished");
    b_job = next_job();
    set_state(b_job, "created", "running");
    log(b_job, "second task of B\n");

    for (const auto& [user, role] :
         std::vector<std::pair<std::string, json>>{{kReadonly, {"readonly"}},
                                                   {kOperator, {"operator"}},
                                                   {kNoRole, json::array()},
                                                   {kVictim, {"readonly"}},
                                                   {kRoot2, {"admin"}},
                                                   {kDoomedUser, {"readonly"}}})
        create("users", {{"Name", user}, {"Roles", role}, {"Password", password_of(user)}});

    // Probes: each subject's token reads its own object while its credentials are unchanged.
    add_probe("admin", d.admin_token(), kApi + "/users/admin");
    for (const char* user : {kReadonly, kOperator, kNoRole, kVictim, kRoot2, kDoomedUser}) {
        json t = must(get(c, kApi + "/users/" + user + "/token?ttl=86400"), 200,
                      std::string("token of ") + user)
                     .body;
        add_probe(user, t["Token"].get<std::string>(), kApi + "/users/" + user);
    }
    for (const auto& [name, uuid] : {std::pair{"machine A", a}, std::pair{"machine B", b},
                                     std::pair{"doomed", doomed_machine}})
        add_probe(name, d.machine_token(uuid), kApi + "/machines/" + uuid);
}

httplib::Client& World::client_for(const std::string& source) {
    auto& slot = clients_[source];
    if (!slot) {
        slot = d.anonymous_client();
        if (!source.empty()) slot->set_interface(source);
    }
    return *slot;
}

Raw World::send(const Request& req, const Credential& cred, bool credential_in_query) {
    httplib::Headers headers;
    std::string path = req.path;
    if (credential_in_query) {
        if (!cred.query_token.empty())
            path +=
                (path.find('?') == std::string::npos ? "?token=" : "&token=") + cred.query_token;
    } else if (!cred.authorization.empty()) {
        headers.emplace("Authorization", cred.authorization);
    }
    Raw r;
    if (req.stream) {
        // A fresh connection that is dropped once the status is known (a stream never ends).
        httplib::Client c("127.0.0.1", d.port());
        c.set_read_timeout(10, 0);
        if (!cred.source.empty()) c.set_interface(cred.source);
        c.Get(
            path, headers,
            [&](const httplib::Response& res) {
                r.status = res.status;
                r.headers = res.headers;
                return true;
            },
            [&](const char* data, size_t n) {
                r.body.append(data, n);
                return r.status >= 300;  // read an error body to its end; hang up on a stream
            });
        return r;
    }
    httplib::Request hr;
    hr.method = req.method;
    hr.path = path;
    hr.headers = headers;
    if (req.json_body) {
        hr.body = req.json_body->dump();
        hr.set_header("Content-Type", "application/json");
    } else if (req.octets) {
        hr.body = *req.octets;
        hr.set_header("Content-Type", "application/octet-stream");
    }
    auto res = client_for(cred.source).send(hr);
    if (!res) return r;
    r.status = res->status;
    r.body = res->body;
    r.headers = res->headers;
    return r;
}

std::string World::login_token(const std::string& user) {
    Raw r =
        send({"GET", kApi + "/users/" + user + "/token?ttl=86400"}, basic(user, password_of(user)));
    INFO("login as " << user << " -> " << r.status << " " << r.body);
    REQUIRE(r.status == 200);
    return r.json()["Token"].get<std::string>();
}

std::string World::resign(const std::string& valid, std::int64_t issued_at,
                          std::int64_t expires_at) const {
    auto parts = security::split_token(valid);
    REQUIRE(parts.has_value());
    auto payload = security::decode_payload(parts->signed_part);
    REQUIRE(payload.has_value());
    payload->issued_at = issued_at;
    payload->expires_at = expires_at;
    const std::string dir = d.data_dir() + "/security";
    REQUIRE(std::filesystem::exists(dir + "/token.key"));  // open() would create a new key
    auto signer = security::TokenSigner::open(dir);
    INFO((signer ? "" : signer.error()));
    REQUIRE(signer.has_value());
    return signer->sign(*payload);
}

std::string World::tampered(const std::string& valid) {
    auto parts = security::split_token(valid);
    REQUIRE(parts.has_value());
    auto payload = security::decode_payload(parts->signed_part);
    REQUIRE(payload.has_value());
    security::Claim all;
    all.scope = all.action = all.specific = "*";
    payload->claims = {all};
    return security::join_token(security::encode_payload(*payload), parts->mac);
}

void World::add_probe(const std::string& name, const std::string& token, const std::string& path) {
    probes_[name] = Probe{token, path};
}

json World::snapshot() {
    json s = json::object();
    for (const auto& prefix : kCollections) {
        Reply r = get(*admin, kApi + "/" + prefix);
        INFO("snapshot of " << prefix << ": " << r.status << " " << r.body.dump());
        REQUIRE(r.status == 200);
        s[prefix] = r.body;
    }
    for (const auto& job : s["jobs"]) {
        std::string uuid = job["Uuid"].get<std::string>();
        Raw r = send_admin({"GET", kApi + "/jobs/" + uuid + "/log"});
        s["logs"][uuid] = {{"status", r.status}, {"bytes", r.body}};
    }
    for (const auto& [name, probe] : probes_)
        s["probes"][name] = send({"GET", probe.path}, bearer(probe.token)).status;
    return s;
}

void check_refused(const Raw& r, int status, const std::string& method, const std::string& model) {
    INFO(method << " answered " << r.status << " " << r.body);
    CHECK(r.status == status);
    if (r.status != status) return;  // the body checks would only repeat it
    if (status == 401) CHECK(r.header("WWW-Authenticate") == "dr-provision");
    if (status == 429) {
        INFO("Retry-After: " << r.header("Retry-After"));
        CHECK(std::atoi(r.header("Retry-After").c_str()) > 0);
    }
    if (method == "HEAD") return;  // no body
    json body = r.json();
    CHECK(body.is_object());
    if (!body.is_object()) return;
    for (const char* field : {"Model", "Key", "Type", "Messages", "Code"})
        CHECK(body.contains(field));
    CHECK(body.value("Code", 0) == status);
    CHECK(body["Type"].is_string());
    CHECK(body["Model"].is_string());
    CHECK(body["Key"].is_string());
    CHECK(body["Messages"].is_array());
    CHECK_FALSE(body["Messages"].empty());
    if (!model.empty()) CHECK(body["Model"] == model);
}

}  // namespace drover::testing
