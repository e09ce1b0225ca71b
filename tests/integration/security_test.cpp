// Issue 7 against the real droverd, the paths that must work (the refusals are
// security_matrix_test.cpp's): a machine token does exactly its own machine's agent operations
// (spec 7.2) and its event stream shows its own machine and jobs only; readonly users read;
// operators write content but not users; every user reads itself and gets a token for itself;
// tokens live for 60 s past their expiry and no longer; changed credentials revoke old tokens
// and new ones work; failed logins are limited per source (429 with Retry-After); and the first
// start without --admin-password writes a random admin password to a private file.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include "security_world.hpp"

using namespace drover::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string kApi = "/api/v3";

json add_op(const std::string& path, const json& value) {
    return json::array({{{"op", "add"}, {"path", path}, {"value", value}}});
}

// An event stream read in the background, opened with `cred` (header or ?token=).
class EventReader {
  public:
    EventReader(const World& w, const std::string& path, const Credential& cred, bool in_query)
        : client_("127.0.0.1", w.d.port()) {
        client_.set_read_timeout(30, 0);
        httplib::Headers headers;
        std::string target = path;
        if (in_query)
            target +=
                (target.find('?') == std::string::npos ? "?token=" : "&token=") + cred.query_token;
        else
            headers.emplace("Authorization", cred.authorization);
        thread_ = std::thread([this, target, headers] {
            std::string buf;
            auto res = client_.Get(
                target, headers,
                [this](const httplib::Response& r) {
                    status_ = r.status;
                    return true;
                },
                [&](const char* data, size_t n) {
                    buf.append(data, n);
                    parse(buf);
                    return !stop_;
                });
            done_ = true;
        });
    }
    ~EventReader() {
        stop_ = true;
        client_.stop();
        thread_.join();
    }

    // Events reach a stream once the bus attached it, which its first heartbeat proves.
    bool wait_attached(std::chrono::seconds limit = 10s) {
        return wait([&] { return heartbeats_ > 0; }, limit);
    }
    // Waits (bounded) until an event matching `pred` arrived.
    bool wait_for(const std::function<bool(const json&)>& pred, std::chrono::seconds limit = 10s) {
        return wait(
            [&] {
                for (const auto& e : events_)
                    if (pred(e)) return true;
                return false;
            },
            limit);
    }
    std::vector<json> events() {
        std::lock_guard lock(mutex_);
        return events_;
    }
    int status() const { return status_; }

  private:
    bool wait(const std::function<bool()>& done, std::chrono::seconds limit) {
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline && !done_) {
            {
                std::lock_guard lock(mutex_);
                if (done()) return true;
            }
            std::this_thread::sleep_for(10ms);
        }
        std::lock_guard lock(mutex_);
        return done();
    }
    void parse(std::string& buf) {
        std::size_t end;
        while ((end = buf.find("\n\n")) != std::string::npos) {
            std::string frame = buf.substr(0, end);
            buf.erase(0, end + 2);
            std::lock_guard lock(mutex_);
            if (frame.rfind(": heartbeat", 0) == 0) ++heartbeats_;
            for (std::size_t pos = 0; pos < frame.size();) {
                std::size_t nl = frame.find('\n', pos);
                std::string line = frame.substr(pos, nl == std::string::npos ? nl : nl - pos);
                pos = nl == std::string::npos ? frame.size() : nl + 1;
                if (line.rfind("data: ", 0) == 0) events_.push_back(json::parse(line.substr(6)));
            }
        }
    }

    httplib::Client client_;
    std::thread thread_;
    std::mutex mutex_;
    std::vector<json> events_;
    int heartbeats_ = 0;
    std::atomic<bool> stop_{false}, done_{false};
    std::atomic<int> status_{0};
};

bool is_event(const json& e, const std::string& type, const std::string& key) {
    return e.value("Type", "") == type && e.value("Key", "") == key;
}

bool is_job_of(const json& e, const std::string& machine) {
    return e.value("Type", "") == "jobs" && e.contains("Object") &&
           e["Object"].value("Machine", "") == machine;
}

