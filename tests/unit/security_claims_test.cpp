// Authorisation tables (spec 6.1, 7.2; issue 7): which action each request needs, how claims
// match, and, row by row, what admin, operator, readonly, a user with no role and a machine may
// do; the machine's rows are the list of its own operations and nothing else.
#include <catch2/catch.hpp>

#include "common/security/claims.hpp"
#include "common/security/roles.hpp"

using namespace drover::security;

namespace {

const std::string kA = "aaaaaaaa-0000-4000-8000-000000000001";  // the machine in the table
const std::string kB = "bbbbbbbb-0000-4000-8000-000000000002";  // another machine
const std::string kJobA = "cccccccc-0000-4000-8000-00000000000a";
const std::string kJobB = "cccccccc-0000-4000-8000-00000000000b";

Claim claim(std::string scope, std::string action, std::string specific) {
    Claim c;
    c.scope = std::move(scope);
    c.action = std::move(action);
    c.specific = std::move(specific);
    return c;
}

Principal user(const std::string& name, std::vector<std::string> roles) {
    return {{SubjectKind::User, name}, user_claims(name, roles)};
}

Principal machine(const std::string& uuid) {
    return {{SubjectKind::Machine, uuid}, machine_claims(uuid)};
}

Access req(std::string method, std::string prefix, std::string key = "", std::string sub = "") {
    Access a;
    a.method = std::move(method);
    a.prefix = std::move(prefix);
    a.key = std::move(key);
    a.sub = std::move(sub);
    return a;
}

Access job(std::string method, const std::string& key, std::optional<std::string> machine,
           std::string sub = "") {
    Access a = req(std::move(method), "jobs", key, std::move(sub));
    a.job_machine = std::move(machine);
    return a;
}

Access decoded(Access a) {
    a.decode = true;
    return a;
}

std::string show(const Access& a) {
    std::string s = a.method + " " + a.prefix + "/" + a.key + "/" + a.sub;
    if (a.job_machine) s += " job of " + *a.job_machine;
    if (a.decode) s += " decode";
    return s;
}

}  // namespace

TEST_CASE("each request needs one action, plus getSecure to read decrypted values",
          "[security][claims]") {
    struct Row {
        Access access;
        std::vector<std::string> actions;
    };
    const std::vector<Row> rows = {
        {req("GET", "machines"), {"list"}},
        {req("HEAD", "machines"), {"list"}},
        {req("POST", "machines"), {"create"}},
        {req("DELETE", "jobs"), {"delete"}},
        {req("PUT", "machines"), {}},
        {req("PATCH", "machines"), {}},
        {req("GET", "machines", kA), {"get"}},
        {req("HEAD", "machines", kA), {"get"}},
        {req("PUT", "machines", kA), {"update"}},
        {req("PATCH", "machines", kA), {"patch"}},
        {req("DELETE", "machines", kA), {"delete"}},
        {req("POST", "machines", kA), {}},
        {req("GET", "machines", kA, "params"), {"get"}},
        {req("POST", "machines", kA, "params"), {"update"}},
        {req("PUT", "machines", kA, "params"), {"update"}},
        {req("DELETE", "machines", kA, "params"), {"update"}},
        {req("PATCH", "machines", kA, "params"), {"patch"}},
        {req("GET", "jobs", kJobA, "log"), {"get"}},
        {req("HEAD", "jobs", kJobA, "log"), {"get"}},
        {req("PUT", "jobs", kJobA, "log"), {"log"}},
        {req("POST", "jobs", kJobA, "log"), {}},
        {req("GET", "jobs", kJobA, "actions"), {"actions"}},
        {req("POST", "machines", kA, "actions"), {"action"}},
        {req("GET", "machines", kA, "render"), {"actions"}},
        {req("POST", "machines", kA, "render"), {}},
        {req("GET", "machines", kA, "token"), {"token"}},
        {req("POST", "machines", kA, "token"), {}},
        {req("GET", "machines", kA, "pubkey"), {"get"}},
        {req("GET", "machines", kA, "unheard-of"), {}},
        {req("GET", "machines", "", "params"), {}},
        {req("GET", ""), {}},
        {req("get", "machines", kA), {}},
        {req("OPTIONS", "machines", kA), {}},
        {decoded(req("GET", "machines", kA)), {"get", "getSecure"}},
        {decoded(req("GET", "machines", kA, "params")), {"get", "getSecure"}},
        {decoded(req("GET", "jobs", kJobA, "actions")), {"actions", "getSecure"}},
        {decoded(req("GET", "machines", kA, "unheard-of")), {}},
    };
    for (const auto& r : rows) {
        INFO(show(r.access));
        CHECK(required_actions(r.access) == r.actions);
    }
}

