// Turns a Response into bytes on the wire, and builds the responses the loop itself answers
// with (400/411/413/431/501/505 from the parser, 503 when the worker queue is full).
// Framing is the server's job: Content-Length, Connection and Transfer-Encoding set by a handler
// are replaced, and so is Date (every answer carries the server's clock, see date_header). HEAD:
// the body is never sent; Content-Length is the size of the body the handler produced, or, when
// it produced none, the handler's own Content-Length header (so a router can answer HEAD without
// rendering the body), or else no Content-Length at all (RFC 9110 8.6: never a length a GET would
// not have). 1xx, 204 and 304 carry neither body nor length.
// Handler headers containing CR or LF are dropped (no response splitting).
#pragma once
#include <string>
#include <string_view>

#include "server/http/http_server.hpp"

namespace drover::http {

const char* reason_phrase(int status);

// Head plus body, ready to send. `keep_alive` chooses the Connection header.
std::string serialize_response(const Response& response, bool head_only, bool keep_alive);

// The head of an event stream: no Content-Length, so the body runs until the connection closes
// (RFC 9112 6.3 rule 8). Both EventSource and cpp-httplib's client read such bodies
// incrementally; no chunked framing is needed because the stream ends the connection anyway.
std::string serialize_stream_head(const Response& response);

// A DRP error body {Model, Key, Type, Messages, Code} with the given status; `message` must not
// need JSON escaping (the loop's messages are fixed ASCII text).
Response error_response(int status, std::string_view type, std::string_view message);
// 503 with Retry-After: 1, answered from the loop when the worker queue is full.
Response busy_response();

// True when the handler asked for the connection to end after this response.
bool wants_close(const Response& response);

}  // namespace drover::http
