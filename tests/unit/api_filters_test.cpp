// The list-query language of spec 6.2: every op on every index kind, OR within a key, AND across
// keys, the reserved keys, unknown indexes, hostile input, and filter -> sort -> reverse ->
// offset -> limit in that order.
#include <catch2/catch.hpp>

#include <cctype>

#include "common/api/filters.hpp"
#include "common/api/safe_regex.hpp"

using namespace drover::api;
using nlohmann::json;

namespace {

const IndexSchema kJobs{{{"Uuid", IndexKind::Uuid},
                         {"Machine", IndexKind::Uuid},
                         {"Stage", IndexKind::String},
                         {"State", IndexKind::String},
                         {"Archived", IndexKind::Bool},
                         {"Current", IndexKind::Bool},
                         {"Index", IndexKind::Int},
                         {"StartTime", IndexKind::Time}},
                        {}};

std::string uuid(int n) {
    return "abcdef00-0000-0000-0000-00000000000" + std::to_string(n);
}

json job(int n, const char* state, bool archived, const char* start, const char* stage) {
    return {{"Uuid", uuid(n)},      {"Machine", uuid(n % 2)}, {"State", state},
            {"Archived", archived}, {"Current", n == 3},      {"Index", n * 10},
            {"StartTime", start},   {"Stage", stage}};
}

// Five jobs in store (key) order.
std::vector<json> jobs() {
    return {
        job(1, "finished", true, "2024-01-01T00:00:00Z", "discover"),
        job(2, "failed", false, "2024-03-01T00:00:00Z", "install"),
        job(3, "running", false, "2024-02-01T00:00:00Z", "install"),
        job(4, "finished", false, "2023-12-31T23:59:59Z", "d.iscover"),
        job(5, "created", true, "2024-02-15T12:00:00Z", "local"),
    };
}

FilterSpec spec_of(const QueryParams& q, const IndexSchema& schema = kJobs) {
    auto spec = parse_list_query(q, schema);
    if (!spec) FAIL(spec.error().message);
    return *spec;
}

// Index values (n * 10) of the jobs the query lists, in order.
std::vector<int> listed(const QueryParams& q) {
    auto result = apply_list_query(spec_of(q), jobs());
    std::vector<int> out;
    for (const auto& item : result.items)
        out.push_back(item["Index"].get<int>() / 10);
    return out;
}

std::string error_of(const QueryParams& q, const IndexSchema& schema = kJobs) {
    auto spec = parse_list_query(q, schema);
    REQUIRE_FALSE(spec.has_value());
    return spec.error().message;
}

using V = std::vector<int>;

}  // namespace

TEST_CASE("filters: every op on an Int index compares numerically", "[api][filters][spec6.2]") {
    const std::pair<const char*, V> rows[] = {
        {"30", {3}},
        {"Eq(30)", {3}},
        {"Ne(30)", {1, 2, 4, 5}},
        {"Lt(30)", {1, 2}},
        {"Lte(30)", {1, 2, 3}},
        {"Gt(30)", {4, 5}},
        {"Gte(30)", {3, 4, 5}},
        {"Between(20,40)", {2, 3, 4}},
        {"Between(40,20)", {}},
        {"Except(20,40)", {1, 5}},
        {"In(10,50,70)", {1, 5}},
        {"Nin(10,50,70)", {2, 3, 4}},
        {"Re(^[13]0$)", {1, 3}},
        {"Lt(-5)", {}},
        {"Gt(9)", {1, 2, 3, 4, 5}},
    };
    for (const auto& [value, expected] : rows) {
        INFO(value);
        CHECK(listed({{"Index", value}}) == expected);
    }
    // 9 < 10 numerically even though "9" > "10" as text
    CHECK(listed({{"Index", "Lt(9)"}}).empty());
}

