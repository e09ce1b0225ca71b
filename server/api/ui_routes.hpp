// The dashboard at /ui/ (issue 11): its embedded files (server/ui) over GET and HEAD, revalidated
// by ETag, every answer under /ui with the same security headers (a strict same-origin CSP).
// The files hold no data: the dashboard reads everything through /api/v3 with its user's own
// credentials, so the router serves them without authentication (router.cpp decides it there).
#pragma once
#include <span>
#include <string_view>

#include "server/http/http_server.hpp"
#include "server/ui/ui_assets.hpp"

namespace drover::api_routes {

// /ui, /ui/<file>, and / once the dashboard is built (it redirects there; otherwise / is left to
// the API's 404 as before).
bool is_ui_path(std::span<const ui::Asset> assets, std::string_view path);

// Answers a request for which is_ui_path holds, from `assets` (ui::embedded_assets() in droverd).
void serve_ui(std::span<const ui::Asset> assets, const http::Request& req, http::Response& res);

}  // namespace drover::api_routes
