#include "server/api/job_routes.hpp"

#include <charconv>

#include "common/rules/durations.hpp"
#include "server/api/object_routes.hpp"
#include "server/api/reply.hpp"
#include "server/jobs/action_renderer.hpp"
#include "server/jobs/job_engine.hpp"

namespace drover::api_routes {

using model::Json;

namespace {

void reply_next_job(http::Response& res, const jobs::NextJobReply& reply) {
    if (reply.job) return reply_json(res, reply.status, *reply.job);
    res.status = 204;
}

// DELETE /jobs query (spec 6.4): jobsToKeep=N, failedJobsPurgedAfter=d, completeJobsPurgedAfter=d,
// machine=<uuid|missing>, dryrun=true. Durations are seconds or Go durations.
std::optional<jobs::PurgePolicy> purge_policy(const http::Request& req, http::Response& res) {
    jobs::PurgePolicy p;
    p.dry_run = query_flag(req, "dryrun");
    if (const auto* m = req.query_value("machine")) p.machine = *m;
    if (const auto* keep = req.query_value("jobsToKeep")) {
        std::size_t n = 0;
        auto [end, ec] = std::from_chars(keep->data(), keep->data() + keep->size(), n);
        if (ec != std::errc() || end != keep->data() + keep->size()) {
            reply_error(res, 400, "BadRequest", "jobsToKeep must be a non-negative number", "jobs");
            return std::nullopt;
        }
        p.keep = n;
    }
    for (auto [name, field] : {std::pair{"failedJobsPurgedAfter", &p.failed_after},
                               std::pair{"completeJobsPurgedAfter", &p.complete_after}}) {
        const auto* v = req.query_value(name);
        if (!v) continue;
        *field = rules::parse_timeout(*v);
        if (!*field) {
            reply_error(res, 400, "BadRequest",
                        std::string(name) + " must be seconds or a duration such as 24h", "jobs");
            return std::nullopt;
        }
    }
    return p;
}

void handle_job_collection(JobServices& s, const http::Request& req, http::Response& res,
                           const objects::WriteContext& ctx) {
    if (req.method == "POST") {
        auto body = parse_body(req, res, "jobs");
        if (!body) return;
        const std::string* key = req.header("Idempotency-Key");
        auto r = s.engine.next_job(*body, key ? *key : "", ctx);
        if (!r) return reply_error(res, r.error());
        return reply_next_job(res, r.value());
    }
    if (req.method == "DELETE") {
        auto policy = purge_policy(req, res);
        if (!policy) return;
        auto r = s.engine.purge(*policy, ctx);
        if (!r) return reply_error(res, r.error());
        return reply_json(res, 200, r.value());
    }
    handle_object_request(s.objects, "jobs", "", req, res, ctx, false);
}

void handle_job(JobServices& s, const std::string& id, const http::Request& req,
                http::Response& res, const objects::WriteContext& ctx) {
    if (req.method == "DELETE") return reply_result(res, s.engine.remove_job(id, ctx));
    if (req.method == "PATCH" || req.method == "PUT") {
        auto body = parse_body(req, res, "jobs");
        if (!body) return;
        return reply_result(res, s.engine.update_job(id, *body, req.method == "PATCH", ctx));
    }
    handle_object_request(s.objects, "jobs", id, req, res, ctx, false);
}

}  // namespace

void handle_jobs(JobServices& s, const std::string& rest, const http::Request& req,
                 http::Response& res, const objects::WriteContext& ctx, bool decode) {
    if (rest.empty()) return handle_job_collection(s, req, res, ctx);
    auto slash = rest.find('/');
    std::string id = rest.substr(0, slash);
    if (slash == std::string::npos) return handle_job(s, id, req, res, ctx);
    std::string sub = rest.substr(slash + 1);
    if (sub == "log") return handle_job_log(s, id, req, res);
    if (sub == "actions") {
        if (req.method != "GET" && req.method != "HEAD")
            return reply_error(res, 405, "MethodNotAllowed", "Use GET", "jobs", id);
        const std::string* os = req.query_value("os");
        return reply_result(res, s.renderer.job_actions(id, os ? *os : "", decode));
    }
    reply_error(res, 404, "API_ERROR", "No such resource: " + req.path, "jobs", id);
}

bool handle_machine_job_routes(JobServices& s, const std::string& rest, const http::Request& req,
                               http::Response& res, const objects::WriteContext& ctx, bool decode) {
    auto slash = rest.find('/');
    if (slash == std::string::npos) {
        if (rest.empty() || req.method != "DELETE") return false;
        reply_result(res, s.engine.remove_machine(rest, ctx));
        return true;
    }
    if (rest.substr(slash + 1) != "render") return false;
    std::string id = rest.substr(0, slash);
    jobs::DryRunRequest dry;
    if (const auto* task = req.query_value("task")) dry.task = *task;
    if (req.method != "GET")
        reply_error(res, 405, "MethodNotAllowed", "Use GET", "machines", id);
    else if (!dry.task && !query_flag(req, "all"))
        reply_error(res, 400, "BadRequest", "render needs ?task=<name> or ?all=true", "machines",
                    id);
    if (res.status >= 400) return true;
    if (const auto* os = req.query_value("os")) dry.target_os = *os;
    reply_result(res, s.renderer.dry_run(id, dry, decode));
    return true;
}

}  // namespace drover::api_routes
