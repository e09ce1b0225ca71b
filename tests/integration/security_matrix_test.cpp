// Issue 7's test matrix against the real droverd: every endpoint the API serves, called with every
// kind of credential that must not get through (none, a wrong password, an expired, tampered or
// revoked token, machine A's token on machine B's objects, jobs, logs and events, a readonly
// user, an operator on users, a user without roles), answers 401 (with WWW-Authenticate:
// dr-provision) or 403 with the DRP error body, and changes nothing: after every refused request
// the admin re-reads every collection, every job log and whether every subject's credentials
// still hold (a token per user and machine, so hidden password and Secret changes show), and
// compares. Requests a credential is allowed are made too and must succeed (the table's order
// makes every request valid in turn), and admin runs the whole table, which must all succeed.
// The positive paths beyond the table (a machine's own agent operations, filtered event streams,
// every user's own object and token) are in security_test.cpp.
//
// Expired tokens: droverd has no clock to move and the skew tolerance is 60 s, so instead of
// waiting the test signs the admin's token again, with its claims and credential generation but
// issued two hours ago, using the server's own key (<data-dir>/security/token.key): the token the
// server would have issued then. The lifetime arithmetic itself is unit-tested with an injected
// clock (tests/server/security_service_test.cpp).
#include <catch2/catch.hpp>

#include <ctime>

#include "security_world.hpp"

using namespace drover::testing;
using nlohmann::json;