TEST_CASE("filters: every op on a String index compares bytewise", "[api][filters][spec6.2]") {
    const std::pair<const char*, V> rows[] = {
        {"install", {2, 3}},
        {"Ne(install)", {1, 4, 5}},
        {"Lt(install)", {1, 4}},  // "d.iscover" < "discover" < "install"
        {"Lte(install)", {1, 2, 3, 4}},
        {"Gt(install)", {5}},
        {"Gte(install)", {2, 3, 5}},
        {"Between(d,e)", {1, 4}},
        {"Except(d,e)", {2, 3, 5}},
        {"In(local,discover)", {1, 5}},
        {"Nin(local,discover)", {2, 3, 4}},
        {"Re(^d.?iscover$)", {1, 4}},  // '.' is a regex wildcard
        {"Re(^d\\.iscover$)", {4}},
        {"Re(xyz)", {}},
        {"Re(all)", {2, 3}},    // install
        {"Re(cal)", {5}},       // unanchored search, like re2's MatchString
        {"Eq(install,x)", {}},  // single-argument ops take the parentheses verbatim
        {"Foo(install)", {}},   // unknown op: a plain value "Foo(install)"
        {"", {}},
    };
    for (const auto& [value, expected] : rows) {
        INFO(value);
        CHECK(listed({{"Stage", value}}) == expected);
    }
}

// One row per op: the filter value and the jobs it lists.
static void check_rows(const std::string& index,
                       const std::vector<std::pair<std::string, V>>& rows) {
    for (const auto& [value, expected] : rows) {
        INFO(index << "=" << value);
        CHECK(listed({{index, value}}) == expected);
    }
}

TEST_CASE("filters: every op on a Time index", "[api][filters][spec6.2]") {
    const std::string t = "2024-02-01T00:00:00Z", lo = "2024-01-01T00:00:00Z",
                      hi = "2024-03-01T00:00:00Z";
    check_rows("StartTime", {{t, {3}},
                             {"Eq(" + t + ")", {3}},
                             {"Ne(" + t + ")", {1, 2, 4, 5}},
                             {"Lt(" + t + ")", {1, 4}},
                             {"Lte(" + t + ")", {1, 3, 4}},
                             {"Gt(" + t + ")", {2, 5}},
                             {"Gte(" + t + ")", {2, 3, 5}},
                             {"Re(^2024-02)", {3, 5}},
                             {"Between(" + lo + "," + t + ")", {1, 3}},
                             {"Except(" + lo + "," + t + ")", {2, 4, 5}},
                             {"In(" + lo + "," + hi + ")", {1, 2}},
                             {"Nin(" + lo + "," + hi + ")", {3, 4, 5}},
                             {"Lt(2024)", {4}}});  // a prefix sorts before the full stamp
}

TEST_CASE("filters: every op on a Bool index (false < true)", "[api][filters][spec6.2]") {
    check_rows("Archived", {{"true", {1, 5}},
                            {"Eq(false)", {2, 3, 4}},
                            {"Ne(true)", {2, 3, 4}},
                            {"Lt(true)", {2, 3, 4}},
                            {"Lte(false)", {2, 3, 4}},
                            {"Gt(false)", {1, 5}},
                            {"Gte(false)", {1, 2, 3, 4, 5}},
                            {"Re(^t)", {1, 5}},
                            {"Between(false,true)", {1, 2, 3, 4, 5}},
                            {"Between(true,true)", {1, 5}},
                            {"Except(false,false)", {1, 5}},
                            {"In(true,false)", {1, 2, 3, 4, 5}},
                            {"Nin(true)", {2, 3, 4}}});
    check_rows("Current", {{"true", {3}}});
}

