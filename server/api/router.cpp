#include "server/api/router.hpp"

#include "common/model/info.hpp"
#include "server/api/content_routes.hpp"
#include "server/api/event_routes.hpp"
#include "server/api/object_routes.hpp"
#include "server/api/reply.hpp"
#include "server/objects/object_service.hpp"

namespace drover::api_routes {

namespace {

constexpr std::string_view kApiPrefix = "/api/v3/";

struct Principal {
    std::string name;
};

// spec 6.1: the one place every request is authenticated and authorised. Until users and tokens
// exist (the security issue) every caller is the anonymous operator of a plain-HTTP server.
std::optional<Principal> authorize(const http::Request&, http::Response&) {
    return Principal{"anonymous"};
}

// Issue 7: the answer carries secure param values in clear: reads with ?decode=true, and a
// machine's rendered task actions (GET /jobs/<id>/actions, the dry run GET
// /machines/<id>/render), which its own agent runs. This is security::Access::decode: once the
// router authorises, a caller needs getSecure for it.
bool wants_clear_secrets(const http::Request& req, const std::string& prefix,
                         const std::string& tail) {
    auto slash = tail.find('/');
    std::string_view sub =
        slash == std::string::npos ? "" : std::string_view(tail).substr(slash + 1);
    if (prefix == "jobs" && sub == "actions") return true;
    if (prefix == "machines" && sub == "render") return true;
    return query_flag(req, "decode");
}

}  // namespace

Router::Router(objects::ObjectService& objects, events::EventBus& events, JobServices jobs,
               RouterOptions options)
    : objects_(objects), events_(events), jobs_(jobs), options_(std::move(options)) {}

void Router::handle(const http::Request& req, http::Response& res) {
    if (req.path == "/healthz") return reply_json(res, 200, {{"status", "ok"}});
    if (req.path.rfind(kApiPrefix, 0) != 0 && req.path != "/api/v3")
        return reply_error(res, 404, "API_ERROR", "No such resource: " + req.path);
    auto principal = authorize(req, res);
    if (!principal) return;
    std::string rest =
        req.path.size() > kApiPrefix.size() ? req.path.substr(kApiPrefix.size()) : "";
    auto slash = rest.find('/');
    std::string prefix = rest.substr(0, slash);
    std::string tail = slash == std::string::npos ? "" : rest.substr(slash + 1);

    if (prefix == "events" && tail.empty()) return handle_event_stream(events_, req, res);
    if (prefix == "info" && tail.empty()) {
        model::Info info;
        info.arch = "amd64";
        info.os = "linux";
        info.version = options_.version;
        info.api_port = options_.api_port;
        info.features = {"sse-events"};
        return reply_json(res, 200, model::encode(info));
    }
    // Users exist in the store for the security layer; the API serves them only once every route
    // is authenticated (issue 7), so until then they are no resource here.
    if (prefix == "users")
        return reply_error(res, 404, "API_ERROR", "No such resource: " + req.path);
    objects::WriteContext ctx;
    ctx.principal = "user:" + principal->name;
    ctx.force = query_flag(req, "force");
    ctx.default_boot_env = options_.default_boot_env;
    if (prefix == "contents") return handle_contents(objects_, tail, req, res, ctx);
    if (objects_.has_collection(prefix)) {
        const bool decode = wants_clear_secrets(req, prefix, tail);
        if (prefix == "jobs") return handle_jobs(jobs_, tail, req, res, ctx, decode);
        if (prefix == "machines" && handle_machine_job_routes(jobs_, tail, req, res, ctx, decode))
            return;
        return handle_object_request(objects_, prefix, tail, req, res, ctx, decode);
    }
    reply_error(res, 404, "API_ERROR", "No such resource: " + req.path);
}

}  // namespace drover::api_routes
