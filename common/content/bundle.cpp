#include "common/content/bundle.hpp"

namespace drover::content {

using model::Json;

const std::string& section_list() {
    static const std::string list = [] {
        std::string out;
        Bundle{}.for_each_section([&](const auto& section) {
            using T = typename std::decay_t<decltype(section)>::value_type;
            out += (out.empty() ? "" : ", ") + std::string(T::kPrefix);
        });
        return out;
    }();
    return list;
}

bool is_section(std::string_view name) {
    bool found = false;
    Bundle{}.for_each_section([&](const auto& section) {
        using T = typename std::decay_t<decltype(section)>::value_type;
        found = found || name == T::kPrefix;
    });
    return found;
}

std::string bundle_name(const Bundle& b) {
    auto it = b.meta.find("Name");
    return it != b.meta.end() && it->is_string() ? it->get<std::string>() : "";
}

Json to_document(const Bundle& b) {
    Json sections = Json::object();
    b.for_each_section([&](const auto& section) {
        using T = typename std::decay_t<decltype(section)>::value_type;
        if (section.empty()) return;
        Json& out = sections[T::kPrefix];
        for (const auto& obj : section)
            out[obj.key()] = model::encode(obj);
    });
    return {{"meta", b.meta}, {"sections", std::move(sections)}};
}

Json summary(const Bundle& b) {
    Json counts = Json::object();
    b.for_each_section([&](const auto& section) {
        using T = typename std::decay_t<decltype(section)>::value_type;
        if (!section.empty()) counts[T::kPrefix] = section.size();
    });
    return {{"meta", b.meta}, {"Counts", std::move(counts)}, {"Warnings", Json::array()}};
}

}  // namespace drover::content