json job_state(const std::string& from, const std::string& to) {
    json ops = json::array({{{"op", "test"}, {"path", "/State"}, {"value", from}},
                            {{"op", "replace"}, {"path", "/State"}, {"value", to}}});
    if (to == "finished")
        ops.push_back({{"op", "replace"}, {"path", "/ExitState"}, {"value", "complete"}});
    return ops;
}

void expect(const Raw& r, int status, const std::string& what) {
    INFO(what << " -> " << r.status << " " << r.body.substr(0, 600));
    CHECK(r.status == status);
}

}  // namespace

TEST_CASE("a machine token does its own machine's agent operations and nothing more",
          "[integration][security][spec7.2]") {
    World w;
    const Credential me = bearer(w.machine_token(w.a));
    auto as_me = [&](Request req) { return w.send(req, me); };
    const std::string ma = kApi + "/machines/" + w.a;

    Raw self = as_me({"GET", ma});
    expect(self, 200, "GET itself");
    CHECK(self.json()["Uuid"] == w.a);
    CHECK(self.json()["Secret"] == "");
    expect(as_me({"HEAD", ma}), 200, "HEAD itself");
    expect(as_me({"PATCH", ma, replace_op("/Description", "agent was here")}), 200, "PATCH itself");
    CHECK(get(*w.admin, ma).body["Description"] == "agent was here");

    // Params: its own, aggregated (machine > profile > stage > global), and setting one.
    Raw params = as_me({"GET", ma + "/params?aggregate=true"});
    expect(params, 200, "GET its params aggregated");
    CHECK(params.json()["sec/color"] == "blue-sec-a");
    expect(as_me({"DELETE", ma + "/params/sec/color"}), 200, "remove its own param");
    Raw inherited = as_me({"GET", ma + "/params/sec/color?aggregate=true"});
    expect(inherited, 200, "GET an inherited param");
    CHECK(inherited.json() == "profile-red");
    expect(as_me({"POST", ma + "/params/sec/color", json("set-by-agent")}), 200,
           "set its own param");
    CHECK(get(*w.admin, ma + "/params/sec/color").body == "set-by-agent");

    // The content it runs.
    for (const std::string path :
         {"/tasks/sec-task", "/stages/sec-stage", "/templates/sec-tmpl", "/params/sec/color",
          "/bootenvs/local", "/profiles/sec-prof", "/profiles/global/params"})
        expect(as_me({"GET", kApi + path}), 200, "GET " + path);

    // Its job: create, run, render, log, finish.
    Raw created = as_me({"POST", kApi + "/jobs", json{{"Machine", w.a}}});
    expect(created, 201, "POST /jobs for itself");
    const std::string job = created.json().value("Uuid", "");
    REQUIRE_FALSE(job.empty());
    CHECK(created.json()["Machine"] == w.a);
    const std::string jp = kApi + "/jobs/" + job;
    expect(as_me({"PATCH", jp, job_state("created", "running")}), 200, "PATCH its job running");
    expect(as_me({"GET", jp}), 200, "GET its job");
    Raw actions = as_me({"GET", jp + "/actions"});
    expect(actions, 200, "GET its job's actions");
    const std::string script = actions.json()[0].value("Content", "");
    CHECK(script.find("echo color set-by-agent\n") != std::string::npos);
    expect(as_me(Request::bytes("PUT", jp + "/log", "agent output\n")), 204, "PUT its job's log");
    Raw log = w.send_admin({"GET", jp + "/log"});
    CHECK(log.body.find("agent output\n") != std::string::npos);
    expect(as_me({"GET", jp + "/log"}), 200, "GET its job's log");
    expect(as_me({"PATCH", jp, job_state("running", "finished")}), 200, "finish its job");

    // The token its task rendered (.GenerateToken) is a token for this machine only.
    auto at = script.find("token=");
    REQUIRE(at != std::string::npos);
    const std::string rendered = script.substr(at + 6, script.find('\n', at) - at - 6);
    expect(w.send({"GET", ma}, bearer(rendered)), 200, "rendered token on itself");
    expect(w.send({"GET", kApi + "/machines/" + w.b}, bearer(rendered)), 403,
           "rendered token on machine B");

    // Renewing its token.
    Raw renewed = as_me({"GET", ma + "/token?ttl=600"});
    expect(renewed, 200, "GET its own token");
    expect(w.send({"GET", ma}, bearer(renewed.json().value("Token", ""))), 200,
           "the renewed token");

    // Its own machine, but not an agent operation: 403, and nothing changed.
    json before = w.snapshot();
    for (const Request& req : std::vector<Request>{
             {"DELETE", ma},
             {"GET", ma + "/params?decode=true"},
             {"GET", ma + "/render?task=sec-task"},
             {"DELETE", jp},
             {"GET", kApi + "/machines"},
             {"GET", kApi + "/jobs"},
             {"GET", kApi + "/params"},
             {"GET", kApi + "/workflows/sec-wf"},
             {"GET", kApi + "/info"},
             {"POST", kApi + "/machines", json{{"Name", "spawned"}, {"BootEnv", "local"}}},
             {"PATCH", kApi + "/tasks/sec-task", replace_op("/Description", "x")},
             {"POST", kApi + "/profiles/global/params/sec/color", json("global-by-agent")},
             {"GET", kApi + "/users/admin"},
         }) {
        Raw r = as_me(req);
        INFO(req.method << " " << req.path);
        check_refused(r, 403, req.method);
    }
    CHECK(w.snapshot() == before);
}

