#include "common/api/event_filter.hpp"

#include "common/api/clip.hpp"

#include <algorithm>

namespace drover::api {

namespace {

Expected<std::string, std::string> unescape(std::string_view item) {
    std::string out;
    out.reserve(item.size());
    for (std::size_t i = 0; i < item.size(); ++i) {
        char c = item[i];
        if (c == '*')
            return unexpected(std::string("'*' must be a whole part (\\3 is a literal *)"));
        char next = i + 1 < item.size() ? item[i + 1] : '\0';
        if (c == '\\' && next >= '1' && next <= '3') {
            out += next == '1' ? '.' : next == '2' ? ',' : '*';
            ++i;
        } else {
            out += c;
        }
    }
    return out;
}

Expected<EventFilterPart, std::string> parse_part(std::string_view text, const char* name) {
    EventFilterPart part;
    if (text == "*") {
        part.any = true;
        return part;
    }
    for (std::size_t start = 0; start <= text.size();) {
        auto comma = std::min(text.find(',', start), text.size());
        auto item = text.substr(start, comma - start);
        if (item.empty()) return unexpected(std::string("empty value in the ") + name);
        auto value = unescape(item);
        if (!value) return unexpected(std::string("in the ") + name + ": " + value.error());
        part.values.push_back(std::move(*value));
        start = comma + 1;
    }
    return part;
}

}  // namespace

bool EventFilterPart::matches(std::string_view value) const {
    return any || std::find(values.begin(), values.end(), value) != values.end();
}

Expected<EventFilter, std::string> parse_event_filter(std::string_view text) {
    auto refuse = [&](const std::string& why) {
        return unexpected("Invalid event filter \"" + clip(text) + "\": " + why);
    };
    if (text.size() > kMaxEventFilterLength)
        return refuse("longer than " + std::to_string(kMaxEventFilterLength) + " characters");
    auto first = text.find('.');
    auto second = first == std::string_view::npos ? first : text.find('.', first + 1);
    if (second == std::string_view::npos) return refuse("must be type.action.key");
    EventFilter filter;
    filter.text = std::string(text);
    const std::pair<std::string_view, const char*> parts[] = {
        {text.substr(0, first), "type"},
        {text.substr(first + 1, second - first - 1), "action"},
        {text.substr(second + 1), "key"}};
    EventFilterPart* targets[] = {&filter.type, &filter.action, &filter.key};
    for (int i = 0; i < 3; ++i) {
        auto part = parse_part(parts[i].first, parts[i].second);
        if (!part) return refuse(part.error());
        *targets[i] = std::move(*part);
    }
    return filter;
}

bool matches(const EventFilter& filter, std::string_view type, std::string_view action,
             std::string_view key) {
    return filter.type.matches(type) && filter.action.matches(action) && filter.key.matches(key);
}

std::size_t EventKeyHash::operator()(const EventKey& k) const {
    std::size_t h = std::hash<std::string>{}(k.type);
    return h ^ (std::hash<std::string>{}(k.key) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

std::optional<std::vector<EventKey>> index_keys(const EventFilter& filter) {
    if (filter.type.any || filter.key.any) return std::nullopt;
    if (filter.type.values.size() * filter.key.values.size() > kMaxEventIndexKeys)
        return std::nullopt;
    std::vector<EventKey> keys;
    for (const auto& type : filter.type.values)
        for (const auto& key : filter.key.values)
            keys.push_back({type, key});
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    return keys;
}

std::optional<std::string> FilterSet::add(std::string_view text) {
    auto filter = parse_event_filter(text);
    if (!filter) return filter.error();
    auto same = [&](const EventFilter& f) { return f.text == text; };
    if (std::none_of(filters_.begin(), filters_.end(), same))
        filters_.push_back(std::move(*filter));
    return std::nullopt;
}

bool FilterSet::remove(std::string_view text) {
    return std::erase_if(filters_, [&](const EventFilter& f) { return f.text == text; }) > 0;
}

bool FilterSet::matches(std::string_view type, std::string_view action,
                        std::string_view key) const {
    return std::any_of(filters_.begin(), filters_.end(),
                       [&](const EventFilter& f) { return api::matches(f, type, action, key); });
}

std::optional<std::vector<EventKey>> FilterSet::index_keys() const {
    std::vector<EventKey> all;
    for (const auto& filter : filters_) {
        auto keys = api::index_keys(filter);
        if (!keys) return std::nullopt;
        all.insert(all.end(), keys->begin(), keys->end());
    }
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    return all;
}

}  // namespace drover::api