TEST_CASE("claim fields are * or comma lists, matched exactly", "[security][claims]") {
    CHECK(claim_matches(claim("*", "*", "*"), "machines", "get", "x"));
    CHECK(claim_matches(claim("*", "*", "*"), "machines", "list", ""));
    CHECK(claim_matches(claim("machines,jobs", "get,patch", "x"), "jobs", "patch", "x"));
    CHECK(claim_matches(claim("machines, jobs", " get , patch", " x"), "jobs", "patch", "x"));
    CHECK(claim_matches(claim("tasks", "get", "a,*"), "tasks", "get", "zzz"));
    CHECK_FALSE(claim_matches(claim("machines,jobs", "get,patch", "x"), "tasks", "get", "x"));
    CHECK_FALSE(claim_matches(claim("machines", "get,patch", "x"), "machines", "update", "x"));
    CHECK_FALSE(claim_matches(claim("machines", "get", "x"), "machines", "get", "xy"));
    CHECK_FALSE(claim_matches(claim("machines", "get", "x"), "machines", "get", ""));
    CHECK_FALSE(claim_matches(claim("Machines", "get", "x"), "machines", "get", "x"));
    CHECK_FALSE(claim_matches(claim("machines", "Get", "x"), "machines", "get", "x"));
    // Empty fields and empty list entries grant nothing, not everything.
    CHECK_FALSE(claim_matches(claim("", "get", "*"), "", "get", "x"));
    CHECK_FALSE(claim_matches(claim("machines", "", "*"), "machines", "", "x"));
    CHECK_FALSE(claim_matches(claim("machines", "get", ""), "machines", "get", ""));
    CHECK_FALSE(claim_matches(claim("machines", "get", ",,"), "machines", "get", ""));
    // A list of keys is not a pattern.
    CHECK_FALSE(claim_matches(claim("machines", "get", "a*"), "machines", "get", "ab"));
}

