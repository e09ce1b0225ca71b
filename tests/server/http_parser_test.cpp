// server/http's pure pieces without sockets: the incremental request parser, percent-decoding
// and response serialisation.
#include <catch2/catch.hpp>

#include "server/http/request_parser.hpp"
#include "server/http/response_writer.hpp"
#include "server/http/url.hpp"

#include <chrono>

#include "common/api/http_date.hpp"

using namespace drover::http;

TEST_CASE("the parser waits for the whole head and body, fed a byte at a time", "[http][parser]") {
    RequestParser p({});
    std::string wire = "POST /x?a=1 HTTP/1.1\r\nHost: h\r\ncontent-length: 5\r\n\r\nhelloGET /next";
    std::string input;
    ParseState state = ParseState::NeedMore;
    std::size_t fed = 0;
    while (state == ParseState::NeedMore && fed < wire.size()) {
        input += wire[fed++];
        state = p.parse(input);
    }
    REQUIRE(state == ParseState::Complete);
    CHECK(fed == wire.size() - std::string("GET /next").size());
    ParsedRequest r = p.take();
    CHECK(r.request.method == "POST");
    CHECK(r.request.target == "/x?a=1");
    CHECK(r.request.path == "/x");
    CHECK(*r.request.query_value("a") == "1");
    CHECK(*r.request.header("Content-Length") == "5");
    CHECK(*r.request.header("HOST") == "h");
    CHECK(r.request.body == "hello");
    CHECK(r.keep_alive);
    CHECK_FALSE(r.head_only);
}

TEST_CASE("the parser leaves pipelined bytes in place", "[http][parser]") {
    RequestParser p({});
    std::string input = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nConnection: close\r\n\r\n";
    REQUIRE(p.parse(input) == ParseState::Complete);
    CHECK(p.take().request.path == "/a");
    REQUIRE(p.parse(input) == ParseState::Complete);
    ParsedRequest b = p.take();
    CHECK(b.request.path == "/b");
    CHECK_FALSE(b.keep_alive);
    CHECK(input.empty());
}

TEST_CASE("the parser enforces its limits before buffering", "[http][parser]") {
    RequestParser p({/*max_header_bytes=*/64, /*max_body_bytes=*/10});
    std::string big_head = "GET / HTTP/1.1\r\nX: " + std::string(100, 'a');
    CHECK(p.parse(big_head) == ParseState::Failed);
    CHECK(p.error_status() == 431);
    RequestParser q({64, 10});
    std::string big_body = "PUT / HTTP/1.1\r\nContent-Length: 11\r\n\r\n";
    CHECK(q.parse(big_body) == ParseState::Failed);
    CHECK(q.error_status() == 413);
    RequestParser r({64, 10});
    std::string huge = "PUT / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n";
    CHECK(r.parse(huge) == ParseState::Failed);
    CHECK(r.error_status() == 413);
}

TEST_CASE("absolute-form targets, HEAD, HTTP/1.0 and Expect", "[http][parser]") {
    RequestParser p({});
    std::string in = "HEAD http://example.com/p%2Fq?x HTTP/1.0\r\n\r\n";
    REQUIRE(p.parse(in) == ParseState::Complete);
    ParsedRequest r = p.take();
    CHECK(r.request.path == "/p/q");
    CHECK(r.head_only);
    CHECK_FALSE(r.keep_alive);
    std::string expect = "PUT / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n";
    CHECK(p.parse(expect) == ParseState::NeedMore);
    CHECK(p.take_continue_request());
    CHECK_FALSE(p.take_continue_request());
}

TEST_CASE("percent-decoding", "[http][parser]") {
    CHECK(percent_decode("a%20b+c", false) == "a b+c");
    CHECK(percent_decode("a%20b+c", true) == "a b c");
    CHECK(percent_decode("100%", true) == "100%");
    CHECK(percent_decode("%4", true) == "%4");
    CHECK(percent_decode("%e6%97%a5", false) == "\xe6\x97\xa5");
    auto q = parse_query("a=1&a=2&&b&c=%3D");
    CHECK(q.count("a") == 2);
    CHECK(q.find("a")->second == "1");
    CHECK(q.find("b")->second.empty());
    CHECK(q.find("c")->second == "=");
}

TEST_CASE("response framing is the server's", "[http][parser]") {
    Response r;
    r.status = 404;
    r.body = "nope";
    r.headers.emplace("Content-Length", "999");
    r.headers.emplace("X-Evil", "a\r\nSet-Cookie: x");
    r.headers.emplace("X-Fine", "ok");
    std::string wire = serialize_response(r, false, true);
    CHECK(wire.rfind("HTTP/1.1 404 Not Found\r\n", 0) == 0);
    CHECK(wire.find("Content-Length: 4\r\n") != std::string::npos);
    CHECK(wire.find("999") == std::string::npos);
    CHECK(wire.find("Set-Cookie") == std::string::npos);
    CHECK(wire.find("X-Fine: ok\r\n") != std::string::npos);
    CHECK(wire.find("Connection: keep-alive\r\n") != std::string::npos);
    CHECK(wire.substr(wire.size() - 8) == "\r\n\r\nnope");
    Response empty;
    empty.status = 204;
    std::string no_content = serialize_response(empty, false, false);
    CHECK(no_content.find("Content-Length") == std::string::npos);
    CHECK(no_content.find("Connection: close") != std::string::npos);
}

namespace {

// The value of `name` in a serialised head; "" when absent.
std::string header_value(const std::string& wire, const std::string& name) {
    auto at = wire.find("\r\n" + name + ": ");
    if (at == std::string::npos) return "";
    at += name.size() + 4;
    return wire.substr(at, wire.find("\r\n", at) - at);
}

}  // namespace

TEST_CASE("every answer carries the server's Date, which a handler cannot set",
          "[http][parser][reliability][clock]") {
    Response r;
    r.status = 200;
    r.headers.emplace("Date", "Thu, 01 Jan 1970 00:00:00 GMT");
    Response stream_head;
    stream_head.status = 200;
    for (const std::string& wire :
         {serialize_response(r, false, true), serialize_response(busy_response(), false, false),
          serialize_stream_head(stream_head)}) {
        INFO(wire);
        CHECK(wire.find("Date: ") == wire.rfind("Date: "));  // exactly one
        auto date = drover::api::parse_http_date(header_value(wire, "Date"));
        REQUIRE(date.has_value());
        auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
        CHECK(*date <= now);
        CHECK(*date >= now - 60);  // not the handler's 1970, whatever this host's speed
    }
}