TEST_CASE("filters: every op on a Uuid index (compared lowercased)", "[api][filters][spec6.2]") {
    const std::string u3 = uuid(3), u1 = uuid(1), u2 = uuid(2), u4 = uuid(4), u5 = uuid(5);
    std::string upper = u3;
    for (auto& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    check_rows("Uuid", {{u3, {3}},
                        {upper, {3}},  // any case of a canonical UUID finds it
                        {"Eq(" + u3 + ")", {3}},
                        {"Ne(" + u3 + ")", {1, 2, 4, 5}},
                        {"Lt(" + u3 + ")", {1, 2}},
                        {"Lte(" + u3 + ")", {1, 2, 3}},
                        {"Gt(" + u3 + ")", {4, 5}},
                        {"Gte(" + u3 + ")", {3, 4, 5}},
                        {"Re(3$)", {3}},
                        {"Between(" + u2 + "," + u4 + ")", {2, 3, 4}},
                        {"Except(" + u2 + "," + u4 + ")", {1, 5}},
                        {"In(" + u1 + "," + u5 + ")", {1, 5}},
                        {"Nin(" + u1 + "," + u5 + ")", {2, 3, 4}}});
    check_rows("Machine", {{u1, {1, 3, 5}}, {"Ne(" + u1 + ")", {2, 4}}});
}

TEST_CASE("filters: values of one key are OR-ed, different keys AND-ed",
          "[api][filters][spec6.2]") {
    CHECK(listed({{"State", "finished"}, {"State", "failed"}}) == V{1, 2, 4});
    CHECK(listed({{"State", "finished"}, {"Archived", "false"}}) == V{4});
    CHECK(listed({{"State", "finished"}, {"State", "running"}, {"Archived", "false"}}) == V{3, 4});
    CHECK(listed({{"Index", "Gt(10)"}, {"Index", "Lt(50)"}}) == V{1, 2, 3, 4, 5});  // OR!
    CHECK(listed({{"Index", "Between(20,40)"}, {"Stage", "install"}}) == V{2, 3});
    CHECK(listed({}) == V{1, 2, 3, 4, 5});
}

TEST_CASE("filters: objects without the index or with an unusable value never match",
          "[api][filters][spec6.2]") {
    std::vector<json> items{{{"Name", "a"}, {"Index", "7"}},  // a numeric string still counts
                            {{"Name", "b"}},                  // no Index
                            {{"Name", "c"}, {"Index", "seven"}},
                            {{"Name", "d"}, {"Index", 7.5}},
                            {{"Name", "e"}, {"Index", nullptr}}};
    auto names = [&](const QueryParams& q) {
        std::vector<std::string> out;
        for (const auto& item : apply_list_query(spec_of(q), items).items)
            out.push_back(item["Name"]);
        return out;
    };
    using S = std::vector<std::string>;
    CHECK(names({{"Index", "7"}}) == S{"a"});
    CHECK(names({{"Index", "Ne(1)"}}) == S{"a", "d"});  // Ne does not match a missing value
    CHECK(names({{"Index", "Nin(1)"}}) == S{"a", "d"});
    CHECK(names({{"Index", "Gt(7)"}}) == S{"d"});                     // 7.5 > 7
    CHECK(names({{"sort", "Index"}}) == S{"b", "c", "e", "a", "d"});  // missing sorts first
}

TEST_CASE("filters: filter, sort, reverse, offset, limit in that order",
          "[api][filters][spec6.2]") {
    CHECK(listed({{"sort", "StartTime"}}) == V{4, 1, 3, 5, 2});
    CHECK(listed({{"sort", "StartTime"}, {"reverse", "true"}}) == V{2, 5, 3, 1, 4});
    CHECK(listed({{"reverse", "true"}}) == V{5, 4, 3, 2, 1});  // store order, flipped
    CHECK(listed({{"sort", "Stage"}, {"sort", "Index"}, {"reverse", ""}}) == V{5, 3, 2, 1, 4});
    CHECK(listed({{"sort", "State"}}) == V{5, 2, 1, 4, 3});  // ties keep store order
    CHECK(listed({{"sort", "StartTime"}, {"offset", "1"}, {"limit", "2"}}) == V{1, 3});
    CHECK(listed({{"sort", "StartTime"}, {"reverse", "1"}, {"offset", "3"}}) == V{1, 4});
    CHECK(listed({{"offset", "9"}}).empty());
    CHECK(listed({{"limit", "0"}}).empty());
    CHECK(listed({{"limit", "99"}}) == V{1, 2, 3, 4, 5});

    auto result = apply_list_query(
        spec_of({{"Archived", "false"}, {"sort", "Index"}, {"offset", "1"}, {"limit", "1"}}),
        jobs());
    CHECK(result.total == 5);
    CHECK(result.filtered == 3);
    REQUIRE(result.items.size() == 1);
    CHECK(result.items[0]["Index"] == 30);
}

TEST_CASE("filters: reserved keys are options, not filters", "[api][filters][spec6.2]") {
    auto spec = spec_of({{"offset", "2"},
                         {"limit", "10"},
                         {"sort", "State"},
                         {"sort", "Index"},
                         {"reverse", "false"},
                         {"slim", "Params,Meta"},
                         {"params", "a,,b"},
                         {"decode", "true"},
                         {"force", ""},
                         {"aggregate", "1"},
                         {"dryrun", "0"},
                         {"token", "abc"}});
    CHECK(spec.all_of.empty());
    const auto& o = spec.options;
    CHECK(o.offset == 2u);
    CHECK(o.limit == 10u);
    REQUIRE(o.sort.size() == 2);
    CHECK(o.sort[0].index == "State");
    CHECK(o.sort[1].kind == IndexKind::Int);
    CHECK_FALSE(o.reverse);
    CHECK(o.slim == std::vector<std::string>{"Params", "Meta"});
    CHECK(o.params == std::vector<std::string>{"a", "b"});
    CHECK(o.decode);
    CHECK(o.force);
    CHECK(o.aggregate);
    CHECK_FALSE(o.dryrun);
    CHECK(o.token == "abc");
    CHECK_FALSE(spec_of({}).options.offset.has_value());
}

TEST_CASE("filters: errors are values with clear messages", "[api][filters][spec6.2]") {
    const std::pair<QueryParams, const char*> rows[] = {
        {{{"Nope", "1"}}, "Unknown index Nope"},
        {{{"sort", "Nope"}}, "Cannot sort: Unknown index Nope"},
        {{{"Index", "abc"}}, R"(Invalid filter Index=abc: "abc" is not an integer)"},
        {{{"Index", "Lt(1.5)"}}, R"(Invalid filter Index=Lt(1.5): "1.5" is not an integer)"},
        {{{"Index", "In(1,x)"}}, R"(Invalid filter Index=In(1,x): "x" is not an integer)"},
        {{{"Archived", "yes"}}, R"(Invalid filter Archived=yes: "yes" is not true or false)"},
        {{{"Uuid", "Eq(m1)"}}, R"(Invalid filter Uuid=Eq(m1): "m1" is not a UUID)"},
        {{{"Index", "Between(1)"}},
         "Invalid filter Index=Between(1): Between takes exactly 2 arguments, got 1"},
        {{{"Index", "Except(1,2,3)"}},
         "Invalid filter Index=Except(1,2,3): Except takes exactly 2 arguments, got 3"},
        {{{"Stage", "Re(a(b)"}},
         "Invalid filter Stage=Re(a(b): Invalid regex \"a(b\": missing ): a(b"},
        {{{"offset", "-1"}}, R"(offset must be a non-negative integer, got "-1")"},
        {{{"limit", "ten"}}, R"(limit must be a non-negative integer, got "ten")"},
        {{{"limit", ""}}, R"(limit must be a non-negative integer, got "")"},
        {{{"limit", "1"}, {"limit", "2"}}, "limit may be given only once"},
        {{{"reverse", "yes"}}, R"(reverse must be true or false, got "yes")"},
    };
    for (const auto& [query, message] : rows) {
        INFO(message);
        CHECK(error_of(query) == message);
    }
}

TEST_CASE("filters: unknown keys can be accepted by the caller (params)",
          "[api][filters][spec6.2]") {
    // Machines and profiles treat an unknown key as a param name (spec 6.2): the schema says
    // what kind it is, the reader fetches it from Params.
    IndexSchema machines{{{"Name", IndexKind::String}},
                         [](const std::string&) { return IndexKind::String; }};
    IndexReader reader = [](const json& obj, const std::string& key) -> std::optional<json> {
        if (obj.contains(key)) return obj[key];
        auto params = obj.find("Params");
        if (params != obj.end() && params->contains(key)) return (*params)[key];
        return std::nullopt;
    };
    std::vector<json> items{
        {{"Name", "m1"}, {"Params", {{"env", "prod"}, {"n", 3}, {"o", {{"k", 1}}}}}},
        {{"Name", "m2"}, {"Params", {{"env", "dev"}}}},
    };
    auto names = [&](const QueryParams& q) {
        std::vector<std::string> out;
        auto spec = parse_list_query(q, machines);
        REQUIRE(spec);
        for (const auto& item : apply_list_query(*spec, items, reader).items)
            out.push_back(item["Name"]);
        return out;
    };
    using S = std::vector<std::string>;
    CHECK(names({{"env", "prod"}}) == S{"m1"});
    CHECK(names({{"env", "Ne(prod)"}}) == S{"m2"});
    CHECK(names({{"n", "3"}}) == S{"m1"});  // non-strings compare as their JSON text
    CHECK(names({{"o", R"({"k":1})"}}) == S{"m1"});
    CHECK(names({{"sort", "env"}}) == S{"m2", "m1"});
    // a handler can still refuse some keys
    IndexSchema picky{{}, [](const std::string& key) -> std::optional<IndexKind> {
                          if (key.rfind("Meta.", 0) == 0) return IndexKind::String;
                          return std::nullopt;
                      }};
    CHECK(parse_list_query({{"Meta.color", "red"}}, picky).has_value());
    CHECK(error_of({{"color", "red"}}, picky) == "Unknown index color");
}

TEST_CASE("filters: hostile input is bounded", "[api][filters][spec6.2]") {
    QueryParams many;
    for (std::size_t i = 0; i < kMaxFilterTerms; ++i)
        many.emplace("Stage", "s" + std::to_string(i));
    many.emplace("limit", "1");  // reserved keys do not count as terms
    CHECK(parse_list_query(many, kJobs).has_value());
    many.emplace("State", "x");
    CHECK(error_of(many) == "at most 1000 filter terms allowed");

    // Stored strings are valid UTF-8: an invalid key or value is refused, not matched against.
    CHECK(error_of({{"Stage", "a\xff"}}) == "the query is not valid UTF-8");
    CHECK(error_of({{"Stage", "Eq(\xc3\x28)"}}) == "the query is not valid UTF-8");
    CHECK(error_of({{"\xc0\xaf", "x"}}) == "the query is not valid UTF-8");
    CHECK(error_of({{"sort", "\xed\xa0\x80"}}) == "the query is not valid UTF-8");

    std::string args = "In(0";
    for (std::size_t i = 1; i < kMaxFilterArgs; ++i)
        args += "," + std::to_string(i);
    CHECK(listed({{"Index", args + ")"}}) == V{1, 2, 3, 4, 5});
    CHECK(error_of({{"Index", args + ",1)"}}).ends_with(": at most 10000 arguments allowed"));

    std::string long_re(kMaxRegexLength, 'a');
    CHECK(parse_list_query({{"Stage", "Re(" + long_re + ")"}}, kJobs).has_value());
    CHECK(error_of({{"Stage", "Re(" + long_re + "a)"}}).ends_with("longer than 1024 characters"));
    // A huge value is echoed only in part.
    CHECK(error_of({{"Index", std::string(100000, 'x')}}).size() < 400);
    // ... and cut on a character boundary, so the message is still valid UTF-8 for a JSON body
    std::string accents;
    for (int i = 0; i < 1000; ++i)
        accents += "\xC3\xA9";  // U+00E9, two bytes
    for (const auto& msg : {error_of({{"Index", "x" + accents}}), error_of({{accents, "1"}})}) {
        CHECK(msg.size() < 400);
        CHECK_NOTHROW(json(msg).dump());
    }
}

TEST_CASE("safe_regex: Go's syntax on RE2, in linear time whatever the pattern",
          "[api][filters][spec6.2]") {
    // Shapes that backtrack exponentially on std::regex (once refused) are Go patterns too.
    for (const char* ok : {"^d-.*$", "a+b*c?", "(ab)+", "(?:foo|bar)baz", "[(+*]+", "\\(a+\\)+",
                           "a{2,5}", "x{1000}", "(a)(b)*", "a*?", "(a|b)c+", "a|b*", "(a+)+$",
                           "(a|aa)*", "(?P<n>a)", "(?i)abc", "\\d+\\z"}) {
        INFO(ok);
        CHECK(compile_filter_regex(ok).has_value());
    }
    const std::pair<const char*, const char*> bad[] = {
        {"a(b", "missing ): a(b"},
        {"a{1001}", "invalid repetition size: {1001}"},
        {"(a)\\1", "invalid escape sequence: \\1"},  // no backreferences, as in Go
        // Found by tests/fuzz/filters_fuzz: libstdc++ backtracked on this for minutes.
        {"g*****************************************+$e", "bad repetition operator: **"},
    };
    for (const auto& [pattern, why] : bad) {
        INFO(pattern);
        auto re = compile_filter_regex(pattern);
        REQUIRE_FALSE(re.has_value());
        CHECK(re.error() == std::string("Invalid regex \"") + pattern + "\": " + why);
    }
    // Long subjects: std::regex recursed per character (so subjects were cut at 1 KiB) and
    // backtracked exponentially on the second pattern; RE2 needs neither bound.
    std::string many(1u << 20, 'a');
    auto end_a = compile_filter_regex("a$");
    REQUIRE(end_a);
    CHECK((*end_a)->matches(many));
    auto nested = compile_filter_regex("(a+)+$");
    REQUIRE(nested);
    CHECK_FALSE((*nested)->matches(many + "b"));
    CHECK((*nested)->matches("xa"));
}