TEST_CASE("a machine's event stream shows its own machine and jobs, not another machine's",
          "[integration][security][events][spec6.6]") {
    World w;
    const std::string filter = kApi + "/events?filter=machines.*.*&filter=jobs.*.*";
    const std::string token_a = w.machine_token(w.a);
    EventReader by_query(w, filter, bearer(token_a), true);
    EventReader by_header(w, filter, bearer(token_a), false);
    EventReader readonly(w, filter, bearer(w.login_token(World::kReadonly)), false);
    REQUIRE(by_query.wait_attached());
    REQUIRE(by_header.wait_attached());
    REQUIRE(readonly.wait_attached());
    CHECK(by_query.status() == 200);

    // B changes first (its machine and its job), then A: events arrive in order, so once A's
    // are in, B's would have been delivered before them if the stream showed them.
    auto& c = *w.admin;
    REQUIRE(patch(c, kApi + "/machines/" + w.b, replace_op("/Description", "b changed")).status ==
            200);
    REQUIRE(patch(c, kApi + "/jobs/" + w.b_job, replace_op("/State", "failed")).status == 200);
    REQUIRE(patch(c, kApi + "/machines/" + w.a, replace_op("/Description", "a changed")).status ==
            200);
    Reply a_job = post(c, kApi + "/jobs", {{"Machine", w.a}});
    REQUIRE(a_job.status == 201);

    for (EventReader* r : {&by_query, &by_header}) {
        CHECK(r->wait_for([&](const json& e) { return is_event(e, "machines", w.a); }));
        CHECK(r->wait_for([&](const json& e) { return is_job_of(e, w.a); }));
        for (const auto& e : r->events()) {
            INFO(e.dump());
            CHECK_FALSE(is_event(e, "machines", w.b));
            CHECK_FALSE(is_job_of(e, w.b));
            CHECK((e.value("Type", "") == "machines" || e.value("Type", "") == "jobs"));
        }
    }
    // A readonly user may get every machine and job, so its stream shows both.
    CHECK(readonly.wait_for([&](const json& e) { return is_job_of(e, w.a); }));
    CHECK(readonly.wait_for([&](const json& e) { return is_event(e, "machines", w.b); }, 1s));
    CHECK(readonly.wait_for([&](const json& e) { return is_job_of(e, w.b); }, 1s));
}

