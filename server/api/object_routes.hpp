// spec 6.2/6.3: the generic object endpoints and the param sub-resources, for every prefix the
// ObjectService knows. `rest` is the path after /api/v3/<prefix>, split on '/'. `decode`: reads
// answer with secure param values in clear (issue 7; the router sets it for ?decode=true once
// the caller is allowed getSecure).
#pragma once
#include <string>
#include <vector>

#include "server/http/http_server.hpp"
#include "server/objects/collection.hpp"

namespace drover::objects {
class ObjectService;
}

namespace drover::api_routes {

void handle_object_request(objects::ObjectService& objects, const std::string& prefix,
                           const std::string& rest, const http::Request& req, http::Response& res,
                           const objects::WriteContext& ctx, bool decode);

}  // namespace drover::api_routes
