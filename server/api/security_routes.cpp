#include "server/api/security_routes.hpp"

#include "common/model/info.hpp"
#include "common/rules/durations.hpp"
#include "server/api/object_routes.hpp"
#include "server/api/reply.hpp"
#include "server/objects/object_service.hpp"
#include "server/security/security_service.hpp"

namespace drover::api_routes {

namespace {

// `?ttl=`: seconds, a Go duration, or DRP's day and year forms ("30d", "3y"); 0 when absent.
std::optional<std::int64_t> ttl_seconds(const http::Request& req) {
    const std::string* raw = req.query_value("ttl");
    if (!raw || raw->empty()) return 0;
    std::string v = *raw;
    char unit = v.back();
    if ((unit == 'd' || unit == 'y') && v.size() > 1 &&
        v.find_first_not_of("0123456789") == v.size() - 1 && v.size() < 8) {
        std::int64_t n = std::stoll(v.substr(0, v.size() - 1));
        return n * (unit == 'd' ? 86400 : 365 * 86400);
    }
    auto d = rules::parse_timeout(v);
    if (!d) return std::nullopt;
    return std::chrono::duration_cast<std::chrono::seconds>(*d).count();
}

void reply_token(http::Response& res, const api::Expected<std::string, model::Error>& token) {
    if (!token) return reply_error(res, token.error());
    model::Info info;
    info.os = "linux";
    info.arch = "amd64";
    reply_json(res, 200, {{"Token", token.value()}, {"Info", model::encode(info)}});
}

bool bad_ttl(const std::optional<std::int64_t>& ttl, http::Response& res,
             const std::string& model) {
    if (ttl) return false;
    reply_error(res, 400, "BadRequest", "ttl must be seconds or a duration such as 1h or 3y",
                model);
    return true;
}

}  // namespace

void handle_users(security::SecurityService& security, objects::ObjectService& objects,
                  const std::string& rest, const http::Request& req, http::Response& res,
                  const objects::WriteContext& ctx) {
    auto slash = rest.find('/');
    std::string name = rest.substr(0, slash);
    std::string sub = slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (sub == "token" && req.method == "GET") {
        auto ttl = ttl_seconds(req);
        if (bad_ttl(ttl, res, "users")) return;
        return reply_token(res, security.token_for_user(name, *ttl));
    }
    if (!sub.empty())
        return reply_error(res, 404, "API_ERROR", "No such resource: " + req.path, "users", name);
    auto& users = security.users();
    if (req.method == "POST" && name.empty()) {
        auto body = parse_body(req, res, "users");
        if (!body) return;
        return reply_result(res, users.create(*body, ctx), 201);
    }
    if ((req.method == "PUT" || req.method == "PATCH") && !name.empty()) {
        auto body = parse_body(req, res, "users");
        if (!body) return;
        return reply_result(
            res,
            req.method == "PUT" ? users.replace(name, *body, ctx) : users.patch(name, *body, ctx),
            200);
    }
    handle_object_request(objects, "users", rest, req, res, ctx, false);
}

bool handle_machine_token(security::SecurityService& security, const std::string& rest,
                          const http::Request& req, http::Response& res) {
    auto slash = rest.find('/');
    if (slash == std::string::npos || rest.substr(slash + 1) != "token" || req.method != "GET")
        return false;
    auto ttl = ttl_seconds(req);
    if (bad_ttl(ttl, res, "machines")) return true;
    reply_token(res, security.token_for_machine(rest.substr(0, slash), *ttl));
    return true;
}

}  // namespace drover::api_routes
