// Issue 10: hostile input over HTTP against the real droverd. Every route droverd labels its
// metrics with (server/api/route_templates) gets malformed, truncated, wrong-shaped, deeply nested,
// oversized and invalid-UTF-8 bodies, wrong types in every field of every object type, traversal,
// NUL and invalid UTF-8 in keys and queries, unknown methods and thousands of filters; then a
// slowloris and a flood of idle connections. Every answer must be a 4xx with the DRP error body
// (spec 1.12), the data unchanged, and droverd alive and answering others throughout.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "connection_flood.hpp"
#include "hostile_bodies.hpp"
#include "hostile_world.hpp"
#include "raw_http.hpp"
#include "server/objects/collection.hpp"

using namespace drover::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string kApi = "/api/v3/";

// Non-printable bytes as \xNN, so a failure names the request readably.
std::string printable(const std::string& s) {
    std::string out;
    for (unsigned char c : s.substr(0, 200)) {
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
            continue;
        }
        char hex[5];
        std::snprintf(hex, sizeof hex, "\\x%02x", c);
        out += hex;
    }
    return out;
}

bool is_drp_error(const RawReply& r) {
    json b = json::parse(r.body, nullptr, false);
    return b.is_object() && b.value("Model", json()).is_string() &&
           b.value("Key", json()).is_string() && b.value("Type", json()).is_string() &&
           b.value("Messages", json()).is_array() && b.value("Code", json()) == r.status;
}

// Answers that break "a 4xx with the DRP error body", collected so that one failure report names
// them all rather than thousands of assertions.
class Verdicts {
  public:
    void expect_drp_4xx(const std::string& what, const RawReply& r, int status = 0) {
        ++checked_;
        bool ok = r.status >= 400 && r.status < 500 && is_drp_error(r) &&
                  (status == 0 || r.status == status);
        if (!ok)
            wrong_.push_back(printable(what) + " -> " + std::to_string(r.status) + " " +
                             printable(r.body));
    }
    std::size_t checked() const { return checked_; }
    // The first few wrong answers, one a line ("" when none).
    std::string report() const {
        std::string out;
        for (std::size_t i = 0; i < wrong_.size() && i < 40; ++i)
            out += wrong_[i] + "\n";
        if (wrong_.size() > 40) out += "... " + std::to_string(wrong_.size() - 40) + " more\n";
        return out;
    }

  private:
    std::size_t checked_ = 0;
    std::vector<std::string> wrong_;
};

void expect_none_wrong(const Verdicts& v) {
    INFO(v.checked() << " requests checked");
    CHECK(v.report() == "");
}

void expect_unharmed(HostileWorld& w, const std::map<std::string, json>& before) {
    for (const auto& [prefix, after] : w.snapshot()) {
        INFO(prefix << " changed: " << json::diff(before.at(prefix), after).dump());
        CHECK(after == before.at(prefix));
    }
    CHECK(get(*w.droverd().client(), "/healthz").status == 200);
}

// The key field of each object type, and a fresh value for it, so that a POST of a mistyped copy
// can fail only on the mistyped field.
std::pair<std::string, std::string> fresh_key(const std::string& prefix) {
    if (prefix == "machines") return {"Uuid", "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"};
    if (prefix == "templates") return {"ID", "hostile-new.tmpl"};
    if (prefix == "params") return {"Name", "hostile/new"};
    return {"Name", "hostile-new"};
}

}  // namespace

TEST_CASE("hostile bodies to every route are 4xx DRP errors and change nothing",
          "[integration][hostile]") {
    HostileWorld w;
    const auto before = w.snapshot();
    const std::string token = w.droverd().admin_token();
    RawConnection conn(w.droverd().port(), 20s);
    const auto bodies = malformed_bodies();
    Verdicts v;
    for (const std::string& route : w.routes())
        for (const char* method : {"POST", "PUT", "PATCH"}) {
            const std::string what = std::string(method) + " " + route;
            for (const NamedBody& body : bodies)
                v.expect_drp_4xx(what + " [" + body.name + "]",
                                 conn.exchange(raw_request(method, route, token, body.bytes)));
            // Announced beyond the limit: answered before the body is read.
            std::string head = raw_request(method, route, token, "", "application/json",
                                           HostileWorld::kMaxBodyBytes + 1);
            v.expect_drp_4xx(what + " [body beyond the limit]",
                             conn.exchange(head + std::string(1024, '[')), 413);
        }
    expect_none_wrong(v);
    expect_unharmed(w, before);
}

