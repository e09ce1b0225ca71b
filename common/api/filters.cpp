// Parsing of the list-query language (spec 6.2); evaluation is in filter_eval.cpp.
#include "common/api/filters.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <string_view>

#include "common/api/clip.hpp"
#include "common/api/filter_values.hpp"
#include "common/api/safe_regex.hpp"
#include "common/rules/utf8.hpp"

namespace drover::api {

namespace {

struct OpInfo {
    std::string_view name;
    FilterOp op;
    std::size_t min_args;
    std::size_t max_args;  // 1 means "everything in the parentheses, verbatim"
};

constexpr std::size_t kMany = static_cast<std::size_t>(-1);

constexpr std::array<OpInfo, 11> kOps{{
    {"Eq", FilterOp::Eq, 1, 1},
    {"Ne", FilterOp::Ne, 1, 1},
    {"Lt", FilterOp::Lt, 1, 1},
    {"Lte", FilterOp::Lte, 1, 1},
    {"Gt", FilterOp::Gt, 1, 1},
    {"Gte", FilterOp::Gte, 1, 1},
    {"Re", FilterOp::Re, 1, 1},
    {"Between", FilterOp::Between, 2, 2},
    {"Except", FilterOp::Except, 2, 2},
    {"In", FilterOp::In, 1, kMany},
    {"Nin", FilterOp::Nin, 1, kMany},
}};

constexpr std::array<std::string_view, 11> kReserved{
    "offset", "limit", "sort",  "reverse",   "slim",   "params",
    "decode", "force", "token", "aggregate", "dryrun",
};

bool is_reserved(std::string_view key) {
    return std::find(kReserved.begin(), kReserved.end(), key) != kReserved.end();
}

Unexpected<FilterError> fail(std::string message) {
    return unexpected(FilterError{std::move(message)});
}

Expected<IndexKind, FilterError> resolve_index(const IndexSchema& schema, const std::string& key) {
    if (auto it = schema.indexes.find(key); it != schema.indexes.end()) return it->second;
    if (schema.unknown) {
        if (auto kind = schema.unknown(key)) return *kind;
    }
    return fail("Unknown index " + clip(key));
}

// "Op(args)" with a known Op -> that op and the text inside; anything else -> Eq and the value.
std::pair<const OpInfo*, std::string_view> split_op(std::string_view value) {
    auto open = value.find('(');
    if (open != std::string_view::npos && value.back() == ')') {
        auto name = value.substr(0, open);
        for (const auto& info : kOps)
            if (info.name == name) return {&info, value.substr(open + 1, value.size() - open - 2)};
    }
    return {&kOps[0], value};
}

Expected<std::vector<std::string_view>, std::string> split_args(const OpInfo& info,
                                                                std::string_view inside) {
    if (info.max_args == 1) return std::vector<std::string_view>{inside};
    auto count = static_cast<std::size_t>(std::count(inside.begin(), inside.end(), ',')) + 1;
    if (count > kMaxFilterArgs)
        return unexpected("at most " + std::to_string(kMaxFilterArgs) + " arguments allowed");
    if (count < info.min_args || count > info.max_args)
        return unexpected(std::string(info.name) + " takes exactly " +
                          std::to_string(info.min_args) + " arguments, got " +
                          std::to_string(count));
    std::vector<std::string_view> args;
    args.reserve(count);
    for (std::size_t start = 0;;) {
        auto comma = inside.find(',', start);
        args.push_back(inside.substr(start, comma - start));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return args;
}

Expected<FilterTerm, std::string> parse_term(IndexKind kind, std::string_view value) {
    auto [info, inside] = split_op(value);
    FilterTerm term;
    term.op = info->op;
    if (term.op == FilterOp::Re) {
        auto re = compile_filter_regex(inside);
        if (!re) return unexpected(re.error());
        term.regex = std::move(*re);
        return term;
    }
    auto args = split_args(*info, inside);
    if (!args) return unexpected(args.error());
    term.args.reserve(args->size());
    for (auto arg : *args) {
        auto v = parse_index_arg(kind, arg);
        if (!v) return unexpected(v.error());
        term.args.push_back(std::move(*v));
    }
    return term;
}

std::string shown(const std::string& key, const std::string& value) {
    return clip(key) + "=" + clip(value);
}

Expected<FilterClause, FilterError> parse_clause(const IndexSchema& schema, const QueryParams& q,
                                                 const std::string& key) {
    auto kind = resolve_index(schema, key);
    if (!kind) return unexpected(kind.error());
    FilterClause clause{key, *kind, {}};
    auto [begin, end] = q.equal_range(key);
    for (auto it = begin; it != end; ++it) {
        auto term = parse_term(*kind, it->second);
        if (!term) return fail("Invalid filter " + shown(key, it->second) + ": " + term.error());
        clause.any_of.push_back(std::move(*term));
    }
    return clause;
}

Expected<std::size_t, FilterError> parse_count(const std::string& key, const std::string& v) {
    std::size_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size())
        return fail(key + " must be a non-negative integer, got \"" + clip(v, 64) + "\"");
    return n;
}

Expected<bool, FilterError> parse_flag(const std::string& key, const std::string& v) {
    if (v.empty() || v == "true" || v == "1") return true;
    if (v == "false" || v == "0") return false;
    return fail(key + " must be true or false, got \"" + clip(v, 64) + "\"");
}

std::vector<std::string> comma_list(const std::string& v) {
    std::vector<std::string> out;
    for (std::size_t start = 0; start <= v.size();) {
        auto comma = std::min(v.find(',', start), v.size());
        if (comma > start) out.push_back(v.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

// One reserved key's value into `opts`; the caller has checked that only `sort` repeats.
std::optional<FilterError> parse_option(const IndexSchema& schema, const std::string& key,
                                        const std::string& v, ListOptions& opts) {
    auto set_count = [&](std::optional<std::size_t>& field) -> std::optional<FilterError> {
        auto n = parse_count(key, v);
        if (!n) return n.error();
        field = *n;
        return std::nullopt;
    };
    auto set_flag = [&](bool& field) -> std::optional<FilterError> {
        auto b = parse_flag(key, v);
        if (!b) return b.error();
        field = *b;
        return std::nullopt;
    };
    if (key == "offset") return set_count(opts.offset);
    if (key == "limit") return set_count(opts.limit);
    if (key == "reverse") return set_flag(opts.reverse);
    if (key == "decode") return set_flag(opts.decode);
    if (key == "force") return set_flag(opts.force);
    if (key == "aggregate") return set_flag(opts.aggregate);
    if (key == "dryrun") return set_flag(opts.dryrun);
    if (key == "slim") opts.slim = comma_list(v);
    if (key == "params") opts.params = comma_list(v);
    if (key == "token") opts.token = v;
    if (key == "sort") {
        auto kind = resolve_index(schema, v);
        if (!kind) return FilterError{"Cannot sort: " + kind.error().message};
        opts.sort.push_back({v, *kind});
    }
    return std::nullopt;
}

}  // namespace

Expected<FilterSpec, FilterError> parse_list_query(const QueryParams& query,
                                                   const IndexSchema& schema) {
    std::size_t terms = 0;
    for (const auto& [key, value] : query) {
        // Stored strings are JSON, so valid UTF-8: an invalid key or value is a mistake, not a
        // filter that matches nothing.
        if (rules::valid_utf8_prefix(key) != key.size() ||
            rules::valid_utf8_prefix(value) != value.size())
            return fail("the query is not valid UTF-8");
        if (!is_reserved(key) && ++terms > kMaxFilterTerms)
            return fail("at most " + std::to_string(kMaxFilterTerms) + " filter terms allowed");
    }
    FilterSpec spec;
    for (auto it = query.begin(); it != query.end(); it = query.upper_bound(it->first)) {
        const auto& key = it->first;
        if (!is_reserved(key)) {
            auto clause = parse_clause(schema, query, key);
            if (!clause) return unexpected(clause.error());
            spec.all_of.push_back(std::move(*clause));
            continue;
        }
        if (key != "sort" && query.count(key) > 1) return fail(key + " may be given only once");
        auto [begin, end] = query.equal_range(key);
        for (auto v = begin; v != end; ++v)
            if (auto err = parse_option(schema, key, v->second, spec.options))
                return unexpected(std::move(*err));
    }
    return spec;
}

}  // namespace drover::api
