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
}
