// The router's one authorisation step (spec 6.1, issue 7): a request and its authenticated
// Principal to security::authorize's decision. Resolves what the pure rule needs from the store:
// "Name:x" keys to stored keys, and for jobs the job's Machine (the claim target), so that a
// machine's token reaches its own jobs and nothing else.
#pragma once
#include <string>

#include "common/security/claims.hpp"
#include "server/http/http_server.hpp"

namespace drover::objects {
class ObjectService;
}

namespace drover::api_routes {

// The Access of a request under /api/v3/<prefix>/<tail>.
security::Access access_for(const http::Request& req, const std::string& prefix,
                            const std::string& tail, const objects::ObjectService& objects);

}  // namespace drover::api_routes
