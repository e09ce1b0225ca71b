// Event subscription filters (common/api/event_filter, spec 6.6). Input: one filter per line, all
// registered in one FilterSet as a stream would. Properties beyond not crashing: a refused
// filter says why; a parsed one keeps its text and has no empty value; each combination of its
// values matches it, and is filed under the index keys the bus would look it up by; removing
// every filter empties the set.
#include <algorithm>
#include <string>
#include <vector>

#include "common/api/event_filter.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace drover::api;

namespace {

const std::vector<std::string>& sample(const EventFilterPart& part) {
    static const std::vector<std::string> any_value{"machines"};
    return part.any ? any_value : part.values;
}

void check_filter(const EventFilter& f, std::string_view text, const FilterSet& set) {
    FUZZ_CHECK(f.text == text, "a filter keeps its text");
    for (const auto* part : {&f.type, &f.action, &f.key}) {
        FUZZ_CHECK(part->any != !part->values.empty(), "a part is '*' or a list of values");
        for (const auto& v : part->values)
            FUZZ_CHECK(!v.empty(), "values are never empty");
    }
    auto keys = index_keys(f);
    auto set_keys = set.index_keys();
    for (const auto& type : sample(f.type)) {
        for (const auto& key : sample(f.key)) {
            const auto& action = sample(f.action).front();
            FUZZ_CHECK(matches(f, type, action, key), "the filter matches its own values");
            FUZZ_CHECK(set.matches(type, action, key), "the set matches its filters' values");
            EventKey k{type, key};
            if (keys)
                FUZZ_CHECK(std::binary_search(keys->begin(), keys->end(), k),
                           "a matching event is filed under the filter's index keys");
            if (set_keys)
                FUZZ_CHECK(std::binary_search(set_keys->begin(), set_keys->end(), k),
                           "a matching event is filed under the set's index keys");
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text = drover::fuzz::as_text(data, size);
    std::vector<std::string> lines;
    while (!text.empty()) {
        auto nl = text.find('\n');
        lines.emplace_back(text.substr(0, nl));
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    FilterSet set;
    for (const auto& line : lines) {
        auto err = set.add(line);
        if (err) FUZZ_CHECK(err->rfind("Invalid event filter \"", 0) == 0, "a refusal says why");
    }
    for (const auto& line : lines)
        if (auto f = parse_event_filter(line)) check_filter(*f, line, set);
    for (const auto& line : lines)
        set.remove(line);
    FUZZ_CHECK(set.empty(), "removing every filter empties the set");
    return 0;
}