TEST_CASE("the authorisation table: admin, operator, readonly, a user without roles, a machine",
          "[security][claims][issue7]") {
    const Principal admin = user("root", {"admin"});
    const Principal op = user("ops", {"operator"});
    const Principal ro = user("viewer", {"readonly"});
    const Principal alice = user("alice", {});
    const Principal ma = machine(kA);
    // Columns: admin, operator, readonly, alice, machine A; 'y' allowed, '.' refused.
    struct Row {
        Access access;
        const char* expect;
    };
    const std::vector<Row> rows = {
        // machines
        {req("GET", "machines"), "yyy.."},
        {req("POST", "machines"), "yy..."},
        {req("GET", "machines", kA), "yyy.y"},
        {req("HEAD", "machines", kA), "yyy.y"},
        {req("GET", "machines", kB), "yyy.."},
        {req("PATCH", "machines", kA), "yy..y"},
        {req("PATCH", "machines", kB), "yy..."},
        {req("PUT", "machines", kA), "yy..y"},  // update on itself, as DRP allows
        {req("DELETE", "machines", kA), "yy..."},
        {decoded(req("GET", "machines", kA)), "y...."},
        {req("GET", "machines", kA, "params"), "yyy.y"},
        {req("GET", "machines", kB, "params"), "yyy.."},
        {decoded(req("GET", "machines", kA, "params")), "y...."},
        {req("PATCH", "machines", kA, "params"), "yy..y"},
        {req("PATCH", "machines", kB, "params"), "yy..."},
        {req("POST", "machines", kA, "params"), "yy..y"},  // the helper's set_param
        {req("DELETE", "machines", kA, "params"), "yy..y"},
        {req("GET", "machines", kA, "token"), "yy..y"},
        {req("GET", "machines", kB, "token"), "yy..."},
        {req("GET", "machines", kA, "render"), "yy..."},
        {req("GET", "machines", kA, "actions"), "yy..."},
        {req("POST", "machines", kA, "actions"), "yy..."},
        {req("GET", "machines", kA, "pubkey"), "yyy.y"},
        // jobs: the target is the job's machine
        {job("POST", "", kA), "yy..y"},
        {job("POST", "", kB), "yy..."},
        {job("POST", "", std::nullopt), "yy..."},
        {job("POST", "", ""), "yy..."},
        {job("GET", "", std::nullopt), "yyy.."},
        {job("GET", "", kA), "yyy.."},
        {job("DELETE", "", std::nullopt), "yy..."},
        {job("DELETE", "", kA), "yy..."},
        {job("GET", kJobA, kA), "yyy.y"},
        {job("GET", kJobB, kB), "yyy.."},
        {job("GET", kJobA, std::nullopt), "yyy.."},
        {job("GET", kA, std::nullopt), "yyy.."},  // a job keyed like the machine is still not its
        {job("PATCH", kJobA, kA), "yy..y"},
        {job("PUT", kJobA, kA), "yy..y"},
        {job("PATCH", kJobB, kB), "yy..."},
        {job("PATCH", kJobA, std::nullopt), "yy..."},
        {job("DELETE", kJobA, kA), "yy..."},
        {decoded(job("GET", kJobA, kA, "actions")), "y...y"},
        {job("GET", kJobA, kA, "actions"), "yy..y"},
        {decoded(job("GET", kJobB, kB, "actions")), "y...."},
        {job("GET", kJobB, kB, "actions"), "yy..."},
        {job("PUT", kJobA, kA, "log"), "yy..y"},
        {job("PUT", kJobB, kB, "log"), "yy..."},
        {job("GET", kJobA, kA, "log"), "yyy.y"},
        {job("HEAD", kJobA, kA, "log"), "yyy.y"},
        {job("GET", kJobB, kB, "log"), "yyy.."},
        // content: the machine reads what it runs
        {req("GET", "tasks"), "yyy.."},
        {req("GET", "tasks", "install"), "yyy.y"},
        {req("PUT", "tasks", "install"), "yy..."},
        {req("PATCH", "tasks", "install"), "yy..."},
        {req("POST", "tasks"), "yy..."},
        {req("DELETE", "tasks", "install"), "yy..."},
        {req("GET", "stages", "discover"), "yyy.y"},
        {req("GET", "bootenvs", "sledgehammer"), "yyy.y"},
        {req("GET", "templates", "setup.tmpl"), "yyy.y"},
        {req("GET", "params", "ntp/servers"), "yyy.y"},
        {req("GET", "profiles", "global"), "yyy.y"},
        {req("GET", "profiles", "global", "params"), "yyy.y"},
        {decoded(req("GET", "profiles", "global", "params")), "y...."},
        {req("PATCH", "profiles", "global"), "yy..."},
        {req("POST", "profiles", "global", "params"), "yy..."},
        {req("GET", "profiles"), "yyy.."},
        {req("GET", "workflows", "discover-base"), "yyy.."},
        {req("GET", "contexts", "drpcli-runner"), "yyy.."},
        {req("POST", "workflows"), "yy..."},
        // content bundles (POST /contents): what operators may write object by object
        {req("POST", "contents"), "yy..."},
        // users: admin only, except that everyone may read itself and get its own token
        {req("GET", "users"), "y...."},
        {req("POST", "users"), "y...."},
        {req("GET", "users", "alice"), "y..y."},
        {req("GET", "users", "ops"), "yy..."},
        {req("GET", "users", "viewer"), "y.y.."},
        {req("GET", "users", "bob"), "y...."},
        {req("PUT", "users", "alice"), "y...."},
        {req("PATCH", "users", "alice"), "y...."},
        {req("PATCH", "users", "ops"), "y...."},
        {req("DELETE", "users", "alice"), "y...."},
        {req("GET", "users", "alice", "token"), "y..y."},
        {req("GET", "users", "bob", "token"), "y...."},
        {req("GET", "users", "ops", "token"), "yy..."},
        // events: opening a stream, injecting one
        {req("GET", "events"), "yyy.y"},
        {req("POST", "events"), "yy..."},
        // admin-only scopes and misc
        {req("GET", "security"), "y...."},
        {req("PUT", "security", "tls"), "y...."},
        {req("GET", "prefs"), "y...."},
        {req("GET", "info"), "yyy.."},
        {req("GET", "indexes", "machines"), "yyy.."},
        {req("PATCH", "meta", "machines"), "yy..."},
        // requests the table does not know are refused for everyone
        {req("GET", "machines", kA, "unheard-of"), "....."},
        {req("PATCH", "machines"), "....."},
        {req("GET", ""), "....."},
        {req("OPTIONS", "machines", kA), "....."},
    };
    const Principal* principals[] = {&admin, &op, &ro, &alice, &ma};
    for (const auto& r : rows) {
        REQUIRE(std::string(r.expect).size() == 5);
        for (int i = 0; i < 5; ++i) {
            INFO(principals[i]->subject.id() << ": " << show(r.access));
            Decision d = authorize(*principals[i], r.access);
            CHECK(d.allowed == (r.expect[i] == 'y'));
            CHECK_FALSE(d.reason.empty());
        }
    }
}

