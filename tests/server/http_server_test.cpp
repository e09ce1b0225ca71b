// The epoll HTTP server (server/http): protocol handling, limits, timeouts, back-pressure and
// event streams, through real loopback sockets (cpp-httplib's client and raw bytes).
#include <httplib.h>

#include <atomic>
#include <future>
#include <latch>
#include <mutex>
#include <vector>

#include "tests/server/http_test_support.hpp"

using namespace drover::http;
using namespace drover::http::test;
using namespace std::chrono_literals;

namespace {

// Echoes what it received so tests can see the parsed request.
void echo(const Request& req, Response& res) {
    res.headers.emplace("Content-Type", "text/plain");
    res.headers.emplace("X-Method", req.method);
    res.headers.emplace("X-Path", req.path);
    if (auto* h = req.header("x-test")) res.headers.emplace("X-Test-Echo", *h);
    for (const auto& [k, v] : req.query)
        res.headers.emplace("X-Q-" + k, v);
    res.body = req.method + " " + req.path + " " + req.body;
}

httplib::Client client_for(const TestServer& s) {
    httplib::Client c("127.0.0.1", s.port());
    c.set_read_timeout(20, 0);
    c.set_connection_timeout(20, 0);
    return c;
}

}  // namespace

TEST_CASE("each method round-trips body, headers, path and query", "[http][httplib]") {
    TestServer s({}, echo);
    auto c = client_for(s);
    httplib::Headers h{{"X-Test", "hello"}};
    auto get = c.Get("/g?x=1", h);
    REQUIRE(get);
    CHECK(get->status == 200);
    CHECK(get->body == "GET /g ");
    CHECK(get->get_header_value("X-Test-Echo") == "hello");
    CHECK(get->get_header_value("X-Q-x") == "1");
    auto post = c.Post("/p", h, "post-body", "text/plain");
    REQUIRE(post);
    CHECK(post->body == "POST /p post-body");
    auto put = c.Put("/p", "put-body", "text/plain");
    REQUIRE(put);
    CHECK(put->body == "PUT /p put-body");
    auto patch = c.Patch("/p", "patch-body", "application/json");
    REQUIRE(patch);
    CHECK(patch->body == "PATCH /p patch-body");
    auto del = c.Delete("/p");
    REQUIRE(del);
    CHECK(del->body == "DELETE /p ");
    auto head = c.Head("/h");
    REQUIRE(head);
    CHECK(head->status == 200);
    CHECK(head->body.empty());
    CHECK(head->get_header_value("Content-Length") ==
          std::to_string(std::string("HEAD /h ").size()));
}

TEST_CASE("path and query are percent-decoded, '+' is a space only in the query", "[http]") {
    TestServer s({}, echo);
    RawClient c(s.port());
    REQUIRE(c.send_all(get_request("/a%20b+c?x=1+2&y=%41%2b&flag&=&z=%zz")));
    auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->header("X-Path") == "/a b+c");
    CHECK(r->header("X-Q-x") == "1 2");
    CHECK(r->header("X-Q-y") == "A+");
    CHECK(r->head.find("X-Q-flag: \r\n") != std::string::npos);
    CHECK(r->header("X-Q-z") == "%zz");
}

TEST_CASE("HEAD keeps the handler's Content-Length when it built no body", "[http]") {
    TestServer s(
        {}, [](const Request&, Response& res) { res.headers.emplace("Content-Length", "1234"); });
    RawClient c(s.port());
    REQUIRE(c.send_all("HEAD /x HTTP/1.1\r\nHost: t\r\n\r\n" + get_request("/y")));
    auto head = c.read_response(true);
    REQUIRE(head);
    CHECK(head->header("Content-Length") == "1234");
    auto next = c.read_response();  // the connection stays usable: nothing stray was sent
    REQUIRE(next);
    CHECK(next->header("Content-Length") == "0");
}

TEST_CASE("HEAD without a body or a Content-Length from the handler sends no length", "[http]") {
    // A list's HEAD counts its page without building it: a length of 0 would be a false claim.
    TestServer s({}, [](const Request&, Response& res) { res.headers.emplace("X-Count", "7"); });
    RawClient c(s.port());
    REQUIRE(c.send_all("HEAD /x HTTP/1.1\r\nHost: t\r\n\r\n" + get_request("/y")));
    auto head = c.read_response(true);
    REQUIRE(head);
    CHECK(head->header("X-Count") == "7");
    CHECK(head->head.find("Content-Length") == std::string::npos);
    auto next = c.read_response();  // the connection stays usable: nothing stray was sent
    REQUIRE(next);
    CHECK(next->header("Content-Length") == "0");
}

