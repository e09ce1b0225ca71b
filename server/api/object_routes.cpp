#include "server/api/object_routes.hpp"

#include "server/api/list_query.hpp"
#include "server/api/reply.hpp"
#include "server/objects/object_service.hpp"

namespace drover::api_routes {

using model::Json;
using objects::ObjectResult;

namespace {

void method_not_allowed(http::Response& res, const std::string& prefix, const std::string& allow) {
    res.headers.emplace("Allow", allow);
    reply_error(res, 405, "MethodNotAllowed", "Method not allowed here; use " + allow, prefix);
}

void handle_collection(objects::ObjectService& objects, const std::string& prefix,
                       const http::Request& req, http::Response& res,
                       const objects::WriteContext& ctx, bool decode) {
    if (req.method == "GET" || req.method == "HEAD") {
        auto page = list_objects(objects, prefix, req.query, decode,
                                 req.method == "HEAD" ? ListItems::CountOnly : ListItems::Read);
        if (!page) return reply_error(res, page.error());
        ListPage& result = page.value();
        res.headers.emplace("X-DRP-LIST-COUNT", std::to_string(result.count));
        res.headers.emplace("X-DRP-LIST-TOTAL-COUNT", std::to_string(result.total));
        res.headers.emplace("X-DRP-LIST-FILTER-COUNT", std::to_string(result.filtered));
        if (req.method == "HEAD") {  // counted, not built: the head has no length (http layer)
            res.status = 200;
            res.headers.emplace("Content-Type", "application/json");
            return;
        }
        Json body = Json::array();
        for (auto& item : result.items)
            body.push_back(std::move(item));
        return reply_json(res, 200, body);
    }
    if (req.method == "POST") {
        auto body = parse_body(req, res, prefix);
        if (!body) return;
        return reply_result(res, objects.create(prefix, *body, ctx), 201);
    }
    method_not_allowed(res, prefix, "GET, HEAD, POST");
}

void handle_object(objects::ObjectService& objects, const std::string& prefix,
                   const std::string& id, const http::Request& req, http::Response& res,
                   const objects::WriteContext& ctx, bool decode) {
    if (req.method == "GET" || req.method == "HEAD")
        return reply_result(res, objects.get(prefix, id, decode));
    if (req.method == "DELETE") return reply_result(res, objects.remove(prefix, id, ctx));
    if (req.method == "PUT" || req.method == "PATCH") {
        auto body = parse_body(req, res, prefix);
        if (!body) return;
        if (req.method == "PUT") return reply_result(res, objects.replace(prefix, id, *body, ctx));
        return reply_result(res, objects.patch(prefix, id, *body, ctx));
    }
    method_not_allowed(res, prefix, "GET, HEAD, PUT, PATCH, DELETE");
}

void handle_params(objects::ObjectService& objects, const std::string& prefix,
                   const std::string& id, const std::string& name, const http::Request& req,
                   http::Response& res, const objects::WriteContext& ctx, bool decode) {
    auto scope =
        query_flag(req, "aggregate") ? objects::ParamScope::Aggregate : objects::ParamScope::Own;
    if (name.empty()) {
        if (req.method == "GET" || req.method == "HEAD")
            return reply_result(res, objects.get_params(prefix, id, scope, decode));
        if (req.method != "POST" && req.method != "PATCH")
            return method_not_allowed(res, prefix, "GET, POST, PATCH");
        auto body = parse_body(req, res, prefix);
        if (!body) return;
        if (req.method == "POST")
            return reply_result(res, objects.set_params(prefix, id, *body, ctx));
        return reply_result(res, objects.patch_params(prefix, id, *body, ctx));
    }
    if (req.method == "GET" || req.method == "HEAD")
        return reply_result(res, objects.get_param(prefix, id, name, scope, decode));
    if (req.method == "DELETE")
        return reply_result(res, objects.remove_param(prefix, id, name, ctx));
    if (req.method == "POST" || req.method == "PUT") {
        auto body = parse_body(req, res, prefix);
        if (!body) return;
        return reply_result(res, objects.set_param(prefix, id, name, *body, ctx));
    }
    method_not_allowed(res, prefix, "GET, POST, DELETE");
}

}  // namespace

void handle_object_request(objects::ObjectService& objects, const std::string& prefix,
                           const std::string& rest, const http::Request& req, http::Response& res,
                           const objects::WriteContext& ctx, bool decode) {
    if (rest.empty()) return handle_collection(objects, prefix, req, res, ctx, decode);
    // Param names contain '/', so a params object's key is the whole rest of the path.
    if (prefix == "params") return handle_object(objects, prefix, rest, req, res, ctx, decode);
    auto slash = rest.find('/');
    std::string id = rest.substr(0, slash);
    if (slash == std::string::npos)
        return handle_object(objects, prefix, id, req, res, ctx, decode);
    std::string sub = rest.substr(slash + 1);
    if (sub == "params") return handle_params(objects, prefix, id, "", req, res, ctx, decode);
    if (sub.rfind("params/", 0) == 0)
        return handle_params(objects, prefix, id, sub.substr(7), req, res, ctx, decode);
    reply_error(res, 404, "API_ERROR", "No such resource: " + req.path, prefix, id);
}

}  // namespace drover::api_routes
