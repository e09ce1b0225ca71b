// The dashboard's files as droverd embeds them (server/ui/CMakeLists.txt builds them with tsc and
// generates the table): each with its path under /ui/, Content-Type and strong ETag. The table is
// sorted by path and lives for the whole program; it is empty when built with -DDROVER_UI=OFF.
#pragma once
#include <span>
#include <string_view>

namespace drover::ui {

struct Asset {
    std::string_view path;  // relative to /ui/, e.g. "index.html", "js/app.js"
    std::string_view content_type;
    std::string_view etag;  // quoted, as sent: "\"<hex>\""
    std::string_view bytes;
};

// The generated table (drover_ui_assets).
std::span<const Asset> embedded_assets();

// The asset at `path` in `assets`, or null.
const Asset* find_asset(std::span<const Asset> assets, std::string_view path);

}  // namespace drover::ui
