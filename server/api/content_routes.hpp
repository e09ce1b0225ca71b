// POST /api/v3/contents: a DRP content bundle ({"meta": {...}, "sections": {...}}, see
// common/content/bundle_parse.hpp) written all or nothing. Every object is created, or replaced
// when it exists (PUT semantics; read-only objects refuse), in ONE store transaction, in the
// sections' dependency order, each write re-validating its dependents as a single write would.
// Any failure stores nothing and the answer lists every problem; success answers 201 with DRP's
// ContentSummary {"meta", "Counts", "Warnings"}. Each stored object's Bundle names the bundle.
#pragma once
#include <string>

#include "server/http/http_server.hpp"
#include "server/objects/collection.hpp"

namespace drover::objects {
class ObjectService;
}

namespace drover::api_routes {

// Everything under /api/v3/contents; `rest` is the path after it.
void handle_contents(objects::ObjectService& objects, const std::string& rest,
                     const http::Request& req, http::Response& res,
                     const objects::WriteContext& ctx);

}  // namespace drover::api_routes