TEST_CASE("one keep-alive connection serves many sequential requests", "[http]") {
    TestServer s({}, echo);
    RawClient c(s.port());
    REQUIRE(c.connected());
    for (int i = 0; i < 200; ++i) {
        REQUIRE(c.send_all(get_request("/n" + std::to_string(i))));
        auto r = c.read_response();
        REQUIRE(r);
        CHECK(r->body == "GET /n" + std::to_string(i) + " ");
        CHECK(r->header("Connection") == "keep-alive");
    }
    CHECK(s.server().stats().connections_open == 1);
    CHECK(s.server().stats().requests_total == 200);
}

TEST_CASE("pipelined requests are answered in order", "[http]") {
    TestServer s({}, echo);
    RawClient c(s.port());
    std::string all;
    for (int i = 0; i < 20; ++i)
        all += i % 2 ? get_request("/p" + std::to_string(i))
                     : "POST /p" + std::to_string(i) + " HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
    REQUIRE(c.send_all(all));
    for (int i = 0; i < 20; ++i) {
        auto r = c.read_response();
        REQUIRE(r);
        CHECK(r->body == (i % 2 ? "GET /p" + std::to_string(i) + " "
                                : "POST /p" + std::to_string(i) + " abc"));
    }
}

TEST_CASE("HTTP/1.0 and Connection: close end the connection after the response", "[http]") {
    TestServer s({}, echo);
    for (std::string request :
         {std::string("GET /old HTTP/1.0\r\n\r\n"), get_request("/c", "Connection: close\r\n")}) {
        RawClient c(s.port());
        REQUIRE(c.send_all(request));
        auto r = c.read_response();
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK(r->header("Connection") == "close");
        CHECK(c.wait_closed());
    }
    RawClient ka(s.port());  // 1.0 with keep-alive stays open
    REQUIRE(
        ka.send_all("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n"));
    auto first = ka.read_response();
    REQUIRE(first);
    CHECK(first->header("Connection") == "keep-alive");
    auto second = ka.read_response();
    REQUIRE(second);
    CHECK(second->body == "GET /b ");
}

