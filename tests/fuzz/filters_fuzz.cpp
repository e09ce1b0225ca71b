// The list-query language (common/api/filters, spec 6.2): the input is a raw query string
// ("Name=Re(^n)&CurrentTask=Between(0,3)&sort=Name&limit=2"), split on '&' and the first '=' as
// the HTTP layer splits it, parsed with the machines' indexes (unknown keys are params) and
// applied to a fixed set of machines whose members have mixed types. Properties beyond not
// crashing: errors say why; the counts are consistent; every listed item matches the filters;
// offset and limit are honoured.
#include <nlohmann/json.hpp>

#include "common/api/filters.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace drover::api;
using nlohmann::json;

namespace {

const IndexSchema& machine_schema() {
    static const IndexSchema schema{
        {{"Uuid", IndexKind::Uuid},
         {"Name", IndexKind::String},
         {"Stage", IndexKind::String},
         {"Runnable", IndexKind::Bool},
         {"CurrentTask", IndexKind::Int},
         {"CreatedAt", IndexKind::Time}},
        [](const std::string&) -> std::optional<IndexKind> { return IndexKind::String; }};
    return schema;
}

std::vector<json> machines() {
    static const json all = json::parse(R"([
      {"Uuid": "3e1d7c3a-8e3a-4f7a-9a64-0c2b5d1e9f10", "Name": "node1", "Stage": "discover",
       "Runnable": true, "CurrentTask": 1, "CreatedAt": "2024-01-01T00:00:00Z",
       "Params": {"rack": "r7", "n": 3}},
      {"Uuid": "3E1D7C3A-8E3A-4F7A-9A64-0C2B5D1E9F11", "Name": "node2", "Stage": "install",
       "Runnable": false, "CurrentTask": -1, "CreatedAt": "2023-12-31T23:59:59Z",
       "Params": {"rack": ["r7"], "n": 2.5}},
      {"Uuid": "not-a-uuid", "Name": 7, "Stage": null, "Runnable": "yes", "CurrentTask": 1.5,
       "CreatedAt": "yesterday", "Params": {"rack": null}},
      {"Name": "", "CurrentTask": 9223372036854775807, "Params": {}},
      {"Uuid": "00000000-0000-0000-0000-000000000000", "Name": "n\u00e9", "Stage": "local",
       "Runnable": false, "CurrentTask": -9223372036854775808, "Params": {"n": "3"}}])");
    return all.get<std::vector<json>>();
}

std::optional<json> read_member_or_param(const json& obj, const std::string& index) {
    if (auto it = obj.find(index); it != obj.end()) return *it;
    auto params = obj.find("Params");
    if (params == obj.end() || !params->is_object()) return std::nullopt;
    if (auto it = params->find(index); it != params->end()) return *it;
    return std::nullopt;
}

QueryParams split_query(std::string_view text) {
    QueryParams query;
    while (!text.empty()) {
        auto amp = text.find('&');
        std::string_view pair = text.substr(0, amp);
        auto eq = pair.find('=');
        query.emplace(std::string(pair.substr(0, eq)),
                      eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
        if (amp == std::string_view::npos) break;
        text.remove_prefix(amp + 1);
    }
    return query;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto spec = parse_list_query(split_query(drover::fuzz::as_text(data, size)), machine_schema());
    if (!spec) {
        FUZZ_CHECK(!spec.error().message.empty(), "a refused query says why");
        return 0;
    }
    IndexReader read = read_member_or_param;
    auto items = machines();
    auto result = apply_list_query(*spec, items, read);
    FUZZ_CHECK(result.total == items.size(), "total counts every item");
    FUZZ_CHECK(result.filtered <= result.total, "filtering only removes");
    FUZZ_CHECK(result.items.size() <= result.filtered, "the page is part of the filtered items");
    const auto& opt = spec->options;
    if (opt.limit) FUZZ_CHECK(result.items.size() <= *opt.limit, "limit is honoured");
    std::size_t skipped = std::min(opt.offset.value_or(0), result.filtered);
    if (!opt.limit)
        FUZZ_CHECK(result.items.size() == result.filtered - skipped, "offset skips exactly");
    for (const auto& item : result.items)
        FUZZ_CHECK(matches(*spec, item, read), "every listed item matches the filters");
    return 0;
}
