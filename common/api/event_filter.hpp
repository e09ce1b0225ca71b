// Event subscription filters (spec 6.6): `type.action.key`, each part `*` or a comma list of
// exact values with the Go client's escapes (\1 = '.', \2 = ',', \3 = '*'). A FilterSet is one
// stream's filters, OR-ed; index_keys lets the event bus wake only the streams an event concerns.
#pragma once
#include <compare>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/api/expected.hpp"

namespace drover::api {

inline constexpr std::size_t kMaxEventFilterLength = 4096;
// index_keys gives up (the filter is then checked against every event) above this many keys.
inline constexpr std::size_t kMaxEventIndexKeys = 1024;

struct EventFilterPart {
    bool any = false;                 // "*"
    std::vector<std::string> values;  // unescaped, compared exactly (case-sensitive)

    bool matches(std::string_view value) const;
    friend bool operator==(const EventFilterPart&, const EventFilterPart&) = default;
};

struct EventFilter {
    std::string text;  // as given, so deregister and acks can echo it
    EventFilterPart type;
    EventFilterPart action;
    EventFilterPart key;

    friend bool operator==(const EventFilter&, const EventFilter&) = default;
};

// Splits on the first two dots only, so the key keeps any further dots
// ("params.update.kernel.options" has key "kernel.options"); dots in the type or action must be
// written \1. A part is `*` or a comma list of non-empty values; `*` inside a value or a list is
// refused (write \3 for a literal '*'), as are a missing or empty part and texts longer than
// kMaxEventFilterLength. A backslash before anything but 1, 2 or 3 is literal, as in Go.
Expected<EventFilter, std::string> parse_event_filter(std::string_view text);

bool matches(const EventFilter& filter, std::string_view type, std::string_view action,
             std::string_view key);

// The bus's lookup key for an event: its Type and Key (Action is rarely selective).
struct EventKey {
    std::string type;
    std::string key;
    friend auto operator<=>(const EventKey&, const EventKey&) = default;
};

struct EventKeyHash {
    std::size_t operator()(const EventKey& k) const;
};

// Every (type, key) an event must have to match `filter`, so the bus can file the filter under
// each and find it with one hash lookup per event. nullopt when the type or key is `*` (or the
// lists would give more than kMaxEventIndexKeys pairs): check the filter against every event.
// A filter under its keys still needs matches() for the action.
std::optional<std::vector<EventKey>> index_keys(const EventFilter& filter);

// One stream's subscriptions, OR-ed. Filters are kept in the order added; adding the same text
// twice keeps one.
class FilterSet {
  public:
    // nullopt on success, else the parse error.
    std::optional<std::string> add(std::string_view text);
    // False if no filter with that text was registered.
    bool remove(std::string_view text);

    bool matches(std::string_view type, std::string_view action, std::string_view key) const;
    // The union of the filters' index keys; nullopt if any filter has none (wildcard).
    std::optional<std::vector<EventKey>> index_keys() const;

    const std::vector<EventFilter>& filters() const { return filters_; }
    bool empty() const { return filters_.empty(); }

  private:
    std::vector<EventFilter> filters_;
};

}  // namespace drover::api
