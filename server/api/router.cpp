#include "server/api/router.hpp"

#include "common/model/info.hpp"
#include "server/api/access_control.hpp"
#include "server/api/content_routes.hpp"
#include "server/api/event_routes.hpp"
#include "server/api/object_routes.hpp"
#include "server/api/reply.hpp"
#include "server/api/security_routes.hpp"
#include "server/api/ui_routes.hpp"
#include "server/events/event_bus.hpp"
#include "server/objects/object_service.hpp"
#include "server/ops/log.hpp"
#include "server/security/security_service.hpp"

namespace drover::api_routes {

namespace {

constexpr std::string_view kApiPrefix = "/api/v3/";
constexpr std::string_view kMetricsPath = "/metrics";

void reply_auth_failure(http::Response& res, const security::AuthFailure& failure) {
    for (const auto& [name, value] : security::failure_headers(failure))
        res.headers.emplace(name, value);
    reply_error(res, failure.error);
}

// spec 6.6: a stream shows its principal only the events of objects it may get.
events::EventVisibility visibility_of(const security::Principal& principal) {
    return [principal](const std::string& type, const std::string& key,
                       const std::string& job_machine) {
        std::optional<std::string> machine;
        if (!job_machine.empty()) machine = job_machine;
        return security::authorize(principal, security::event_access(type, key, machine)).allowed;
    };
}

// Issue 7: the answer carries secure param values in clear: reads with ?decode=true, and a
// machine's rendered task actions (GET /jobs/<id>/actions, the dry run GET
// /machines/<id>/render), which its own agent runs. This is security::Access::decode: once the
// router authorises, ?decode=true needs getSecure; renderings are decrypted only for callers who
// have it.
bool wants_clear_secrets(const http::Request& req, const std::string& prefix,
                         const std::string& tail) {
    auto slash = tail.find('/');
    std::string_view sub =
        slash == std::string::npos ? "" : std::string_view(tail).substr(slash + 1);
    if (prefix == "jobs" && sub == "actions") return true;
    if (prefix == "machines" && sub == "render") return true;
    return query_flag(req, "decode");
}

std::string what_of(const std::exception_ptr& thrown) {
    try {
        std::rethrow_exception(thrown);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "a non-standard exception";
    }
}

// How the request log names a principal: a user by name, a machine as "machine:<uuid>".
std::string log_name(const security::Principal& principal) {
    const security::Subject& s = principal.subject;
    return s.kind == security::SubjectKind::User ? s.name : s.id();
}

}  // namespace

Router::Router(objects::ObjectService& objects, events::EventBus& events, JobServices jobs,
               security::SecurityService& security, RouterOptions options)
    : objects_(objects),
      events_(events),
      jobs_(jobs),
      security_(security),
      options_(std::move(options)),
      observer_(objects::object_prefixes()) {}

void Router::handle(const http::Request& req, http::Response& res) {
    const auto started = std::chrono::steady_clock::now();
    std::string principal = "-";
    try {
        serve(req, res, principal);
    } catch (...) {
        ops::Log(ops::Level::Error, "request failed")
            .field("path", req.path)
            .field("error", what_of(std::current_exception()));
        res = {};
        reply_error(res, 500, "InternalError", "request handler failed");
    }
    observer_.observe(req, res, started, principal);
}

void Router::serve(const http::Request& req, http::Response& res, std::string& principal_name) {
    if (req.path == "/healthz") return serve_health(req, res);
    // Public by decision, like /healthz: the dashboard's files are code and style, no data. The
    // dashboard then reads everything through /api/v3 below, with its user's own credentials.
    if (is_ui_path(ui::embedded_assets(), req.path))
        return serve_ui(ui::embedded_assets(), req, res);
    const bool metrics = req.path == kMetricsPath;
    if (metrics && options_.metrics_public) return serve_metrics(req, res);
    if (!metrics && req.path.rfind(kApiPrefix, 0) != 0 && req.path != "/api/v3")
        return reply_error(res, 404, "API_ERROR", "No such resource: " + req.path);
    std::string rest =
        req.path.size() > kApiPrefix.size() ? req.path.substr(kApiPrefix.size()) : "";
    auto slash = rest.find('/');
    std::string prefix = metrics ? "metrics" : rest.substr(0, slash);
    std::string tail = metrics || slash == std::string::npos ? "" : rest.substr(slash + 1);

    // The one place (spec 6.1): who is asking, and may they?
    auto principal = security_.authenticate(req);
    if (!principal) return reply_auth_failure(res, principal.error());
    principal_name = log_name(*principal);
    security::Access access = access_for(req, prefix, tail, objects_);
    security::Decision decision = security::authorize(*principal, access);
    if (!decision.allowed)
        return reply_error(res, 403, "API_ERROR", decision.reason, prefix, access.key);
    if (metrics) return serve_metrics(req, res);

    // Rendering for a machine's job shows its secure values in clear to those allowed getSecure
    // (the machine itself, admins); others get the rendering with the values still sealed.
    bool decode = access.decode;
    if (!decode && wants_clear_secrets(req, prefix, tail)) {
        security::Access clear = access;
        clear.decode = true;
        decode = security::authorize(*principal, clear).allowed;
    }
    objects::WriteContext ctx;
    ctx.principal = principal->subject.id();
    ctx.force = query_flag(req, "force");
    ctx.default_boot_env = options_.default_boot_env;
    dispatch(prefix, tail, *principal, decode, req, res, ctx);
}

void Router::serve_health(const http::Request& req, http::Response& res) const {
    if (req.method != "GET" && req.method != "HEAD") {
        res.headers.emplace("Allow", "GET, HEAD");
        return reply_error(res, 405, "MethodNotAllowed", "Use GET", "healthz");
    }
    reply_json(res, 200, {{"status", "ok"}});
}

void Router::serve_metrics(const http::Request& req, http::Response& res) const {
    if (req.method != "GET" && req.method != "HEAD") {
        res.headers.emplace("Allow", "GET, HEAD");
        return reply_error(res, 405, "MethodNotAllowed", "Use GET", "metrics");
    }
    ops::Exposition out;
    observer_.write(out);
    if (options_.write_metrics) options_.write_metrics(out);
    res.status = 200;
    res.headers.emplace("Content-Type", std::string(ops::kExpositionContentType));
    res.body = out.text();
}

void Router::dispatch(const std::string& prefix, const std::string& tail,
                      const security::Principal& principal, bool decode, const http::Request& req,
                      http::Response& res, const objects::WriteContext& ctx) {
    if (prefix == "events" && tail.empty())
        return handle_event_stream(events_, req, res, visibility_of(principal));
    if (prefix == "info" && tail.empty()) {
        if (req.method != "GET" && req.method != "HEAD") {
            res.headers.emplace("Allow", "GET, HEAD");
            return reply_error(res, 405, "MethodNotAllowed", "Use GET", "info");
        }
        model::Info info;
        info.arch = "amd64";
        info.os = "linux";
        info.version = options_.version;
        info.api_port = options_.api_port;
        info.features = {"sse-events"};
        return reply_json(res, 200, model::encode(info));
    }
    if (prefix == "users") return handle_users(security_, objects_, tail, req, res, ctx);
    if (prefix == "contents") return handle_contents(objects_, tail, req, res, ctx);
    if (objects_.has_collection(prefix)) {
        if (prefix == "jobs") return handle_jobs(jobs_, tail, req, res, ctx, decode);
        if (prefix == "machines") {
            if (handle_machine_token(security_, tail, req, res)) return;
            if (handle_machine_job_routes(jobs_, tail, req, res, ctx, decode)) return;
        }
        return handle_object_request(objects_, prefix, tail, req, res, ctx, decode);
    }
    reply_error(res, 404, "API_ERROR", "No such resource: " + req.path);
}

}  // namespace drover::api_routes
