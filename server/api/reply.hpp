// Building HTTP responses from the object layer's results: JSON bodies, the DRP error body with
// its status (spec 1.12), and the request-side helpers every route uses.
#pragma once
#include <string>

#include "common/model/error.hpp"
#include "server/http/http_server.hpp"
#include "server/objects/object_errors.hpp"

namespace drover::api_routes {

void reply_json(http::Response& res, int status, const model::Json& body);
void reply_error(http::Response& res, const model::Error& e);
// An object-layer result: its JSON with `ok_status`, or its DRP error.
void reply_result(http::Response& res, const objects::ObjectResult& r, int ok_status = 200);
// A DRP error built on the spot: {Model, Key, Type, Messages:[message], Code: status}.
void reply_error(http::Response& res, int status, const std::string& type,
                 const std::string& message, const std::string& model = "",
                 const std::string& key = "");

// Parses the request body as JSON; on failure answers 400 and returns nullopt.
std::optional<model::Json> parse_body(const http::Request& req, http::Response& res,
                                      const std::string& model);

// `?name=true` (also "1"/"yes"); absent or anything else is false.
bool query_flag(const http::Request& req, const std::string& name);

}  // namespace drover::api_routes
