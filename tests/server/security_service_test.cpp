// The security facade on a real store (issue 7): Basic and Bearer authentication to a Principal,
// 401s with WWW-Authenticate, user and machine tokens with their lifetimes, revocation by
// password, roles or Secret change, the failed-login throttle with an injected clock, and the
// tokens that task templates render.
#include <catch2/catch.hpp>

#include <atomic>
#include <sstream>
#include <thread>

#include "common/security/base64.hpp"
#include "common/security/roles.hpp"
#include "common/tmpl/template.hpp"
#include "security_test_support.hpp"
#include "server/security/security_service.hpp"

using namespace drover;
using namespace drover::security;
using namespace drover::security::testing;
using model::Json;

namespace {

// Unix seconds and a steady clock that only move when told to.
struct FakeClock {
    std::atomic<std::int64_t> unix_seconds{1700000000};
    std::atomic<std::int64_t> steady_ms{0};

    AuthClock clock() {
        return {[this] { return unix_seconds.load(); },
                [this] {
                    return LoginThrottle::Clock::time_point(
                        std::chrono::milliseconds(steady_ms.load()));
                }};
    }
    void advance(std::chrono::seconds s) {
        unix_seconds += s.count();
        steady_ms += std::chrono::duration_cast<std::chrono::milliseconds>(s).count();
    }
};

inline http::Request request_with(const std::string& authorization,
                                  const std::string& remote = "192.0.2.10") {
    http::Request r;
    r.method = "GET";
    r.path = "/api/v3/machines";
    if (!authorization.empty()) r.headers.emplace("Authorization", authorization);
    r.remote_addr = remote;
    return r;
}

inline http::Request basic_request(const std::string& user, const std::string& password,
                                   const std::string& remote = "192.0.2.10") {
    return request_with("Basic " + base64_encode(user + ":" + password), remote);
}

inline http::Request bearer_request(const std::string& token) {
    return request_with("Bearer " + token);
}

struct ServiceFixture : ObjectsFixture {
    FakeClock time;
    std::unique_ptr<SecurityService> security;

    ServiceFixture() {
        SecurityOptions o;
        o.data_dir = data_dir;
        o.password_cost = kCheapCost;
        auto s = SecurityService::open(*objects, o, time.clock());
        REQUIRE(s.has_value());
        security = std::move(*s);
    }
    void user(const std::string& name, std::vector<std::string> roles, const std::string& pw) {
        auto r = security->users().create(
            {{"Name", name}, {"Roles", std::move(roles)}, {"Password", pw}}, {});
        INFO((r ? "" : model::describe(r.error())));
        REQUIRE(r.has_value());
    }
    Principal ok(const http::Request& req) {
        auto p = security->authenticate(req);
        INFO((p ? "" : p.error().error.messages.at(0)));
        REQUIRE(p.has_value());
        return *p;
    }
    AuthFailure failure(const http::Request& req) {
        auto p = security->authenticate(req);
        REQUIRE_FALSE(p.has_value());
        return p.error();
    }
    std::string user_token(const std::string& name, std::int64_t ttl = 0) {
        auto t = security->token_for_user(name, ttl);
        REQUIRE(t.has_value());
        return *t;
    }
    std::string machine_token(const std::string& uuid, std::int64_t ttl = 0) {
        auto t = security->token_for_machine(uuid, ttl);
        REQUIRE(t.has_value());
        return *t;
    }
};

Access access(std::string method, std::string prefix, std::string key = "") {
    Access a;
    a.method = std::move(method);
    a.prefix = std::move(prefix);
    a.key = std::move(key);
    return a;
}

void check_401(const AuthFailure& f, const std::string& message) {
    CHECK(f.error.code == 401);
    CHECK(f.error.type == "API_ERROR");
    CHECK(f.error.messages == std::vector<std::string>{message});
    auto h = failure_headers(f);
    REQUIRE(h.count("WWW-Authenticate") == 1);
    CHECK(h.find("www-authenticate")->second == "dr-provision");
}

}  // namespace

TEST_CASE("Basic login gives the user's role claims", "[security][auth][spec6.1]") {
    ServiceFixture f;
    f.user("alice", {"operator"}, "pw-alice");
    Principal p = f.ok(basic_request("alice", "pw-alice"));
    CHECK(p.subject.id() == "user:alice");
    CHECK(authorize(p, access("PUT", "tasks", "t")).allowed);
    CHECK_FALSE(authorize(p, access("GET", "users")).allowed);
    CHECK(authorize(p, access("GET", "users", "alice")).allowed);

    http::Request q;
    q.query.emplace("token", "alice:pw-alice");  // ?token=user:pass is Basic (spec 6.1)
    CHECK(f.ok(q).subject.id() == "user:alice");
}