TEST_CASE("user events reach only admins, and never carry a password or its hash",
          "[integration][security][events]") {
    World w;
    const std::string filter = kApi + "/events?filter=users.*.*&filter=profiles.*.*";
    EventReader admin(w, filter, bearer(w.d.admin_token()), false);
    EventReader op(w, filter, bearer(w.login_token(World::kOperator)), false);
    REQUIRE(admin.wait_attached());
    REQUIRE(op.wait_attached());
    auto& c = *w.admin;
    REQUIRE(post(c, kApi + "/users",
                 {{"Name", "sec-fresh"}, {"Roles", {"readonly"}}, {"Password", "fresh-secret"}})
                .status == 201);
    REQUIRE(patch(c, kApi + "/users/sec-fresh", add_op("/Password", "newer-secret")).status == 200);
    REQUIRE(post(c, kApi + "/profiles", {{"Name", "sec-marker"}}).status == 201);

    REQUIRE(admin.wait_for([](const json& e) { return is_event(e, "profiles", "sec-marker"); }));
    REQUIRE(op.wait_for([](const json& e) { return is_event(e, "profiles", "sec-marker"); }));
    int user_events = 0;
    for (const auto& e : admin.events()) {
        if (!is_event(e, "users", "sec-fresh")) continue;
        ++user_events;
        const std::string text = e.dump();
        INFO(text);
        CHECK(text.find("fresh-secret") == std::string::npos);
        CHECK(text.find("newer-secret") == std::string::npos);
        CHECK(text.find("scrypt$") == std::string::npos);
        CHECK(e["Object"].value("PasswordHash", "") == "");
    }
    CHECK(user_events == 2);
    for (const auto& e : op.events()) {
        INFO(e.dump());
        CHECK(e.value("Type", "") != "users");
    }
}

TEST_CASE("a readonly user lists and gets everything but users, with a token or its password",
          "[integration][security]") {
    World w;
    const Credential token = bearer(w.login_token(World::kReadonly));
    const Credential password = basic(World::kReadonly, World::password_of(World::kReadonly));
    const std::vector<std::pair<std::string, std::string>> objects{
        {"bootenvs", "sec-be"},  {"params", "sec/color"}, {"profiles", "sec-prof"},
        {"stages", "sec-stage"}, {"tasks", "sec-task"},   {"templates", "sec-tmpl"},
        {"workflows", "sec-wf"}, {"machines", w.b},       {"jobs", w.b_job}};
    for (const auto& [prefix, key] : objects) {
        Raw list = w.send({"GET", kApi + "/" + prefix}, token);
        expect(list, 200, "list " + prefix);
        CHECK(list.json().is_array());
        CHECK_FALSE(list.json().empty());
        expect(w.send({"GET", kApi + "/" + prefix + "/" + key}, token), 200, "get " + prefix);
    }
    expect(w.send({"GET", kApi + "/jobs/" + w.b_job + "/log"}, token), 200, "a job's log");
    expect(w.send({"GET", kApi + "/machines/" + w.b + "/params?aggregate=true"}, token), 200,
           "a machine's params");
    expect(w.send({"GET", kApi + "/info"}, token), 200, "info");
    // Basic authentication works as well (each costs a password check).
    expect(w.send({"GET", kApi + "/machines"}, password), 200, "list machines with a password");
    Raw write = w.send({"POST", kApi + "/profiles", json{{"Name", "ro-made"}}}, password);
    check_refused(write, 403, "POST", "profiles");

    // Itself: its user object (no hash shown) and a token; not other users.
    Raw me = w.send({"GET", kApi + "/users/" + World::kReadonly}, token);
    expect(me, 200, "GET itself");
    CHECK(me.json()["PasswordHash"] == "");
    CHECK(me.json()["Roles"] == json::array({"readonly"}));
    Raw fresh = w.send({"GET", kApi + "/users/" + World::kReadonly + "/token?ttl=60"}, token);
    expect(fresh, 200, "a token for itself");
    expect(w.send({"GET", kApi + "/machines"}, bearer(fresh.json().value("Token", ""))), 200,
           "the fresh token");
    check_refused(w.send({"GET", kApi + "/users/" + World::kOperator}, token), 403, "GET", "users");
}