TEST_CASE("Expect: 100-continue gets an interim response", "[http]") {
    TestServer s({}, echo);
    RawClient c(s.port());
    REQUIRE(c.send_all("PUT /e HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
    auto interim = c.read_until("\r\n\r\n");
    REQUIRE(interim);
    CHECK(interim->rfind("HTTP/1.1 100 Continue", 0) == 0);
    REQUIRE(c.send_all("hello"));
    auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->body == "PUT /e hello");
}

TEST_CASE("limits: 413 from Content-Length before the body, 431 for huge headers",
          "[http][httplib]") {
    std::atomic<int> calls{0};
    ServerOptions o;
    o.max_body_bytes = 1024;
    o.max_header_bytes = 8192;
    TestServer s(o, [&](const Request& r, Response& res) {
        ++calls;
        echo(r, res);
    });
    SECTION("declared body too large, nothing sent after the head") {
        RawClient c(s.port());
        REQUIRE(c.send_all("POST /big HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n"));
        auto r = c.read_response();
        REQUIRE(r);
        CHECK(r->status == 413);
        CHECK(r->body.find("\"Code\":413") != std::string::npos);
        CHECK(c.wait_closed());
    }
    SECTION("through cpp-httplib, which sends the body anyway") {
        auto c = client_for(s);
        auto r = c.Post("/big", std::string(4096, 'x'), "text/plain");
        REQUIRE(r);
        CHECK(r->status == 413);
        auto ok = client_for(s).Post("/small", std::string(1024, 'x'), "text/plain");
        REQUIRE(ok);
        CHECK(ok->status == 200);
    }
    SECTION("header section too large") {
        RawClient c(s.port());
        REQUIRE(c.send_all("GET / HTTP/1.1\r\nX-Big: " + std::string(100000, 'a') + "\r\n\r\n"));
        auto r = c.read_response();
        REQUIRE(r);
        CHECK(r->status == 431);
    }
    CHECK((calls == 0 || calls == 1));  // only the small httplib POST reaches the handler
}

TEST_CASE("malformed requests get 400, unknown methods reach the handler", "[http]") {
    TestServer s({}, echo);
    auto status_of = [&](const std::string& bytes) {
        RawClient c(s.port());
        REQUIRE(c.send_all(bytes));
        auto r = c.read_response();
        return r ? r->status : -1;
    };
    CHECK(status_of("HELLO\r\n\r\n") == 400);
    CHECK(status_of("GET /\r\n\r\n") == 400);
    CHECK(status_of("GET  / HTTP/1.1\r\n\r\n") == 400);
    CHECK(status_of("GET nopath HTTP/1.1\r\n\r\n") == 400);
    CHECK(status_of("GET / HTTP/1.1\r\nNo colon here\r\n\r\n") == 400);
    CHECK(status_of("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n") == 400);
    CHECK(status_of("POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n") == 400);
    CHECK(status_of("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab") == 400);
    CHECK(status_of("GET / HTTP/2.0\r\n\r\n") == 505);
    CHECK(status_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") == 411);
    CHECK(status_of("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n") == 501);
    CHECK(status_of("BREW /pot HTTP/1.1\r\n\r\n") == 200);
    CHECK(status_of("\r\n\r\nGET /after-blank-lines HTTP/1.1\r\n\r\n") == 200);
}

TEST_CASE("a slowloris client is closed after request_timeout", "[http]") {
    ServerOptions o;
    o.request_timeout_seconds = 1;
    TestServer s(o, echo);
    RawClient c(s.port());
    REQUIRE(c.send_all("GET / HTTP/1.1\r\n"));
    bool closed = false;
    for (int i = 0; i < 200 && !closed; ++i) {  // 20 s of trickling at most
        std::this_thread::sleep_for(100ms);
        closed = !c.send_all("X: y\r\n");
    }
    if (!closed) closed = c.wait_closed();
    CHECK(closed);
    CHECK(wait_until([&] { return s.server().stats().connections_open == 0; }));
}

TEST_CASE("an idle keep-alive connection is closed after idle_timeout", "[http]") {
    ServerOptions o;
    o.idle_timeout_seconds = 1;
    TestServer s(o, echo);
    RawClient c(s.port());
    REQUIRE(c.send_all(get_request("/")));
    REQUIRE(c.read_response());
    CHECK(c.wait_closed());
    RawClient silent(s.port());  // never sends a byte
    CHECK(silent.wait_closed());
}

TEST_CASE("a second server on the same port fails to bind", "[http]") {
    TestServer s({}, echo);
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = s.port();
    Server second(o, echo);
    std::string error;
    CHECK_FALSE(second.bind(error));
    CHECK(error.find("in use") != std::string::npos);
}

TEST_CASE("connections beyond max_connections are closed at once", "[http]") {
    ServerOptions o;
    o.max_connections = 2;
    TestServer s(o, echo);
    RawClient a(s.port()), b(s.port());
    REQUIRE(wait_until([&] { return s.server().stats().connections_open == 2; }));
    RawClient over(s.port());
    CHECK(over.wait_closed());
    REQUIRE(a.send_all(get_request("/still-served")));
    auto r = a.read_response();
    REQUIRE(r);
    CHECK(r->status == 200);
}

TEST_CASE("a full worker queue answers 503 at once", "[http]") {
    ServerOptions o;
    o.worker_threads = 1;
    o.max_queued_requests = 1;
    std::latch release(1);
    std::atomic<int> entered{0};
    TestServer s(o, [&](const Request& r, Response& res) {
        ++entered;
        if (r.path == "/block") release.wait();
        echo(r, res);
    });
    RawClient running(s.port()), queued(s.port()), rejected(s.port());
    REQUIRE(running.send_all(get_request("/block")));
    REQUIRE(wait_until([&] { return entered == 1; }));
    REQUIRE(queued.send_all(get_request("/q")));
    REQUIRE(wait_until([&] { return s.server().stats().requests_total == 2; }));
    REQUIRE(rejected.send_all(get_request("/r")));
    auto busy = rejected.read_response();
    REQUIRE(busy);
    CHECK(busy->status == 503);
    CHECK(busy->header("Retry-After") == "1");
    CHECK(busy->body ==
          R"({"Model":"","Key":"","Type":"Busy","Messages":["server busy, retry"],"Code":503})");
    CHECK(s.server().stats().rejected_busy == 1);
    release.count_down();
    auto a = running.read_response();
    auto b = queued.read_response();
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->status == 200);
    CHECK(b->status == 200);
    REQUIRE(rejected.send_all(get_request("/again")));  // the 503 kept the connection usable
    auto again = rejected.read_response();
    REQUIRE(again);
    CHECK(again->status == 200);
}

TEST_CASE("a handler that throws yields 500, not a dead server", "[http]") {
    TestServer s({}, [](const Request& r, Response& res) {
        if (r.path == "/throw") throw std::runtime_error("boom");
        res.body = "ok";
    });
    RawClient c(s.port());
    REQUIRE(c.send_all(get_request("/throw") + get_request("/fine")));
    auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->status == 500);
    auto next = c.read_response();
    REQUIRE(next);
    CHECK(next->body == "ok");
}
