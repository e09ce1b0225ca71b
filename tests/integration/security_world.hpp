// The world the security tests (issue 7) run in: a real droverd with content, two machines A and
// B in a stage (B with a finished and a running job, both with logs), a machine, a user and one
// object of every content type that exist only to be deleted, and users of every role. Plus what
// the tests need around it: raw requests with explicit credentials (header or ?token=, from a
// chosen loopback source address), tokens in every state (valid, expired, tampered, revoked),
// and a snapshot of everything the API can show, to prove a refused request changed nothing.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "droverd_process.hpp"

namespace drover::testing {

// What a request presents, as an Authorization header value and as the equivalent ?token= value
// ("" = none), sent from `source` (a loopback address; "" = the default 127.0.0.1).
struct Credential {
    std::string authorization;
    std::string query_token;
    std::string source;
};
Credential bearer(const std::string& token);
Credential basic(const std::string& user, const std::string& password);

// A reply with its body as bytes (logs are not JSON; HEAD has none).
struct Raw {
    int status = 0;
    std::string body;
    httplib::Headers headers;
    std::string header(const std::string& name) const;
    nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

// One request: a JSON body is sent as application/json, `octets` as application/octet-stream.
struct Request {
    std::string method;
    std::string path;  // under the server root, e.g. /api/v3/machines
    std::optional<nlohmann::json> json_body;
    std::optional<std::string> octets;
    bool stream = false;  // an event stream: read the status and headers, then hang up

    Request(std::string m, std::string p) : method(std::move(m)), path(std::move(p)) {}
    Request(std::string m, std::string p, nlohmann::json body)
        : method(std::move(m)), path(std::move(p)), json_body(std::move(body)) {}
    static Request bytes(std::string m, std::string p, std::string body) {
        Request r(std::move(m), std::move(p));
        r.octets = std::move(body);
        return r;
    }
    static Request event_stream(std::string p) {
        Request r("GET", std::move(p));
        r.stream = true;
        return r;
    }
};

class World {
  public:
    // Users every world has; passwords are "pw-" + name.
    static constexpr const char* kReadonly = "sec-ro";
    static constexpr const char* kOperator = "sec-op";
    static constexpr const char* kNoRole = "sec-norole";  // a user with no roles at all
    static constexpr const char* kVictim = "sec-victim";  // the user others try to take over
    static constexpr const char* kRoot2 = "sec-root2";    // a second admin (its token is revoked)
    static constexpr const char* kDoomedUser = "sec-doomed";  // exists to be deleted
    static std::string password_of(const std::string& user) { return "pw-" + user; }

    World();

    DroverdProcess d;
    std::unique_ptr<httplib::Client> admin;
    std::string a, b, doomed_machine;  // machine Uuids
    std::string b_done_job, b_job;     // B's finished (not current) and running (current) jobs

    // Sends `req` with `cred` in the Authorization header, or with credential_in_query as
    // ?token= (one keep-alive connection per source address; a fresh one per stream).
    Raw send(const Request& req, const Credential& cred, bool credential_in_query = false);
    Raw send_admin(const Request& req) { return send(req, bearer(d.admin_token())); }

    // GET /api/v3/users/<name>/token with the user's own password (one password check).
    std::string login_token(const std::string& user);
    std::string machine_token(const std::string& uuid) { return d.machine_token(uuid); }

    // A token the server itself would have signed for the subject of `valid` (same claims and
    // credential generation), but issued at `issued_at` and expiring at `expires_at`: signed
    // with the server's key from <data-dir>/security/token.key.
    std::string resign(const std::string& valid, std::int64_t issued_at,
                       std::int64_t expires_at) const;
    // `valid` with its claims replaced by `*`/`*`/`*` and its signature kept.
    static std::string tampered(const std::string& valid);

    // Everything the API shows, read as admin: every collection, every job's log, and whether
    // each probe token still works (a changed password, roles or Secret revokes it, so hidden
    // PasswordHash and Secret changes show up too).
    nlohmann::json snapshot();
    // Tokens whose validity snapshot() reports: every user's and machine's, minted at setup.
    void add_probe(const std::string& name, const std::string& token, const std::string& path);

  private:
    httplib::Client& client_for(const std::string& source);
    std::map<std::string, std::unique_ptr<httplib::Client>> clients_;
    struct Probe {
        std::string token, path;
    };
    std::map<std::string, Probe> probes_;
};

// "1.2.3.4"-style loopback addresses for failed-login tests: each call gives a new one, so no
// source exhausts its budget unless a test means it to.
std::string fresh_loopback_source();

// Checks a refusal: `status` (401 with WWW-Authenticate: dr-provision, 403 or 429) and, unless
// the request was a HEAD, the DRP error body {Model, Key, Type, Messages, Code} with Code ==
// status (and Model == `model` when given).
void check_refused(const Raw& r, int status, const std::string& method,
                   const std::string& model = "");

nlohmann::json replace_op(const std::string& path, const nlohmann::json& value);

}  // namespace drover::testing