TEST_CASE("missing, garbled and wrong credentials are 401 with WWW-Authenticate",
          "[security][auth][spec6.1]") {
    ServiceFixture f;
    f.user("alice", {"admin"}, "pw-alice");
    REQUIRE(f.security->users().create({{"Name", "nopass"}, {"Roles", {"admin"}}}, {}));
    check_401(f.failure(request_with("")),
              "Missing credentials: use Basic or Bearer authorization");
    check_401(f.failure(request_with("Digest x")), "Unsupported authorization scheme");
    check_401(f.failure(request_with("Basic ***")), "Basic credentials are not valid base64");
    check_401(f.failure(basic_request("alice", "wrong")), "Invalid username or password");
    check_401(f.failure(basic_request("nobody", "pw-alice")), "Invalid username or password");
    check_401(f.failure(basic_request("nopass", "")), "Invalid username or password");
    check_401(f.failure(basic_request("nopass", "anything")), "Invalid username or password");
    check_401(f.failure(bearer_request("not-a-token")), "malformed token");
}

TEST_CASE(
    "user tokens: claims as issued, expiry with 60 s skew, revoked by password, roles or "
    "deletion",
    "[security][auth][tokens]") {
    ServiceFixture f;
    f.user("alice", {"readonly"}, "pw1");
    std::string t = f.user_token("alice", 600);
    TokenPayload payload = unverified_payload(t);
    CHECK(payload.subject.id() == "user:alice");
    CHECK(payload.expires_at - payload.issued_at == 600);

    Principal p = f.ok(bearer_request(t));
    CHECK(p.subject.id() == "user:alice");
    CHECK(authorize(p, access("GET", "machines")).allowed);
    CHECK_FALSE(authorize(p, access("POST", "machines")).allowed);
    http::Request q;
    q.query.emplace("token", t);  // event streams from browsers
    CHECK(f.ok(q).subject.id() == "user:alice");

    f.time.advance(std::chrono::seconds(600 + 60));
    CHECK(f.ok(bearer_request(t)).subject.id() == "user:alice");
    f.time.advance(std::chrono::seconds(1));
    check_401(f.failure(bearer_request(t)), "token expired");

    // Changing the password revokes tokens issued before; new ones work.
    std::string t2 = f.user_token("alice");
    f.ok(bearer_request(t2));
    REQUIRE(f.security->users().patch(
        "alice", Json::array({{{"op", "replace"}, {"path", "/Password"}, {"value", "pw2"}}}), {}));
    check_401(f.failure(bearer_request(t2)), "token revoked");
    check_401(f.failure(basic_request("alice", "pw1")), "Invalid username or password");
    f.ok(basic_request("alice", "pw2"));

    // So does changing the roles (a demoted user keeps no old powers), but not the description.
    std::string t3 = f.user_token("alice");
    REQUIRE(f.security->users().patch(
        "alice", Json::array({{{"op", "replace"}, {"path", "/Description"}, {"value", "x"}}}), {}));
    f.ok(bearer_request(t3));
    REQUIRE(f.security->users().patch(
        "alice", Json::array({{{"op", "replace"}, {"path", "/Roles"}, {"value", {"admin"}}}}), {}));
    check_401(f.failure(bearer_request(t3)), "token revoked");
    std::string t4 = f.user_token("alice");
    CHECK(authorize(f.ok(bearer_request(t4)), access("POST", "machines")).allowed);

    REQUIRE(f.objects->remove("users", "alice", {}));
    check_401(f.failure(bearer_request(t4)), "token revoked");
    auto gone = f.security->token_for_user("alice", 60);
    REQUIRE_FALSE(gone.has_value());
    CHECK(gone.error().code == 404);
}