TEST_CASE("wrong types in every field of every object type are 4xx and change nothing",
          "[integration][hostile]") {
    HostileWorld w;
    const auto before = w.snapshot();
    const std::string token = w.droverd().admin_token();
    RawConnection conn(w.droverd().port(), 20s);
    Verdicts v;
    for (const auto& [prefix, key] : w.keys()) {
        const std::string collection = kApi + prefix;
        const std::string path = collection + "/" + key;
        json object = get(*w.droverd().client(), path).body;
        REQUIRE(object.is_object());
        for (const auto& [name, variant] : wrong_typed_variants(object)) {
            v.expect_drp_4xx("PUT " + path + " " + name,
                             conn.exchange(raw_request("PUT", path, token, variant.dump())));
            const std::string field = name.substr(0, name.find('='));
            json op = json::array(
                {{{"op", "replace"}, {"path", "/" + field}, {"value", variant[field]}}});
            v.expect_drp_4xx("PATCH " + path + " " + name,
                             conn.exchange(raw_request("PATCH", path, token, op.dump())));
            if (prefix == "jobs") continue;  // POST /jobs asks for a machine's next job: below
            json fresh = variant;
            auto [key_field, fresh_value] = fresh_key(prefix);
            if (field != key_field) fresh[key_field] = fresh_value;
            if (prefix == "machines" && field != "Name") fresh["Name"] = "hostile-new";
            v.expect_drp_4xx("POST " + collection + " " + name,
                             conn.exchange(raw_request("POST", collection, token, fresh.dump())));
        }
    }
    for (const json& machine : {json(12), json::object(), json::array({w.keys().at("machines")}),
                                json(true), json("not-a-uuid")})
        v.expect_drp_4xx("POST /jobs Machine=" + machine.dump(),
                         conn.exchange(raw_request("POST", kApi + "jobs", token,
                                                   json{{"Machine", machine}}.dump())));
    expect_none_wrong(v);
    expect_unharmed(w, before);
    // The control: the same copies, well typed, are accepted, so the mistyped ones failed only
    // for their mistyped field.
    auto c = w.droverd().client();
    for (const auto& [prefix, key] : w.keys()) {
        if (prefix == "jobs") continue;
        json fresh = get(*c, kApi + prefix + "/" + key).body;
        auto [key_field, fresh_value] = fresh_key(prefix);
        fresh[key_field] = fresh_value;
        if (prefix == "machines") fresh["Name"] = "hostile-new";
        INFO(prefix << ": " << fresh.dump());
        CHECK(post(*c, kApi + prefix, fresh).status == 201);
    }
}