TEST_CASE("event streams show what the principal may get: a machine sees its own",
          "[security][claims][spec6.6]") {
    const Principal ma = machine(kA);
    const Principal op = user("ops", {"operator"});
    const Principal alice = user("alice", {});
    CHECK(authorize(ma, event_access("machines", kA, std::nullopt)).allowed);
    CHECK_FALSE(authorize(ma, event_access("machines", kB, std::nullopt)).allowed);
    CHECK(authorize(ma, event_access("jobs", kJobA, kA)).allowed);
    CHECK_FALSE(authorize(ma, event_access("jobs", kJobB, kB)).allowed);
    CHECK_FALSE(authorize(ma, event_access("jobs", kJobA, std::nullopt)).allowed);
    CHECK_FALSE(authorize(ma, event_access("users", "alice", std::nullopt)).allowed);
    CHECK_FALSE(authorize(ma, event_access("websocket", "x", std::nullopt)).allowed);
    CHECK_FALSE(authorize(ma, event_access("workflows", "w", std::nullopt)).allowed);
    CHECK(authorize(op, event_access("machines", kB, std::nullopt)).allowed);
    CHECK_FALSE(authorize(op, event_access("users", "alice", std::nullopt)).allowed);
    CHECK(authorize(alice, event_access("users", "alice", std::nullopt)).allowed);
    CHECK_FALSE(authorize(alice, event_access("machines", kA, std::nullopt)).allowed);
}

TEST_CASE("decisions say who may or may not do what", "[security][claims]") {
    const Principal ma = machine(kA);
    Decision no = authorize(ma, req("PUT", "machines", kB));
    CHECK_FALSE(no.allowed);
    CHECK(no.reason == "machine:" + kA + " may not update machines/" + kB);
    Decision secure = authorize(ma, decoded(req("GET", "machines", kA)));
    CHECK(secure.reason == "machine:" + kA + " may not getSecure machines/" + kA);
    CHECK(authorize(ma, req("GET", "machines", kA, "nope")).reason ==
          "no such request: GET machines/" + kA + "/nope");
    Decision yes = authorize(ma, job("PUT", kJobA, kA, "log"));
    CHECK(yes.allowed);
    CHECK(yes.reason == "machine:" + kA + " may PUT jobs/" + kJobA + "/log");
}

TEST_CASE("roles: several add up, unknown ones grant nothing, no claims grant nothing",
          "[security][roles]") {
    CHECK(parse_role("admin") == Role::Admin);
    CHECK(parse_role("operator") == Role::Operator);
    CHECK(parse_role("readonly") == Role::ReadOnly);
    CHECK_FALSE(parse_role("Admin"));
    CHECK_FALSE(parse_role("superuser"));
    for (Role r : {Role::Admin, Role::Operator, Role::ReadOnly})
        CHECK(parse_role(role_name(r)) == r);

    const Principal both = user("both", {"readonly", "operator"});
    CHECK(authorize(both, req("PUT", "tasks", "t")).allowed);
    const Principal unknown = user("mallory", {"superuser", "root"});
    CHECK_FALSE(authorize(unknown, req("GET", "machines")).allowed);
    CHECK(authorize(unknown, req("GET", "users", "mallory")).allowed);
    const Principal nobody{{SubjectKind::User, "x"}, {}};
    CHECK_FALSE(authorize(nobody, req("GET", "users", "x")).allowed);
    // Operators get every action but getSecure on the listed scopes.
    for (auto a : all_actions()) {
        INFO(a);
        bool granted = false;
        for (const auto& c : role_claims(Role::Operator))
            granted = granted || claim_matches(c, "machines", a, "x");
        CHECK(granted == (a != action::kGetSecure));
    }
    for (auto scope : operator_scopes())
        CHECK(scope != "users");
}

TEST_CASE("subjects print as user:<name> / machine:<uuid> and parse back", "[security][claims]") {
    Subject u{SubjectKind::User, "admin@example.com"};
    Subject m{SubjectKind::Machine, kA};
    CHECK(u.id() == "user:admin@example.com");
    CHECK(m.id() == "machine:" + kA);
    CHECK(parse_subject(u.id()) == u);
    CHECK(parse_subject(m.id()) == m);
    CHECK(parse_subject("user:a:b") == Subject{SubjectKind::User, "a:b"});
    CHECK_FALSE(parse_subject("user:"));
    CHECK_FALSE(parse_subject("machine:"));
    CHECK_FALSE(parse_subject("admin"));
    CHECK_FALSE(parse_subject("profile:global"));
    CHECK_FALSE(parse_subject(""));
}
