// The dashboard against the real droverd: its files at /ui/ without credentials (the API beside
// them still answers 401), byte for byte what tsc and the static dir put in dist, with the
// security headers; ETag revalidation, HEAD, redirects and 405; and traversal attempts sent as raw
// bytes, percent-encoded or not, all 404. Built with -DDROVER_UI=OFF, /ui/ is a 404 saying so.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "droverd_process.hpp"
#include "raw_http.hpp"

using namespace drover::testing;
using namespace std::chrono_literals;

namespace {

// The status of a raw request's answer, and its DRP error code when it has one.
std::pair<int, int> raw_status(RawConnection& conn, const std::string& method,
                               const std::string& target) {
    RawReply r = conn.exchange(raw_request(method, target, ""));
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    return {r.status, body.is_object() ? body.value("Code", 0) : 0};
}

}  // namespace

#if DROVER_UI_BUILT

namespace {

const std::string kDist = DROVER_UI_DIST_DIR;

std::string dist_file(const std::string& name) {
    std::ifstream in(kDist + "/" + name, std::ios::binary);
    REQUIRE(in);
    return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("the dashboard is served without credentials while the API still refuses them", "[ui]") {
    DroverdProcess d;
    auto anon = d.anonymous_client();
    BytesReply index = call_bytes(*anon, "GET", "/ui/");
    CHECK(index.status == 200);
    CHECK(index.body == dist_file("index.html"));
    CHECK(index.header("Content-Type") == "text/html; charset=utf-8");
    CHECK(index.header("Content-Security-Policy") ==
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
          "form-action 'self'");
    CHECK(index.header("X-Content-Type-Options") == "nosniff");
    CHECK(index.header("X-Frame-Options") == "DENY");
    CHECK(index.header("Referrer-Policy") == "no-referrer");
    BytesReply app = call_bytes(*anon, "GET", "/ui/app.js");
    CHECK(app.status == 200);
    CHECK(app.body == dist_file("app.js"));
    CHECK(app.header("Content-Type") == "text/javascript; charset=utf-8");
    for (std::string path : {"/api/v3/machines", "/api/v3/info", "/api/v3/users"})
        CHECK(call_bytes(*anon, "GET", path).status == 401);
}

TEST_CASE("the dashboard's files revalidate by ETag, answer HEAD without a body and redirect",
          "[ui]") {
    DroverdProcess d;
    auto anon = d.anonymous_client();
    BytesReply first = call_bytes(*anon, "GET", "/ui/app.js");
    REQUIRE(first.status == 200);
    CHECK(first.header("Cache-Control") == "no-cache");
    // Raw: Debian's cpp-httplib (0.11) would wait for a body after a 304. The same connection
    // answering again shows the 304 carried no body bytes.
    RawConnection conn(d.port(), 20s);
    RawReply again = conn.exchange("GET /ui/app.js HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: " +
                                   first.header("ETag") + "\r\n\r\n");
    CHECK(again.status == 304);
    CHECK(again.body.empty());
    CHECK(again.head.find("ETag: " + first.header("ETag")) != std::string::npos);
    CHECK(raw_status(conn, "GET", "/ui/app.js").first == 200);
    CHECK(call_bytes(*anon, "GET", "/ui/app.js", {{"If-None-Match", "\"stale\""}}).status == 200);

    BytesReply head = call_bytes(*anon, "HEAD", "/ui/");
    CHECK(head.status == 200);
    CHECK(head.body.empty());
    CHECK(head.header("Content-Length") == std::to_string(dist_file("index.html").size()));

    BytesReply ui = call_bytes(*anon, "GET", "/ui");
    CHECK(ui.status == 301);
    CHECK(ui.header("Location") == "/ui/");
    BytesReply root = call_bytes(*anon, "GET", "/");
    CHECK(root.status == 302);
    CHECK(root.header("Location") == "/ui/");
    BytesReply post = call_bytes(*anon, "POST", "/ui/", {}, "{}");
    CHECK(post.status == 405);
    CHECK(post.json_body().value("Code", 0) == 405);
}

TEST_CASE("traversal attempts under /ui/, encoded or not, are 404", "[ui]") {
    DroverdProcess d;
    RawConnection conn(d.port(), 20s);
    for (std::string target :
         {"/ui/../api/v3/machines", "/ui/%2e%2e/api/v3/machines", "/ui/%2E%2E%2Fapi%2Fv3%2Fusers",
          "/ui/..%2f..%2fetc%2fpasswd", "/ui/..%5capp.js", "/ui/%5c..%5capp.js", "/ui/app.js%00",
          "/ui/%00index.html", "/ui/%252e%252e/app.js", "/ui//etc/passwd", "/ui/nosuch.js"}) {
        INFO(target);
        CHECK(raw_status(conn, "GET", target) == std::pair{404, 404});
    }
    CHECK(raw_status(conn, "GET", "/ui/app.js").first == 200);
}

#else

TEST_CASE("without the dashboard built, droverd answers /ui/ with a 404 saying so", "[ui]") {
    DroverdProcess d;
    RawConnection conn(d.port(), 20s);
    RawReply ui = conn.exchange(raw_request("GET", "/ui/", ""));
    CHECK(ui.status == 404);
    CHECK(ui.body.find("-DDROVER_UI=OFF") != std::string::npos);
    CHECK(raw_status(conn, "GET", "/") == std::pair{404, 404});
}

#endif
