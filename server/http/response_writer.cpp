// Response serialisation (see response_writer.hpp for the framing rules).
#include "server/http/response_writer.hpp"

#include <strings.h>

#include <optional>

#include "server/http/date_header.hpp"

namespace drover::http {
namespace {

// Headers whose values the server decides, whatever the handler set.
bool is_server_header(const std::string& name) {
    return strcasecmp(name.c_str(), "Content-Length") == 0 ||
           strcasecmp(name.c_str(), "Connection") == 0 ||
           strcasecmp(name.c_str(), "Transfer-Encoding") == 0 ||
           strcasecmp(name.c_str(), "Date") == 0;
}

bool has_no_body(int status) {
    return (status >= 100 && status < 200) || status == 204 || status == 304;
}

void append_status_line(std::string& out, int status) {
    out += "HTTP/1.1 ";
    out += std::to_string(status);
    out += ' ';
    out += reason_phrase(status);
    out += "\r\n";
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
}

// A CR or LF in a header would let request data (a key echoed into Location, say) split the
// response; such headers are dropped rather than sent.
bool is_safe_header(const std::string& name, const std::string& value) {
    return !name.empty() && name.find_first_of("\r\n:") == std::string::npos &&
           value.find_first_of("\r\n") == std::string::npos;
}

void append_handler_headers(std::string& out, const Headers& headers) {
    for (const auto& [name, value] : headers)
        if (!is_server_header(name) && is_safe_header(name, value)) append_header(out, name, value);
}

// A HEAD whose handler built no body gives the handler's Content-Length, or none: 0 would claim
// that a GET's body is empty, and RFC 9110 8.6 lets a HEAD answer leave the length out.
std::optional<std::string> content_length_for(const Response& response, bool head_only) {
    if (head_only && response.body.empty()) {
        auto it = response.headers.find("Content-Length");
        if (it != response.headers.end()) return it->second;
        return std::nullopt;
    }
    return std::to_string(response.body.size());
}

}  // namespace

const char* reason_phrase(int status) {
    switch (status) {
        case 100:
            return "Continue";
        case 101:
            return "Switching Protocols";
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 202:
            return "Accepted";
        case 204:
            return "No Content";
        case 206:
            return "Partial Content";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Found";
        case 303:
            return "See Other";
        case 304:
            return "Not Modified";
        case 307:
            return "Temporary Redirect";
        case 308:
            return "Permanent Redirect";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 406:
            return "Not Acceptable";
        case 408:
            return "Request Timeout";
        case 409:
            return "Conflict";
        case 410:
            return "Gone";
        case 411:
            return "Length Required";
        case 412:
            return "Precondition Failed";
        case 413:
            return "Content Too Large";
        case 414:
            return "URI Too Long";
        case 415:
            return "Unsupported Media Type";
        case 416:
            return "Range Not Satisfiable";
        case 417:
            return "Expectation Failed";
        case 422:
            return "Unprocessable Content";
        case 423:
            return "Locked";
        case 428:
            return "Precondition Required";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        case 505:
            return "HTTP Version Not Supported";
        case 507:
            return "Insufficient Storage";
        default:
            return "Unknown";
    }
}

std::string serialize_response(const Response& response, bool head_only, bool keep_alive) {
    bool bodiless = has_no_body(response.status);
    std::string out;
    out.reserve(256 + (head_only || bodiless ? 0 : response.body.size()));
    append_status_line(out, response.status);
    append_handler_headers(out, response.headers);
    append_header(out, "Date", date_header_now());
    if (auto length = content_length_for(response, head_only); length && !bodiless)
        append_header(out, "Content-Length", *length);
    append_header(out, "Connection", keep_alive ? "keep-alive" : "close");
    out += "\r\n";
    if (!head_only && !bodiless) out += response.body;
    return out;
}

std::string serialize_stream_head(const Response& response) {
    std::string out;
    append_status_line(out, response.status);
    append_handler_headers(out, response.headers);
    append_header(out, "Date", date_header_now());
    // The body ends when the connection does (no length, no chunking): say so.
    append_header(out, "Connection", "close");
    out += "\r\n";
    out += response.body;  // a stream may open with bytes the handler already has
    return out;
}

Response error_response(int status, std::string_view type, std::string_view message) {
    Response r;
    r.status = status;
    r.headers.emplace("Content-Type", "application/json");
    r.body = R"({"Model":"","Key":"","Type":")";
    r.body += type;
    r.body += R"(","Messages":[")";
    r.body += message;
    r.body += R"("],"Code":)";
    r.body += std::to_string(status);
    r.body += '}';
    return r;
}

Response busy_response() {
    Response r = error_response(503, "Busy", "server busy, retry");
    r.headers.emplace("Retry-After", "1");
    return r;
}

bool wants_close(const Response& response) {
    auto [begin, end] = response.headers.equal_range("Connection");
    for (auto it = begin; it != end; ++it)
        if (strcasecmp(it->second.c_str(), "close") == 0) return true;
    return false;
}

}  // namespace drover::http