namespace {

const std::string kApi = "/api/v3";

// Who besides admin may make a request (for machine A: a request on machine B's things).
enum Allow : unsigned { kNobody = 0, kReadonly = 1, kOperator = 2, kMachineA = 4 };
constexpr unsigned kReaders = kReadonly | kOperator;

struct Endpoint {
    std::string name;  // "PATCH /machines/<B>"
    Request req;
    std::string model;  // the 403 body's Model
    unsigned allow = kNobody;
    bool credential_in_query = false;  // ?token= instead of the Authorization header
};

bool is_read(const std::string& method) {
    return method == "GET" || method == "HEAD";
}

// Every route the API serves, in an order in which admin can make every request successfully
// (objects meant to go away are the "doomed" ones, and machine B goes last).
std::vector<Endpoint> endpoints(World& w) {
    std::vector<Endpoint> t;
    auto add = [&](std::string name, Request req, std::string model, unsigned allow,
                   bool in_query = false) {
        t.push_back({std::move(name), std::move(req), std::move(model), allow, in_query});
    };
    auto admin_get = [&](const std::string& path) {
        Reply r = get(*w.admin, path);
        REQUIRE(r.status == 200);
        return r.body;
    };

    add("GET /info", {"GET", kApi + "/info"}, "info", kReaders);
    add("GET /metrics", {"GET", "/metrics"}, "metrics", kNobody);
    add("HEAD /metrics", {"HEAD", "/metrics"}, "metrics", kNobody);
    add("GET /events", Request::event_stream(kApi + "/events"), "events", kReaders | kMachineA);
    add("GET /events?filter=machines.*.*&token=",
        Request::event_stream(kApi + "/events?filter=machines.*.*"), "events", kReaders | kMachineA,
        true);

    struct Content {
        std::string prefix, key, create_name;
        json create;
        bool params;         // has params sub-resources
        bool machines_read;  // machines may get these (the content they run)
    };
    const json string_schema = {{"type", "string"}};
    const std::vector<Content> contents{
        {"bootenvs", "sec-be", "sec-doomed", {{"Name", "sec-new"}}, false, true},
        {"params",
         "sec/color",
         "sec/doomed",
         {{"Name", "sec/new"}, {"Schema", string_schema}},
         false,
         true},
        {"profiles", "sec-prof", "sec-doomed", {{"Name", "sec-new"}}, true, true},
        {"stages", "sec-stage", "sec-doomed", {{"Name", "sec-new"}}, true, true},
        {"tasks", "sec-task", "sec-doomed", {{"Name", "sec-new"}}, false, true},
        {"templates",
         "sec-tmpl",
         "sec-doomed",
         {{"ID", "sec-new"}, {"Contents", "new\n"}},
         false,
         true},
        {"workflows",
         "sec-wf",
         "sec-doomed",
         {{"Name", "sec-new"}, {"Stages", {"sec-stage"}}},
         false,
         false},
    };
    for (const auto& c : contents) {
        const std::string p = c.prefix, base = kApi + "/" + p, obj = base + "/" + c.key;
        const std::string name = "/" + p + "/" + c.key;
        const unsigned get_allow = kReaders | (c.machines_read ? unsigned{kMachineA} : 0u);
        add("GET /" + p, {"GET", base}, p, kReaders);
        add("HEAD /" + p, {"HEAD", base}, p, kReaders);
        add("POST /" + p, {"POST", base, c.create}, p, kOperator);
        add("GET " + name, {"GET", obj}, p, get_allow);
        add("HEAD " + name, {"HEAD", obj}, p, get_allow);
        json replaced = admin_get(obj);
        replaced["Description"] = "replaced";
        add("PUT " + name, {"PUT", obj, replaced}, p, kOperator);
        add("PATCH " + name, {"PATCH", obj, replace_op("/Description", "patched")}, p, kOperator);
        if (c.params) {
            const std::string params = obj + "/params", one = params + "/sec/color";
            add("GET " + name + "/params", {"GET", params}, p, get_allow);
            add("GET " + name + "/params/sec/color", {"GET", one}, p, get_allow);
            add("POST " + name + "/params", {"POST", params, json{{"sec/color", "posted"}}}, p,
                kOperator);
            add("PATCH " + name + "/params",
                {"PATCH", params, replace_op("/sec~1color", "patched")}, p, kOperator);
            add("POST " + name + "/params/sec/color", {"POST", one, json("posted-one")}, p,
                kOperator);
            add("PUT " + name + "/params/sec/color", {"PUT", one, json("put-one")}, p, kOperator);
            add("DELETE " + name + "/params/sec/color", {"DELETE", one}, p, kOperator);
        }
        add("DELETE /" + p + "/" + c.create_name, {"DELETE", base + "/" + c.create_name}, p,
            kOperator);
    }
    add("POST /contents",
        {"POST", kApi + "/contents",
         json{{"meta", {{"Name", "sec-bundle"}, {"Version", "1.0.0"}}},
              {"sections",
               {{"profiles", {{"sec-bundled", {{"Name", "sec-bundled"}}}}},
                {"tasks", {{"sec-bundled", {{"Name", "sec-bundled"}}}}}}}}},
        "contents", kOperator);

    // Machine B: for machine A's token, another machine's object, params, render and token.
    const std::string machines = kApi + "/machines", mb = machines + "/" + w.b;
    add("GET /machines", {"GET", machines}, "machines", kReaders);
    add("HEAD /machines", {"HEAD", machines}, "machines", kReaders);
    add("POST /machines", {"POST", machines, json{{"Name", "sec-new"}, {"BootEnv", "local"}}},
        "machines", kOperator);
    add("GET /machines/<B>", {"GET", mb}, "machines", kReaders);
    add("HEAD /machines/<B>", {"HEAD", mb}, "machines", kReaders);
    json b_replaced = admin_get(mb);
    b_replaced["Description"] = "replaced";
    add("PUT /machines/<B>", {"PUT", mb, b_replaced}, "machines", kOperator);
    add("PATCH /machines/<B>", {"PATCH", mb, replace_op("/Description", "patched")}, "machines",
        kOperator);
    add("PATCH /machines/<B>?token=", {"PATCH", mb, replace_op("/Description", "by query")},
        "machines", kOperator, true);
    add("PATCH /machines/<B> Secret", {"PATCH", mb, replace_op("/Secret", "fedcba9876543210")},
        "machines", kOperator);
    const std::string params = mb + "/params", one = params + "/sec/color";
    add("GET /machines/<B>/params", {"GET", params}, "machines", kReaders);
    add("GET /machines/<B>/params?aggregate=true", {"GET", params + "?aggregate=true"}, "machines",
        kReaders);
    add("GET /machines/<B>/params?decode=true", {"GET", params + "?decode=true"}, "machines",
        kNobody);  // decrypted secure values: admin only
    add("GET /machines/<B>/params/sec/color", {"GET", one}, "machines", kReaders);
    add("GET /machines/<B>/params/sec/color?aggregate=true", {"GET", one + "?aggregate=true"},
        "machines", kReaders);
    add("POST /machines/<B>/params", {"POST", params, json{{"sec/color", "posted"}}}, "machines",
        kOperator);
    add("PATCH /machines/<B>/params", {"PATCH", params, replace_op("/sec~1color", "patched")},
        "machines", kOperator);
    add("POST /machines/<B>/params/sec/color", {"POST", one, json("posted-one")}, "machines",
        kOperator);
    add("PUT /machines/<B>/params/sec/color", {"PUT", one, json("put-one")}, "machines", kOperator);
    add("DELETE /machines/<B>/params/sec/color", {"DELETE", one}, "machines", kOperator);
    add("GET /machines/<B>/render?task=sec-task", {"GET", mb + "/render?task=sec-task"}, "machines",
        kOperator);
    add("GET /machines/<B>/token", {"GET", mb + "/token?ttl=600"}, "machines", kOperator);
    add("DELETE /machines/<doomed>", {"DELETE", machines + "/" + w.doomed_machine}, "machines",
        kOperator);

    // B's jobs and logs.
    const std::string jobs = kApi + "/jobs", jb = jobs + "/" + w.b_job;
    add("GET /jobs", {"GET", jobs}, "jobs", kReaders);
    add("HEAD /jobs", {"HEAD", jobs}, "jobs", kReaders);
    add("GET /jobs/<B's>", {"GET", jb}, "jobs", kReaders);
    add("HEAD /jobs/<B's>", {"HEAD", jb}, "jobs", kReaders);
    add("GET /jobs/<B's>/actions", {"GET", jb + "/actions"}, "jobs", kOperator);
    add("GET /jobs/<B's>/log", {"GET", jb + "/log"}, "jobs", kReaders);
    add("HEAD /jobs/<B's>/log", {"HEAD", jb + "/log"}, "jobs", kReaders);
    add("PUT /jobs/<B's>/log", Request::bytes("PUT", jb + "/log", "forged line\n"), "jobs",
        kOperator);
    json job_replaced = admin_get(jb);
    job_replaced["State"] = "incomplete";
    add("PUT /jobs/<B's>", {"PUT", jb, job_replaced}, "jobs", kOperator);
    add("PATCH /jobs/<B's>", {"PATCH", jb, replace_op("/State", "failed")}, "jobs", kOperator);
    add("PATCH /machines/<B> Runnable", {"PATCH", mb, replace_op("/Runnable", true)}, "machines",
        kOperator);
    add("POST /jobs for B", {"POST", jobs, json{{"Machine", w.b}}}, "jobs", kOperator);
    add("DELETE /jobs/<B's finished>", {"DELETE", jobs + "/" + w.b_done_job}, "jobs", kOperator);
    add("DELETE /jobs?jobsToKeep=0 (purge)", {"DELETE", jobs + "?jobsToKeep=0"}, "jobs", kOperator);

    // Users: admin only, but for each user's own object and token (security_test.cpp).
    const std::string users = kApi + "/users", victim = users + "/" + World::kVictim;
    add("GET /users", {"GET", users}, "users", kNobody);
    add("HEAD /users", {"HEAD", users}, "users", kNobody);
    add("POST /users",
        {"POST", users, json{{"Name", "sec-new"}, {"Roles", {"admin"}}, {"Password", "pw-new"}}},
        "users", kNobody);
    add("GET /users/<victim>", {"GET", victim}, "users", kNobody);
    add("HEAD /users/<victim>", {"HEAD", victim}, "users", kNobody);
    add("PUT /users/<victim>",
        {"PUT", victim,
         json{{"Name", World::kVictim}, {"Roles", {"admin"}}, {"Password", "taken-over"}}},
        "users", kNobody);
    add("PATCH /users/<victim> Roles",
        {"PATCH", victim, replace_op("/Roles", json::array({"admin"}))}, "users", kNobody);
    add("PATCH /users/<victim> Password",
        {"PATCH", victim,
         json::array({{{"op", "add"}, {"path", "/Password"}, {"value", "taken-over"}}})},
        "users", kNobody);
    add("GET /users/<victim>/token", {"GET", victim + "/token"}, "users", kNobody);
    add("GET /users/admin/token", {"GET", users + "/admin/token?ttl=600"}, "users", kNobody);
    add("DELETE /users/<doomed>", {"DELETE", users + "/" + World::kDoomedUser}, "users", kNobody);

    add("DELETE /machines/<B>", {"DELETE", mb}, "machines", kOperator);
    return t;
}

enum class Kind {
    None,
    WrongPassword,
    Expired,
    Tampered,
    RevokedUser,
    RevokedMachine,
    OtherMachine,
    Readonly,
    Operator,
    NoRole,
};

const char* kind_name(Kind k) {
    switch (k) {
        case Kind::None:
            return "no credentials";
        case Kind::WrongPassword:
            return "wrong password";
        case Kind::Expired:
            return "expired token";
        case Kind::Tampered:
            return "tampered token";
        case Kind::RevokedUser:
            return "revoked user token";
        case Kind::RevokedMachine:
            return "revoked machine token";
        case Kind::OtherMachine:
            return "machine A's token";
        case Kind::Readonly:
            return "readonly user";
        case Kind::Operator:
            return "operator";
        case Kind::NoRole:
            return "user without roles";
    }
    return "?";
}

// 0 when the request must succeed, else the status that refuses it.
int expected_status(Kind k, const Endpoint& e) {
    switch (k) {
        case Kind::OtherMachine:
            return e.allow & kMachineA ? 0 : 403;
        case Kind::Readonly:
            return e.allow & kReadonly ? 0 : 403;
        case Kind::Operator:
            return e.allow & kOperator ? 0 : 403;
        case Kind::NoRole:
            return 403;
        default:
            return 401;
    }
}

// The credential of `kind` for the i-th request, after whatever the kind needs done first.
std::function<Credential(int)> prepare(Kind kind, World& w) {
    auto fixed = [](Credential c) { return [c](int) { return c; }; };
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    switch (kind) {
        case Kind::None:
            return fixed({});
        case Kind::WrongPassword:
            // Failed logins are limited to 10 a minute per source: a new source every 5 requests.
            return [sources = std::make_shared<std::vector<std::string>>()](int i) {
                while (static_cast<int>(sources->size()) <= i / 5)
                    sources->push_back(fresh_loopback_source());
                Credential c = basic("admin", "not-the-password");
                c.source = (*sources)[i / 5];
                return c;
            };
        case Kind::Expired: {
            std::string t = w.resign(w.d.admin_token(), now - 7200, now - 3600);
            Raw r = w.send({"GET", kApi + "/info"}, bearer(t));
            REQUIRE(r.status == 401);
            REQUIRE(r.body.find("token expired") != std::string::npos);
            return fixed(bearer(t));
        }
        case Kind::Tampered:
            return fixed(bearer(World::tampered(w.login_token(World::kReadonly))));
        case Kind::RevokedUser: {
            // A second admin's token, revoked by changing that admin's password.
            std::string t = w.login_token(World::kRoot2);
            REQUIRE(w.send({"GET", kApi + "/users"}, bearer(t)).status == 200);
            REQUIRE(
                patch(*w.admin, kApi + "/users/" + World::kRoot2,
                      json::array({{{"op", "replace"}, {"path", "/Password"}, {"value", "new"}}}))
                    .status == 200);
            Raw r = w.send({"GET", kApi + "/users"}, bearer(t));
            REQUIRE(r.status == 401);
            REQUIRE(r.body.find("token revoked") != std::string::npos);
            w.add_probe(World::kRoot2, w.d.admin_token(), kApi + "/users/admin");
            return fixed(bearer(t));
        }
        case Kind::RevokedMachine: {
            // Machine B's token, revoked by giving B a new Secret (PATCH /machines/<uuid> with a
            // non-empty Secret: the API shows Secret as "", and "" keeps the stored one). Since
            // the table targets B, this is B's own token on its own things.
            std::string t = w.machine_token(w.b);
            REQUIRE(w.send({"GET", kApi + "/machines/" + w.b}, bearer(t)).status == 200);
            REQUIRE(patch(*w.admin, kApi + "/machines/" + w.b,
                          replace_op("/Secret", "0123456789abcdef"))
                        .status == 200);
            Raw r = w.send({"GET", kApi + "/machines/" + w.b}, bearer(t));
            REQUIRE(r.status == 401);
            REQUIRE(r.body.find("token revoked") != std::string::npos);
            w.add_probe("machine B", w.machine_token(w.b), kApi + "/machines/" + w.b);
            return fixed(bearer(t));
        }
        case Kind::OtherMachine:
            return fixed(bearer(w.machine_token(w.a)));
        case Kind::Readonly:
            return fixed(bearer(w.login_token(World::kReadonly)));
        case Kind::Operator:
            return fixed(bearer(w.login_token(World::kOperator)));
        case Kind::NoRole:
            return fixed(bearer(w.login_token(World::kNoRole)));
    }
    return fixed({});
}

// Every endpoint with `kind`'s credential, in the table's order: refusals must change nothing;
// allowed requests must succeed (an allowed write, which only operators have, becomes the new
// state the next refusals are compared with).
void run_matrix(Kind kind) {
    World w;
    auto credential = prepare(kind, w);
    const auto table = endpoints(w);
    json before = w.snapshot();
    int sent = 0, refused = 0, allowed = 0;
    for (const auto& e : table) {
        const int want = expected_status(kind, e);
        Raw r = w.send(e.req, credential(sent++), e.credential_in_query);
        INFO(kind_name(kind) << ": " << e.name << " -> " << r.status << " "
                             << r.body.substr(0, 400));
        if (want == 0) {
            ++allowed;
            CHECK(r.status >= 200);
            CHECK(r.status < 300);
            if (!is_read(e.req.method)) {
                before = w.snapshot();
                continue;
            }
        } else {
            ++refused;
            check_refused(r, want, e.req.method, want == 403 ? e.model : "");
        }
        json after = w.snapshot();
        if (after != before) {
            FAIL_CHECK("the request changed the server's state: " +
                       json::diff(before, after).dump().substr(0, 2000));
            before = std::move(after);
        }
    }
    INFO(kind_name(kind) << ": " << table.size() << " endpoints, " << refused << " refused, "
                         << allowed << " allowed");
    CHECK(refused + allowed == static_cast<int>(table.size()));
}

}  // namespace