TEST_CASE("machine tokens carry exactly the machine's claims and die with its Secret",
          "[security][auth][tokens][spec7.2]") {
    ServiceFixture f;
    std::string a = f.machine("m-a");
    std::string b = f.machine("m-b");
    std::string t = f.machine_token(a);
    TokenPayload payload = unverified_payload(t);
    CHECK(payload.expires_at - payload.issued_at == 3600);
    CHECK(payload.claims.size() == machine_claims(a).size());

    Principal p = f.ok(bearer_request(t));
    CHECK(p.subject.id() == "machine:" + a);
    Access mine = access("PATCH", "machines", a);
    Access other = access("PATCH", "machines", b);
    CHECK(authorize(p, mine).allowed);
    CHECK_FALSE(authorize(p, other).allowed);
    Access job_b = access("PUT", "jobs", "j");
    job_b.sub = "log";
    job_b.job_machine = b;
    CHECK_FALSE(authorize(p, job_b).allowed);

    // Changing another machine's Secret changes nothing for this one; its own revokes.
    Json new_secret =
        Json::array({{{"op", "replace"}, {"path", "/Secret"}, {"value", "0123456789abcdef"}}});
    REQUIRE(f.objects->patch("machines", b, new_secret, {}));
    f.ok(bearer_request(t));
    REQUIRE(f.objects->patch("machines", a, new_secret, {}));
    check_401(f.failure(bearer_request(t)), "token revoked");
    std::string fresh = f.machine_token(a);
    f.ok(bearer_request(fresh));
    // A PATCH that leaves Secret alone (the API shows it as "") keeps the tokens.
    REQUIRE(f.objects->patch(
        "machines", a,
        Json::array({{{"op", "replace"}, {"path", "/Description"}, {"value", "rack 4"}}}), {}));
    f.ok(bearer_request(fresh));

    auto missing = f.security->token_for_machine("00000000-0000-4000-8000-000000000000", 60);
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().code == 404);
    CHECK(missing.error().model == "machines");
}

TEST_CASE("?ttl=: 0 means the default, above the infinite lifetime it is capped",
          "[security][tokens]") {
    ServiceFixture f;
    f.user("alice", {}, "pw");
    auto life = [&](std::int64_t ttl) {
        TokenPayload p = unverified_payload(f.user_token("alice", ttl));
        return p.expires_at - p.issued_at;
    };
    CHECK(life(0) == 3600);
    CHECK(life(-5) == 3600);
    CHECK(life(7200) == 7200);
    CHECK(life(365 * 24 * 3600) == 365 * 24 * 3600);
    CHECK(life(3 * 365 * 24 * 3600) == 365 * 24 * 3600);
    CHECK(unverified_payload(f.user_token("alice")).issued_at == f.time.unix_seconds.load());
}

TEST_CASE("ten failed logins a minute per source, then 429 without checking",
          "[security][auth][throttle]") {
    ServiceFixture f;
    f.user("alice", {"admin"}, "right");
    std::string token = f.user_token("alice");
    for (int i = 0; i < 10; ++i)
        check_401(f.failure(basic_request("alice", "wrong", "198.51.100.7")),
                  "Invalid username or password");
    AuthFailure throttled = f.failure(basic_request("alice", "right", "198.51.100.7"));
    CHECK(throttled.error.code == 429);
    CHECK(throttled.retry_after_seconds == 6);
    CHECK(throttled.error.messages ==
          std::vector<std::string>{"Too many failed logins from 198.51.100.7; retry in 6 s"});
    auto h = failure_headers(throttled);
    CHECK(h.find("Retry-After")->second == "6");
    CHECK(h.count("WWW-Authenticate") == 0);

    // Other sources, and bearer tokens from the same one, are not affected.
    f.ok(basic_request("alice", "right", "198.51.100.8"));
    http::Request bearer = bearer_request(token);
    bearer.remote_addr = "198.51.100.7";
    f.ok(bearer);

    f.time.advance(std::chrono::seconds(6));
    f.ok(basic_request("alice", "right", "198.51.100.7"));
    check_401(f.failure(basic_request("alice", "wrong", "198.51.100.7")),
              "Invalid username or password");
    CHECK(f.failure(basic_request("alice", "right", "198.51.100.7")).error.code == 429);

    // An IPv6 attacker cannot escape by hopping addresses inside its /64.
    for (int i = 0; i < 10; ++i)
        f.failure(basic_request("alice", "wrong", "2001:db8:1:2::" + std::to_string(i + 1)));
    CHECK(f.failure(basic_request("alice", "right", "2001:db8:1:2::ff")).error.code == 429);
    f.ok(basic_request("alice", "right", "2001:db8:1:3::1"));
}