TEST_CASE("hostile keys, paths, methods and queries are 4xx DRP errors and change nothing",
          "[integration][hostile]") {
    HostileWorld w;
    const auto before = w.snapshot();
    const std::string token = w.droverd().admin_token();
    RawConnection conn(w.droverd().port(), 20s);
    Verdicts v;
    const std::string escape = "hostile-escape-" + std::to_string(getpid());
    const std::vector<std::string> keys{"..",
                                        "../../../../etc/passwd",
                                        "..%2f..%2f..%2f..%2f" + escape,
                                        "%2e%2e%2f%2e%2e%2f%2e%2e%2f" + escape,
                                        "..%5c..%5c" + escape,
                                        "hostile%00.json",
                                        "%00",
                                        "%ff%fe",
                                        "\xff\xfe",
                                        "a\xc3\x28"
                                        "b"};
    for (const std::string& key : keys) {
        for (const std::string& route : w.routes_with_key(key))
            for (auto [method, body] :
                 {std::pair{"GET", ""}, std::pair{"DELETE", ""}, std::pair{"POST", "{}"},
                  std::pair{"PUT", "{}"}, std::pair{"PATCH", "[]"}})
                v.expect_drp_4xx(std::string(method) + " " + route,
                                 conn.exchange(raw_request(method, route, token, body)));
        // Job logs are files named after the job: the one route whose key reaches a path.
        v.expect_drp_4xx("PUT log " + key,
                         conn.exchange(raw_request("PUT", kApi + "jobs/" + key + "/log", token,
                                                   "escaped\n", "application/octet-stream")));
    }
    namespace fs = std::filesystem;
    for (fs::path dir = w.droverd().data_dir() + "/logs/x"; dir.has_relative_path();
         dir = dir.parent_path())
        CHECK_FALSE(fs::exists(dir / escape));

    for (const std::string& route : w.routes()) {
        if (route == kApi + "events") continue;  // GET there opens a stream; methods are below
        for (const char* method : {"FOO", "PROPFIND", "TRACE", "OPTIONS", "CONNECT", "get",
                                   "G\xffT", "PO\x00ST", "BREW"})
            v.expect_drp_4xx(std::string(method) + " " + route,
                             conn.exchange(raw_request(method, route, token, "{}")));
    }
    for (const std::string& prefix : drover::objects::object_prefixes())
        for (const char* query :
             {"?Name=%ff%fe", "?Name=\xff", "?%ff=1", "?Name=Re(%ff)", "?Name=Eq(%c3%28)",
              "?sort=%ff", "?limit=%ff", "?offset=-1", "?Name=Re(%28)", "?Name=Re(a{99999})",
              "?limit=99999999999999999999"})
            v.expect_drp_4xx("GET " + prefix + query,
                             conn.exchange(raw_request("GET", kApi + prefix + query, token)));

    std::string thousands = kApi + "machines?";
    for (int i = 0; i < 3000; ++i)
        thousands += "Name=Eq(m" + std::to_string(i) + ")&";
    v.expect_drp_4xx("3000 filters", conn.exchange(raw_request("GET", thousands, token)));
    std::string many_args = kApi + "machines?Name=In(";
    for (int i = 0; i < 12000; ++i)
        many_args += "a,";
    v.expect_drp_4xx("12000 arguments", conn.exchange(raw_request("GET", many_args + "a)", token)));
    v.expect_drp_4xx("a head beyond 64 KiB",
                     conn.exchange(raw_request("GET", thousands + thousands, token)), 431);
    expect_none_wrong(v);
    expect_unharmed(w, before);
}

TEST_CASE("slowloris clients are cut off by the request timeout while others are answered",
          "[integration][hostile]") {
    HostileWorld w;
    const int port = w.droverd().port();
    const std::string request = raw_request("GET", kApi + "info", w.droverd().admin_token());
    std::atomic<int> cut_off{0};
    std::atomic<bool> done{false};
    constexpr int kSlow = 20;
    // Each slow client sends one byte of its head a second; the bound is a hang guard only.
    std::thread slow([&] {
        std::vector<std::unique_ptr<RawConnection>> clients;
        for (int i = 0; i < kSlow; ++i)
            clients.push_back(std::make_unique<RawConnection>(port, 5s));
        std::vector<bool> closed(kSlow, false);
        for (std::size_t byte = 0; byte < request.size() && byte < 30 && cut_off < kSlow; ++byte) {
            for (int i = 0; i < kSlow; ++i)
                if (!closed[i] && !clients[i]->send_bytes(request.substr(byte, 1)))
                    closed[i] = true;
            std::this_thread::sleep_for(1s);
            for (int i = 0; i < kSlow; ++i)
                if (!closed[i] && clients[i]->closed_within(0ms)) {
                    closed[i] = true;
                    ++cut_off;
                }
        }
        done = true;
    });
    auto c = w.droverd().client();
    int asked = 0, answered = 0;
    while (!done) {
        ++asked;
        if (get(*c, kApi + "info").status == 200) ++answered;
        std::this_thread::sleep_for(100ms);
    }
    slow.join();
    CHECK(cut_off == kSlow);
    CHECK(asked > 0);
    CHECK(answered == asked);
}

TEST_CASE("10,000 idle connections leave droverd answering an ordinary client",
          "[integration][hostile]") {
    HostileWorld w;
    const auto before = w.snapshot();
    {
        ConnectionFlood flood(w.droverd().port(), 10000, 30s);
        WARN("idle connections open: " << flood.established() << " of " << flood.attempted());
        CHECK(flood.established() == flood.attempted());
        auto c = w.droverd().client();
        auto listed = get(*c, kApi + "machines");
        CHECK(listed.status == 200);
        CHECK(listed.body.size() == 1);
        CHECK(flood.still_open() == flood.established());
    }
    expect_unharmed(w, before);
}