TEST_CASE("matrix: no credentials get 401 everywhere and change nothing",
          "[integration][security][matrix]") {
    run_matrix(Kind::None);
}

TEST_CASE("matrix: a wrong password gets 401 everywhere and changes nothing",
          "[integration][security][matrix]") {
    run_matrix(Kind::WrongPassword);
}

TEST_CASE("matrix: an expired token gets 401 everywhere and changes nothing",
          "[integration][security][matrix]") {
    run_matrix(Kind::Expired);
}

TEST_CASE("matrix: a tampered token gets 401 everywhere and changes nothing",
          "[integration][security][matrix]") {
    run_matrix(Kind::Tampered);
}

TEST_CASE("matrix: a user token revoked by a password change gets 401 and changes nothing",
          "[integration][security][matrix]") {
    run_matrix(Kind::RevokedUser);
}

TEST_CASE("matrix: a machine token revoked by a new Secret gets 401 and changes nothing",
          "[integration][security][matrix]") {
    run_matrix(Kind::RevokedMachine);
}

TEST_CASE("matrix: machine A's token on machine B's objects, jobs, logs and events gets 403",
          "[integration][security][matrix]") {
    run_matrix(Kind::OtherMachine);
}

TEST_CASE("matrix: a readonly user reads but every write gets 403 and changes nothing",
          "[integration][security][matrix]") {
    run_matrix(Kind::Readonly);
}

TEST_CASE("matrix: an operator touching users gets 403 and changes nothing",
          "[integration][security][matrix]") {
    run_matrix(Kind::Operator);
}

TEST_CASE("matrix: a user without roles gets 403 everywhere and changes nothing",
          "[integration][security][matrix]") {
    run_matrix(Kind::NoRole);
}

TEST_CASE("matrix: admin may make every request", "[integration][security][matrix]") {
    World w;
    for (const auto& e : endpoints(w)) {
        Raw r = w.send(e.req, bearer(w.d.admin_token()), e.credential_in_query);
        INFO("admin: " << e.name << " -> " << r.status << " " << r.body.substr(0, 400));
        CHECK(r.status >= 200);
        CHECK(r.status < 300);
    }
}
