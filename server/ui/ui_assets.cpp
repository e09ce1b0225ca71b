#include "server/ui/ui_assets.hpp"

#include <algorithm>

namespace drover::ui {

const Asset* find_asset(std::span<const Asset> assets, std::string_view path) {
    auto found = std::find_if(assets.begin(), assets.end(),
                              [path](const Asset& a) { return a.path == path; });
    return found == assets.end() ? nullptr : &*found;
}

}  // namespace drover::ui
