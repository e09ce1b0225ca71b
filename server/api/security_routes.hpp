// The routes of issue 7's security layer: /users writes (a Password is hashed before the store
// sees it) and the token endpoints GET /users/<name>/token and GET /machines/<uuid>/token
// (spec 6.1: `?ttl=` in seconds or a duration such as 1h or 3y, answering {Token, Info}).
#pragma once
#include <string>

#include "server/http/http_server.hpp"
#include "server/objects/collection.hpp"

namespace drover::objects {
class ObjectService;
}
namespace drover::security {
class SecurityService;
}

namespace drover::api_routes {

// Everything under /api/v3/users; `rest` is the path after it.
void handle_users(security::SecurityService& security, objects::ObjectService& objects,
                  const std::string& rest, const http::Request& req, http::Response& res,
                  const objects::WriteContext& ctx);
// GET /machines/<uuid>/token; false when the request is not that.
bool handle_machine_token(security::SecurityService& security, const std::string& rest,
                          const http::Request& req, http::Response& res);

}  // namespace drover::api_routes
