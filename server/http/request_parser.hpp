// Incremental HTTP/1.1 request parser: fed a connection's unread bytes, it removes exactly one
// request from their front once the head and the Content-Length body have all arrived, leaving
// pipelined bytes in place. Limits are enforced before buffering: the head may not exceed
// max_header_bytes (431) and a declared body larger than max_body_bytes is refused (413) before
// a byte of it is read. Request bodies with Transfer-Encoding are refused: chunked with 411
// (send a Content-Length), any other coding with 501; every client drover targets sends lengths.
#pragma once
#include <cstddef>
#include <string>

#include "server/http/http_server.hpp"

namespace drover::http {

struct ParserLimits {
    std::size_t max_header_bytes = 64u << 10;
    std::size_t max_body_bytes = 16u << 20;
};

enum class ParseState { NeedMore, Complete, Failed };

struct ParsedRequest {
    Request request;
    bool keep_alive = true;  // HTTP/1.1 without "Connection: close", or 1.0 with keep-alive
    bool head_only = false;  // a HEAD request: the response carries no body
};

class RequestParser {
  public:
    explicit RequestParser(ParserLimits limits) : limits_(limits) {}

    // Consumes from the front of `input` what belongs to the current request.
    ParseState parse(std::string& input);

    // After Complete: the request (the parser is then ready for the next one).
    ParsedRequest take();
    // True once, when the head asked "Expect: 100-continue" and the body has not all arrived.
    bool take_continue_request();
    // True while a head has been parsed and its body is still arriving.
    bool in_body() const { return head_done_; }

    // After Failed: the status to answer with and a one-line reason.
    int error_status() const { return error_status_; }
    const std::string& error_message() const { return error_message_; }

  private:
    ParseState fail(int status, std::string message);
    ParseState parse_head(std::string_view head);
    bool parse_request_line(std::string_view line);
    bool parse_header_line(std::string_view line);
    ParseState check_framing();
    void reset();

    ParserLimits limits_;
    std::size_t scanned_ = 0;  // bytes of input already searched for the end of the head
    bool head_done_ = false;
    std::size_t body_length_ = 0;
    bool http10_ = false;
    bool expect_continue_ = false;
    ParsedRequest parsed_;
    int error_status_ = 0;
    std::string error_message_;
};

}  // namespace drover::http