TEST_CASE("an operator writes content, machines and jobs, but not users",
          "[integration][security]") {
    World w;
    const Credential op = bearer(w.login_token(World::kOperator));
    expect(w.send({"POST", kApi + "/profiles", json{{"Name", "op-made"}}}, op), 201,
           "create a profile");
    expect(w.send({"PATCH", kApi + "/tasks/sec-task", replace_op("/Description", "by op")}, op),
           200, "patch a task");
    expect(w.send({"DELETE", kApi + "/templates/sec-doomed"}, op), 200, "delete a template");
    expect(w.send({"PATCH", kApi + "/machines/" + w.b, replace_op("/Description", "by op")}, op),
           200, "patch a machine");
    expect(w.send({"POST", kApi + "/machines/" + w.b + "/params/sec/color", json("op-set")}, op),
           200, "set a machine param");
    expect(w.send({"PATCH", kApi + "/jobs/" + w.b_job, replace_op("/State", "failed")}, op), 200,
           "fail a job");
    Raw bundle =
        w.send({"POST", kApi + "/contents",
                json{{"meta", {{"Name", "op-bundle"}, {"Version", "1.0.0"}}},
                     {"sections", {{"profiles", {{"op-bundled", {{"Name", "op-bundled"}}}}}}}}},
               op);
    expect(bundle, 201, "POST /contents");
    CHECK(get(*w.admin, kApi + "/profiles/op-bundled").status == 200);

    // Users: itself and a token for itself, nothing else (not even its own roles or password).
    expect(w.send({"GET", kApi + "/users/" + World::kOperator}, op), 200, "GET itself");
    expect(w.send({"GET", kApi + "/users/" + World::kOperator + "/token"}, op), 200,
           "its own token");
    json before = w.snapshot();
    check_refused(w.send({"PATCH", kApi + "/users/" + World::kOperator,
                          replace_op("/Roles", json::array({"admin"}))},
                         op),
                  403, "PATCH", "users");
    check_refused(
        w.send({"PATCH", kApi + "/users/" + World::kOperator, add_op("/Password", "changed")}, op),
        403, "PATCH", "users");
    check_refused(w.send({"GET", kApi + "/users"}, op), 403, "GET", "users");
    CHECK(w.snapshot() == before);
}

TEST_CASE("a token is accepted until 60 s after it expires and refused after",
          "[integration][security][tokens]") {
    World w;
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    const std::string admin = w.d.admin_token();
    const Request info{"GET", kApi + "/info"};
    expect(w.send(info, bearer(w.resign(admin, now - 3600, now - 20))), 200,
           "expired 20 s ago (within the skew)");
    Raw old = w.send(info, bearer(w.resign(admin, now - 3600, now - 120)));
    check_refused(old, 401, "GET");
    CHECK(old.body.find("token expired") != std::string::npos);
    Raw future = w.send(info, bearer(w.resign(admin, now + 600, now + 4200)));
    check_refused(future, 401, "GET");
    // A token whose signature does not match its payload is refused whatever it claims.
    Raw forged = w.send(info, bearer(World::tampered(w.machine_token(w.a))));
    check_refused(forged, 401, "GET");
}

TEST_CASE("changed credentials revoke old tokens, the new ones work",
          "[integration][security][tokens]") {
    World w;
    const std::string user_path = kApi + "/users/" + World::kVictim;
    const std::string old_token = w.login_token(World::kVictim);
    REQUIRE(patch(*w.admin, user_path, add_op("/Password", "second")).status == 200);
    check_refused(w.send({"GET", user_path}, bearer(old_token)), 401, "GET");
    check_refused(
        w.send({"GET", user_path}, basic(World::kVictim, World::password_of(World::kVictim))), 401,
        "GET");
    expect(w.send({"GET", user_path}, basic(World::kVictim, "second")), 200, "the new password");

    // Roles too: a demoted user keeps no old powers.
    const std::string before_demotion = w.login_token(World::kOperator);
    REQUIRE(patch(*w.admin, kApi + "/users/" + World::kOperator,
                  replace_op("/Roles", json::array({"readonly"})))
                .status == 200);
    check_refused(w.send({"GET", kApi + "/machines"}, bearer(before_demotion)), 401, "GET");

    // A machine's Secret: a PATCH that leaves it "" (as the API shows it) keeps its tokens, a new
    // one revokes them.
    const std::string mb = kApi + "/machines/" + w.b;
    const std::string machine_token = w.machine_token(w.b);
    json shown = get(*w.admin, mb).body;
    REQUIRE(shown["Secret"] == "");
    shown["Description"] = "put back with the Secret as shown";
    REQUIRE(put(*w.admin, mb, shown).status == 200);
    expect(w.send({"GET", mb}, bearer(machine_token)), 200, "after a PUT with Secret \"\"");
    REQUIRE(patch(*w.admin, mb, replace_op("/Secret", "0123456789abcdef")).status == 200);
    check_refused(w.send({"GET", mb}, bearer(machine_token)), 401, "GET");
    expect(w.send({"GET", mb}, bearer(w.machine_token(w.b))), 200, "a token minted after");

    // A deleted user's tokens die with it.
    const std::string doomed = w.login_token(World::kDoomedUser);
    REQUIRE(del(*w.admin, kApi + "/users/" + World::kDoomedUser).status == 200);
    check_refused(w.send({"GET", kApi + "/machines"}, bearer(doomed)), 401, "GET");
}

