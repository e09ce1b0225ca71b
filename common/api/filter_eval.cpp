// Evaluation of parsed list queries (spec 6.2): filter, sort, reverse, offset, limit.
#include <algorithm>

#include "common/api/filter_values.hpp"
#include "common/api/filters.hpp"
#include "common/api/safe_regex.hpp"

namespace drover::api {

using nlohmann::json;

namespace {

bool term_matches(const FilterTerm& term, const IndexValue& v) {
    auto cmp = [&](std::size_t i) { return compare_values(v, term.args[i]); };
    auto equal_any = [&] {
        for (std::size_t i = 0; i < term.args.size(); ++i)
            if (cmp(i) == 0) return true;
        return false;
    };
    switch (term.op) {
        case FilterOp::Eq:
            return cmp(0) == 0;
        case FilterOp::Ne:
            return cmp(0) != 0;
        case FilterOp::Lt:
            return cmp(0) < 0;
        case FilterOp::Lte:
            return cmp(0) <= 0;
        case FilterOp::Gt:
            return cmp(0) > 0;
        case FilterOp::Gte:
            return cmp(0) >= 0;
        case FilterOp::Re:
            return term.regex->matches(text_of(v));
        case FilterOp::Between:
            return cmp(0) >= 0 && cmp(1) <= 0;
        case FilterOp::Except:
            return cmp(0) < 0 || cmp(1) > 0;
        case FilterOp::In:
            return equal_any();
        case FilterOp::Nin:
            return !equal_any();
    }
    return false;
}

bool clause_matches(const FilterClause& clause, const json& obj, const IndexReader& read) {
    auto raw = read(obj, clause.index);
    if (!raw) return false;
    auto v = index_value_of(clause.kind, *raw);
    if (!v) return false;
    return std::any_of(clause.any_of.begin(), clause.any_of.end(),
                       [&](const FilterTerm& t) { return term_matches(t, *v); });
}

using SortValues = std::vector<std::optional<IndexValue>>;

SortValues sort_values(const std::vector<SortKey>& keys, const json& obj, const IndexReader& read) {
    SortValues out;
    out.reserve(keys.size());
    for (const auto& key : keys) {
        auto raw = read(obj, key.index);
        out.push_back(raw ? index_value_of(key.kind, *raw) : std::nullopt);
    }
    return out;
}

// Missing values sort first, then by value, key by key.
bool sorts_before(const SortValues& a, const SortValues& b) {
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!a[i] || !b[i]) {
            if (a[i].has_value() != b[i].has_value()) return !a[i];
            continue;
        }
        if (int c = compare_values(*a[i], *b[i]); c != 0) return c < 0;
    }
    return false;
}

// Stable: positions that compare equal keep their order.
void sort_positions(std::vector<std::size_t>& positions, const std::vector<json>& items,
                    const std::vector<SortKey>& keys, const IndexReader& read) {
    std::vector<SortValues> values(items.size());
    for (auto i : positions)
        values[i] = sort_values(keys, items[i], read);
    std::stable_sort(positions.begin(), positions.end(), [&](std::size_t a, std::size_t b) {
        return sorts_before(values[a], values[b]);
    });
}

}  // namespace

IndexReader member_reader() {
    return [](const json& obj, const std::string& index) -> std::optional<json> {
        if (!obj.is_object()) return std::nullopt;
        auto it = obj.find(index);
        if (it == obj.end()) return std::nullopt;
        return *it;
    };
}

bool matches(const FilterSpec& spec, const json& obj, const IndexReader& read) {
    return std::all_of(spec.all_of.begin(), spec.all_of.end(),
                       [&](const FilterClause& c) { return clause_matches(c, obj, read); });
}

PageSelection select_page(const FilterSpec& spec, const std::vector<json>& items,
                          const IndexReader& read) {
    PageSelection result;
    result.total = items.size();
    std::vector<std::size_t> positions;
    for (std::size_t i = 0; i < items.size(); ++i)
        if (matches(spec, items[i], read)) positions.push_back(i);
    result.filtered = positions.size();
    const auto& opts = spec.options;
    if (!opts.sort.empty()) sort_positions(positions, items, opts.sort, read);
    if (opts.reverse) std::reverse(positions.begin(), positions.end());
    std::size_t first = std::min(opts.offset.value_or(0), positions.size());
    std::size_t count = std::min(opts.limit.value_or(positions.size()), positions.size() - first);
    auto begin = positions.begin() + static_cast<std::ptrdiff_t>(first);
    result.page.assign(begin, begin + static_cast<std::ptrdiff_t>(count));
    return result;
}

ListResult apply_list_query(const FilterSpec& spec, std::vector<json> items,
                            const IndexReader& read) {
    PageSelection selected = select_page(spec, items, read);
    ListResult result;
    result.total = selected.total;
    result.filtered = selected.filtered;
    result.items.reserve(selected.page.size());
    for (auto i : selected.page)
        result.items.push_back(std::move(items[i]));
    return result;
}

std::vector<std::string> fields_of(const FilterSpec& spec) {
    std::vector<std::string> out;
    for (const auto& clause : spec.all_of)
        out.push_back(clause.index);
    for (const auto& key : spec.options.sort)
        out.push_back(key.index);
    return out;
}

}  // namespace drover::api