TEST_CASE("throttle sources: IPv4 as is, IPv6 by /64, mapped IPv4 as IPv4", "[security][auth]") {
    CHECK(throttle_source("192.0.2.1") == "192.0.2.1");
    CHECK(throttle_source("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64");
    CHECK(throttle_source("2001:db8::1") == "2001:db8::/64");
    CHECK(throttle_source("::ffff:192.0.2.1") == "192.0.2.1");
    CHECK(throttle_source("::1") == "::/64");
    CHECK(throttle_source("") == "");
    CHECK(throttle_source("not:an:address") == "not:an:address");
}

TEST_CASE("concurrent logins: every check counted, every right password accepted",
          "[security][auth][throttle]") {
    ServiceFixture f;
    f.user("alice", {"admin"}, "right");
    std::vector<std::thread> threads;
    std::atomic<int> accepted{0}, refused{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 5; ++i) {
                if (f.security->authenticate(basic_request("alice", "right", "203.0.113.1")))
                    ++accepted;
                if (!f.security->authenticate(
                        basic_request("alice", "wrong", "203.0.113." + std::to_string(t + 2))))
                    ++refused;
            }
        });
    for (auto& th : threads)
        th.join();
    CHECK(accepted == 20);
    CHECK(refused == 20);
    for (int t = 0; t < 4; ++t) {
        std::string source = "203.0.113." + std::to_string(t + 2);
        for (int i = 0; i < 5; ++i)
            f.failure(basic_request("alice", "wrong", source));
        CHECK(f.failure(basic_request("alice", "right", source)).error.code == 429);
    }
}

TEST_CASE("concurrent guesses from one source cannot exceed its budget",
          "[security][auth][throttle]") {
    ServiceFixture f;
    f.user("alice", {"admin"}, "right");
    std::vector<std::thread> threads;
    std::atomic<int> checked{0}, throttled{0}, other{0};
    for (int t = 0; t < 16; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 2; ++i) {
                auto r = f.security->authenticate(basic_request("alice", "wrong", "203.0.113.99"));
                int code = r ? 200 : r.error().error.code;
                if (code == 401)
                    ++checked;
                else if (code == 429)
                    ++throttled;
                else
                    ++other;
            }
        });
    for (auto& th : threads)
        th.join();
    CHECK(checked == 10);
    CHECK(throttled == 22);
    CHECK(other == 0);
}

TEST_CASE(
    "templates render machine tokens: .GenerateToken, .GenerateInfiniteToken, "
    ".GenerateProfileToken",
    "[security][tokens][spec7.2]") {
    ServiceFixture f;
    REQUIRE(f.objects->create("profiles", {{"Name", "rack-4"}}, {}));
    auto created = f.objects->create("machines", {{"Name", "m1"}, {"Profiles", {"rack-4"}}}, {});
    REQUIRE(created.has_value());
    model::Machine m;
    model::decode(created.value(), m);
    auto source = f.security->token_source(m);

    tmpl::TemplateSet set;
    REQUIRE_FALSE(set.add("t",
                          "{{.GenerateToken}} {{.GenerateInfiniteToken}} "
                          "{{.GenerateProfileToken \"rack-4\" 0}} "
                          "{{.GenerateProfileToken \"rack-4\" 120}} "
                          "{{.GenerateProfileToken \"global\" 120}}"));
    tmpl::RenderContext ctx;
    Json machine_json = created.value();
    ctx.machine = &machine_json;
    ctx.tokens = source.get();
    auto out = set.render("t", ctx);
    REQUIRE(out.ok());
    std::vector<std::string> tokens;
    std::istringstream words(out.value());
    for (std::string w; words >> w;)
        tokens.push_back(w);
    REQUIRE(tokens.size() == 5);

    TokenPayload known = unverified_payload(tokens[0]);
    CHECK(known.expires_at - known.issued_at == 3600);
    TokenPayload infinite = unverified_payload(tokens[1]);
    CHECK(infinite.expires_at - infinite.issued_at == 365 * 24 * 3600);
    Principal p = f.ok(bearer_request(tokens[0]));
    CHECK(p.subject.id() == "machine:" + m.uuid);
    CHECK(authorize(p, access("PATCH", "machines", m.uuid)).allowed);
    CHECK(f.ok(bearer_request(tokens[1])).subject.id() == "machine:" + m.uuid);

    TokenPayload profile_forever = unverified_payload(tokens[2]);
    CHECK(profile_forever.expires_at - profile_forever.issued_at == 365 * 24 * 3600);
    TokenPayload profile = unverified_payload(tokens[3]);
    CHECK(profile.expires_at - profile.issued_at == 120);
    Principal pp = f.ok(bearer_request(tokens[3]));
    CHECK(authorize(pp, access("PATCH", "profiles", "rack-4")).allowed);
    CHECK_FALSE(authorize(pp, access("PATCH", "profiles", "global")).allowed);
    CHECK_FALSE(authorize(pp, access("GET", "machines", m.uuid)).allowed);
    CHECK(tokens[4] == kProfileNotOnMachineToken);

    // A machine deleted since renders empty tokens.
    REQUIRE(f.objects->remove("machines", m.uuid, {}));
    CHECK(source->token().empty());
}
