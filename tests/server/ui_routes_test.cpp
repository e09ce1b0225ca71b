// The dashboard's routes (server/api/ui_routes) on a table of their own, whatever the build
// embedded: files by path with their type, ETag revalidation, the security headers on every /ui
// answer, redirects, 405 for other methods, 404 for unknown names and every traversal attempt, and
// the answer of a droverd built without the dashboard.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "server/api/ui_routes.hpp"

using namespace drover;
using api_routes::is_ui_path;
using api_routes::serve_ui;

namespace {

const ui::Asset kAssets[] = {
    {"app.js", "text/javascript; charset=utf-8", "\"a1\"", "export {};\n"},
    {"img/logo.svg", "image/svg+xml", "\"s1\"", "<svg/>"},
    {"index.html", "text/html; charset=utf-8", "\"i1\"", "<!doctype html>\n"},
};

const char* const kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'";

http::Response ask(std::string method, std::string path, http::Headers headers = {},
                   std::span<const ui::Asset> assets = kAssets) {
    http::Request req;
    req.method = std::move(method);
    req.path = std::move(path);
    req.headers = std::move(headers);
    http::Response res;
    REQUIRE(is_ui_path(assets, req.path));
    serve_ui(assets, req, res);
    return res;
}

std::string header(const http::Response& res, const std::string& name) {
    auto it = res.headers.find(name);
    return it == res.headers.end() ? "<none>" : it->second;
}

void check_security_headers(const http::Response& res) {
    CHECK(header(res, "Content-Security-Policy") == kCsp);
    CHECK(header(res, "X-Content-Type-Options") == "nosniff");
    CHECK(header(res, "Referrer-Policy") == "no-referrer");
    CHECK(header(res, "X-Frame-Options") == "DENY");
}

// The DRP error body (spec 1.12) with this code.
void check_error(const http::Response& res, int code) {
    CHECK(res.status == code);
    CHECK(header(res, "Content-Type") == "application/json");
    auto body = nlohmann::json::parse(res.body);
    CHECK(body.at("Code") == code);
    CHECK(body.at("Messages").size() == 1);
}

}  // namespace

TEST_CASE("/ui/ is the index page, with its type, ETag and the security headers", "[ui]") {
    for (std::string method : {"GET", "HEAD"}) {
        auto res = ask(method, "/ui/");
        CHECK(res.status == 200);
        CHECK(res.body == "<!doctype html>\n");
        CHECK(header(res, "Content-Type") == "text/html; charset=utf-8");
        CHECK(header(res, "ETag") == "\"i1\"");
        CHECK(header(res, "Cache-Control") == "no-cache");
        check_security_headers(res);
    }
    CHECK(ask("GET", "/ui/index.html").body == "<!doctype html>\n");
}

TEST_CASE("a dashboard file is served by its path, in a sub-directory too", "[ui]") {
    auto js = ask("GET", "/ui/app.js");
    CHECK(js.status == 200);
    CHECK(js.body == "export {};\n");
    CHECK(header(js, "Content-Type") == "text/javascript; charset=utf-8");
    auto svg = ask("GET", "/ui/img/logo.svg");
    CHECK(svg.status == 200);
    CHECK(header(svg, "Content-Type") == "image/svg+xml");
    check_security_headers(svg);
}

TEST_CASE("If-None-Match naming the file's ETag is answered 304 without a body", "[ui]") {
    for (std::string tag : {"\"a1\"", "W/\"a1\"", "\"x\", \"a1\"", "\"x\",\"a1\" ", "*"}) {
        INFO(tag);
        auto res = ask("GET", "/ui/app.js", {{"If-None-Match", tag}});
        CHECK(res.status == 304);
        CHECK(res.body.empty());
        CHECK(header(res, "ETag") == "\"a1\"");
        check_security_headers(res);
    }
    for (std::string tag : {"\"i1\"", "\"a1", "a1", "\"a1\"x", ""}) {
        INFO(tag);
        auto res = ask("GET", "/ui/app.js", {{"If-None-Match", tag}});
        CHECK(res.status == 200);
        CHECK(res.body == "export {};\n");
    }
}

TEST_CASE("/ui redirects to /ui/ (301) and so does / (302)", "[ui]") {
    auto ui = ask("GET", "/ui");
    CHECK(ui.status == 301);
    CHECK(header(ui, "Location") == "/ui/");
    check_security_headers(ui);
    auto root = ask("GET", "/");
    CHECK(root.status == 302);
    CHECK(header(root, "Location") == "/ui/");
    CHECK(!is_ui_path(kAssets, "/uix"));
    CHECK(!is_ui_path(kAssets, "/api/v3/ui/"));
}

TEST_CASE("methods other than GET and HEAD are refused with 405 and the DRP error body", "[ui]") {
    for (std::string method : {"POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
        for (std::string path : {"/ui/", "/ui/app.js", "/ui", "/"}) {
            INFO(method << " " << path);
            auto res = ask(method, path);
            check_error(res, 405);
            CHECK(header(res, "Allow") == "GET, HEAD");
            check_security_headers(res);
        }
}

TEST_CASE("unknown dashboard files and every traversal attempt are 404", "[ui]") {
    // Paths as the server hands them over, percent-decoded (http/url.hpp); a "%2e" here is what
    // was left of a double-encoded "%252e".
    const std::string paths[] = {"/ui/nosuch.js",
                                 "/ui/index.html/",
                                 "/ui/img/",
                                 "/ui/../index.html",
                                 "/ui/..",
                                 "/ui/img/../app.js",
                                 "/ui/./app.js",
                                 "/ui/..\\app.js",
                                 "/ui/\\app.js",
                                 "/ui/img\\logo.svg",
                                 "/ui//app.js",
                                 "/ui/%2e%2e/app.js",
                                 "/ui/app%2ejs",
                                 std::string("/ui/app.js\0", 11),
                                 std::string("/ui/\0app.js", 11),
                                 "/ui/APP.JS"};
    for (const std::string& path : paths) {
        INFO(path);
        auto res = ask("GET", path);
        check_error(res, 404);
        check_security_headers(res);
    }
}

TEST_CASE("without the dashboard built, /ui is a 404 saying so and / is not the dashboard's",
          "[ui]") {
    const std::span<const ui::Asset> none;
    CHECK(!is_ui_path(none, "/"));
    for (std::string path : {"/ui/", "/ui/index.html", "/ui"}) {
        auto res = ask("GET", path, {}, none);
        check_error(res, 404);
        CHECK(res.body.find("-DDROVER_UI=OFF") != std::string::npos);
        check_security_headers(res);
    }
}
