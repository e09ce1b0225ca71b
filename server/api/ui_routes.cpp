#include "server/api/ui_routes.hpp"

#include <utility>

#include "server/api/reply.hpp"

namespace drover::api_routes {

namespace {

constexpr std::string_view kPrefix = "/ui/";

constexpr std::pair<const char*, const char*> kSecurityHeaders[] = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
     "form-action 'self'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
};

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_' || c == '/';
}

// Asset names are plain relative paths. The lookup is an exact match in the embedded table, so no
// name could reach a file outside it; refusing the rest (.., backslashes, NUL, escapes left after
// decoding, empty segments) keeps every traversal attempt an ordinary, uniform 404.
bool is_plain_name(std::string_view name) {
    if (name.empty() || name.front() == '/') return false;
    for (char c : name)
        if (!is_name_char(c)) return false;
    return name.find("..") == std::string_view::npos && name.find("//") == std::string_view::npos;
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// If-None-Match (RFC 9110 13.1.2): "*" or a list of entity tags, compared weakly (W/ ignored).
bool none_match_hits(const http::Request& req, std::string_view etag) {
    const std::string* header = req.header("If-None-Match");
    if (!header) return false;
    std::string_view rest = *header;
    while (!rest.empty()) {
        auto comma = rest.find(',');
        std::string_view tag = trimmed(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
        if (tag.starts_with("W/")) tag.remove_prefix(2);
        if (tag == "*" || tag == etag) return true;
    }
    return false;
}

void redirect(http::Response& res, int status, const char* location) {
    res.status = status;
    res.headers.emplace("Location", location);
}

void serve_asset(const ui::Asset& asset, const http::Request& req, http::Response& res) {
    res.headers.emplace("ETag", std::string(asset.etag));
    res.headers.emplace("Cache-Control", "no-cache");
    if (none_match_hits(req, asset.etag)) {
        res.status = 304;
        return;
    }
    res.status = 200;
    res.headers.emplace("Content-Type", std::string(asset.content_type));
    res.body = asset.bytes;  // the server leaves it out for HEAD, keeping its Content-Length
}

}  // namespace

bool is_ui_path(std::span<const ui::Asset> assets, std::string_view path) {
    if (path == "/ui" || path.starts_with(kPrefix)) return true;
    return path == "/" && !assets.empty();
}

void serve_ui(std::span<const ui::Asset> assets, const http::Request& req, http::Response& res) {
    for (const auto& [name, value] : kSecurityHeaders)
        res.headers.emplace(name, value);
    if (assets.empty())
        return reply_error(
            res, 404, "API_ERROR",
            "The dashboard was not built (droverd was configured with -DDROVER_UI=OFF)", "ui");
    if (req.method != "GET" && req.method != "HEAD") {
        res.headers.emplace("Allow", "GET, HEAD");
        return reply_error(res, 405, "MethodNotAllowed", "Use GET", "ui");
    }
    if (req.path == "/") return redirect(res, 302, "/ui/");
    if (req.path == "/ui") return redirect(res, 301, "/ui/");
    std::string_view name = std::string_view(req.path).substr(kPrefix.size());
    if (name.empty()) name = "index.html";
    const ui::Asset* asset = is_plain_name(name) ? ui::find_asset(assets, name) : nullptr;
    if (!asset) return reply_error(res, 404, "API_ERROR", "No such dashboard file", "ui");
    serve_asset(*asset, req, res);
}

}  // namespace drover::api_routes
