#include "server/api/reply.hpp"

namespace drover::api_routes {

void reply_json(http::Response& res, int status, const model::Json& body) {
    res.status = status;
    res.headers.emplace("Content-Type", "application/json");
    // Invalid UTF-8 that slipped into stored strings is replaced rather than failing the reply.
    res.body = body.dump(-1, ' ', false, model::Json::error_handler_t::replace);
}

void reply_error(http::Response& res, const model::Error& e) {
    reply_json(res, e.code, model::encode(e));
}

void reply_error(http::Response& res, int status, const std::string& type,
                 const std::string& message, const std::string& model, const std::string& key) {
    model::Error e;
    e.model = model;
    e.key = key;
    e.type = type;
    e.messages = {message};
    e.code = status;
    reply_error(res, e);
}

namespace {

// Deeply nested JSON is parsed iteratively but destroyed recursively: refuse it before parsing.
bool nesting_within(const std::string& text, int limit) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) return false;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return true;
}

}  // namespace

std::optional<model::Json> parse_body(const http::Request& req, http::Response& res,
                                      const std::string& model) {
    if (!nesting_within(req.body, 512)) {
        reply_error(res, 400, "BadRequest", "Request body nests deeper than 512 levels", model);
        return std::nullopt;
    }
    auto doc = model::Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
        reply_error(res, 400, "BadRequest", "Request body is not valid JSON", model);
        return std::nullopt;
    }
    return doc;
}

bool query_flag(const http::Request& req, const std::string& name) {
    const std::string* v = req.query_value(name);
    return v && (*v == "true" || *v == "1" || *v == "yes");
}

void reply_result(http::Response& res, const objects::ObjectResult& r, int ok_status) {
    if (r)
        reply_json(res, ok_status, r.value());
    else
        reply_error(res, r.error());
}

}  // namespace drover::api_routes
