// The list-query language of spec 6.2: `GET /<prefix>?<Index>=<Op>(<args>)&sort=...&limit=...`.
// parse_list_query turns the query parameters into a FilterSpec (every error a value, input
// bounded), and apply_list_query filters, sorts, reverses, offsets and limits, in that order.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/api/expected.hpp"

namespace drover::api {

// Hostile-input bounds: filter terms per query (all values of all filter keys), arguments per
// term. Regex bounds live in safe_regex.hpp.
inline constexpr std::size_t kMaxFilterTerms = 1000;
inline constexpr std::size_t kMaxFilterArgs = 10000;

// How an index compares. Int: numerically (args must be integers). Bool: false < true, args
// "true"/"false". String and Time: bytewise (RFC 3339 UTC strings sort chronologically).
// Uuid: canonical 8-4-4-4-12 hex, compared lowercased.
enum class IndexKind { String, Int, Bool, Uuid, Time };

using IndexTable = std::map<std::string, IndexKind, std::less<>>;

// What an unknown filter or sort key means: a kind to treat it as, or nullopt to refuse it
// with "Unknown index <key>". Machines and profiles accept any key as a param name (spec 6.2).
using UnknownIndexHandler = std::function<std::optional<IndexKind>(const std::string& key)>;

struct IndexSchema {
    IndexTable indexes;
    UnknownIndexHandler unknown;  // empty: unknown keys are errors
};

// An index's value in one object; nullopt when the object has none (then no filter term
// matches it, Ne and Nin included, and it sorts before every value).
using IndexReader =
    std::function<std::optional<nlohmann::json>(const nlohmann::json& obj, const std::string&)>;

// The default reader: the top-level member named like the index ("Name", "Stage", ...).
IndexReader member_reader();

class FilterRegex;  // safe_regex.hpp

enum class FilterOp { Eq, Ne, Lt, Lte, Gt, Gte, Re, Between, Except, In, Nin };

// One typed comparison value; which alternative follows from the IndexKind (Int may also hold
// double for non-integral object values).
using IndexValue = std::variant<std::string, std::int64_t, double, bool>;

// One `<Index>=<value>`: the op with its arguments parsed for the index's kind.
struct FilterTerm {
    FilterOp op = FilterOp::Eq;
    std::vector<IndexValue> args;              // Re: empty
    std::shared_ptr<const FilterRegex> regex;  // Re only
};

// All values given for one key: OR-ed.
struct FilterClause {
    std::string index;
    IndexKind kind = IndexKind::String;
    std::vector<FilterTerm> any_of;
};

struct SortKey {
    std::string index;
    IndexKind kind = IndexKind::String;
};

// The reserved keys, which are never filters. Lists (`slim`, `params`) are comma-separated;
// booleans accept true/false/1/0 and an empty value for true; each may be given once, except
// `sort`, which may repeat (first = primary key).
struct ListOptions {
    std::optional<std::size_t> offset;
    std::optional<std::size_t> limit;
    std::vector<SortKey> sort;
    bool reverse = false;
    std::vector<std::string> slim;
    std::vector<std::string> params;
    bool decode = false;
    bool force = false;
    bool aggregate = false;
    bool dryrun = false;
    std::optional<std::string> token;
};

struct FilterSpec {
    std::vector<FilterClause> all_of;  // different keys: AND-ed
    ListOptions options;
};

// A query the server answers with 400: the message is the whole story ("Unknown index Foo",
// "Lt takes exactly 1 argument, got 2 in Age=Lt(1,2)", "offset must be a non-negative integer").
struct FilterError {
    std::string message;
};

// Query parameters as the HTTP layer has them; several values per key keep their order.
using QueryParams = std::multimap<std::string, std::string>;

// `<Index>=<v>` is Eq; `<Index>=<Op>(<args>)` with a known Op is that op. Single-argument ops
// (Eq Ne Lt Lte Gt Gte Re) take everything between the parentheses verbatim, so Eq(a,b)
// compares with "a,b" and regexes may contain commas; Between/Except take exactly two and
// In/Nin one or more comma-separated values (there is no escape for a comma inside a value).
// A value like "Foo(x)" whose Op is not known is a plain Eq value.
Expected<FilterSpec, FilterError> parse_list_query(const QueryParams& query,
                                                   const IndexSchema& schema);

// Does `obj` pass every clause?
bool matches(const FilterSpec& spec, const nlohmann::json& obj, const IndexReader& read);

struct ListResult {
    std::vector<nlohmann::json> items;  // the page
    std::size_t total = 0;              // every item given, before filtering
    std::size_t filtered = 0;           // after filtering, before offset and limit
};

// spec 6.2 order: filter, stable sort (items keep input order on ties), reverse, offset, limit.
// Without sort keys, input order is kept (the store's key order) and reverse flips it.
ListResult apply_list_query(const FilterSpec& spec, std::vector<nlohmann::json> items,
                            const IndexReader& read = member_reader());

// apply_list_query's selection as positions in `items`, for a caller that filters and sorts
// small projections of its objects (fields_of) and then loads only the page's whole objects.
struct PageSelection {
    std::vector<std::size_t> page;  // positions in the items given, in the page's order
    std::size_t total = 0;
    std::size_t filtered = 0;
};
PageSelection select_page(const FilterSpec& spec, const std::vector<nlohmann::json>& items,
                          const IndexReader& read = member_reader());

// The indexes a query filters or sorts by: all select_page reads of each item.
std::vector<std::string> fields_of(const FilterSpec& spec);

}  // namespace drover::api