TEST_CASE("failed logins: the 11th wrong password from one source in a minute gets 429",
          "[integration][security][throttle]") {
    DroverdProcess d;
    const std::string path = "/api/v3/users/admin";
    auto attempt = [&](const std::string& source, const std::string& user,
                       const std::string& password) {
        httplib::Client c("127.0.0.1", d.port());
        c.set_interface(source);
        c.set_basic_auth(user.c_str(), password.c_str());
        auto res = c.Get(path.c_str());
        Raw r;
        if (res) {
            r.status = res->status;
            r.body = res->body;
            r.headers = res->headers;
        }
        return r;
    };
    const std::string guesser = fresh_loopback_source();
    for (int i = 0; i < 10; ++i) {
        INFO("attempt " << i + 1);
        check_refused(attempt(guesser, "admin", "guess-" + std::to_string(i)), 401, "GET");
    }
    Raw limited = attempt(guesser, "admin", "guess-10");
    check_refused(limited, 429, "GET");
    const int retry_after = std::atoi(limited.header("Retry-After").c_str());
    CHECK(retry_after >= 1);
    CHECK(retry_after <= 60);
    // Not even the right password is checked from there now; a token still works (tokens cannot
    // be guessed, so machines behind the guesser's address keep working).
    check_refused(attempt(guesser, "admin", kAdminPassword), 429, "GET");
    {
        httplib::Client c("127.0.0.1", d.port());
        c.set_interface(guesser);
        c.set_bearer_token_auth(d.admin_token().c_str());
        auto res = c.Get(path.c_str());
        REQUIRE(res);
        CHECK(res->status == 200);
    }
    // Another source has its own budget.
    const std::string other = fresh_loopback_source();
    check_refused(attempt(other, "admin", "wrong"), 401, "GET");
    CHECK(attempt(other, "admin", kAdminPassword).status == 200);

    // Unknown users count like wrong passwords (no enumeration by a different answer).
    const std::string prober = fresh_loopback_source();
    for (int i = 0; i < 10; ++i)
        check_refused(attempt(prober, "nobody-" + std::to_string(i), "x"), 401, "GET");
    check_refused(attempt(prober, "nobody-10", "x"), 429, "GET");
}

TEST_CASE("first start without --admin-password: a random password in a 0600 file that logs in",
          "[integration][security][bootstrap]") {
    DroverdProcess d({}, AdminPassword::Generated);
    const std::string file = d.data_dir() + "/initial-admin-password";
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    const std::string password = d.admin_password();
    CHECK(password.size() >= 16);
    CHECK(password != kAdminPassword);

    auto login = [&](const std::string& pw) {
        auto c = d.anonymous_client();
        c->set_basic_auth("admin", pw.c_str());
        auto r = c->Get("/api/v3/users/admin");
        return r ? r->status : 0;
    };
    CHECK(login(password) == 200);
    CHECK(login(kAdminPassword) == 401);
    CHECK(login(password + "x") == 401);

    // A restart keeps user admin and its password, and does not write a new one.
    auto contents = [&] {
        std::ifstream in(file);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    const std::string written = contents();
    d.restart();
    CHECK(contents() == written);
    CHECK(login(password) == 200);

    // With --admin-password nothing is written.
    DroverdProcess given;
    CHECK_FALSE(std::filesystem::exists(given.data_dir() + "/initial-admin-password"));
}
