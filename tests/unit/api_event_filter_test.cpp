// Event subscription filters (spec 6.6): type.action.key with '*', comma lists and the Go
// client's escapes, the key keeping its dots, FilterSet OR-ing, and the bus's index keys.
#include <catch2/catch.hpp>

#include <unordered_map>

#include "common/api/event_filter.hpp"

using namespace drover::api;

namespace {

EventFilter parse_ok(std::string_view text) {
    auto f = parse_event_filter(text);
    INFO(text);
    REQUIRE(f.has_value());
    return *f;
}

const char* const kUuid = "3e2bd9a4-0a3c-4f0e-9a55-1d1c1b7e0f42";

}  // namespace

TEST_CASE("event filters: exact parts and wildcards", "[api][event_filter][spec6.6]") {
    auto agent = parse_ok(std::string("machines.update.") + kUuid);  // what the agent registers
    CHECK(matches(agent, "machines", "update", kUuid));
    CHECK_FALSE(matches(agent, "machines", "save", kUuid));
    CHECK_FALSE(matches(agent, "machines", "update", "other"));
    CHECK_FALSE(matches(agent, "Machines", "update", kUuid));  // case-sensitive

    const std::tuple<const char*, const char*, const char*, const char*, bool> rows[] = {
        {"*.*.*", "profiles", "save", "global", true},
        {"machines.*.*", "machines", "delete", "x", true},
        {"machines.*.*", "jobs", "create", "x", false},
        {"*.create.*", "jobs", "create", "j1", true},
        {"*.create.*", "jobs", "update", "j1", false},
        {"*.*.global", "profiles", "save", "global", true},
        {"jobs.create,update.*", "jobs", "update", "j", true},
        {"jobs.create,update.*", "jobs", "delete", "j", false},
        {"jobs,machines.*.*", "machines", "save", "m", true},
        {"stages.*.a,b,c", "stages", "update", "b", true},
        {"stages.*.a,b,c", "stages", "update", "d", false},
    };
    for (const auto& [text, type, action, key, expected] : rows) {
        INFO(text << " vs " << type << "." << action << "." << key);
        CHECK(matches(parse_ok(text), type, action, key) == expected);
    }
}

TEST_CASE("event filters: the key keeps its dots, escapes as in the Go client",
          "[api][event_filter][spec6.6]") {
    auto f = parse_ok("params.update.kernel.options");
    CHECK(f.key.values == std::vector<std::string>{"kernel.options"});
    CHECK(matches(f, "params", "update", "kernel.options"));
    CHECK_FALSE(matches(f, "params", "update", "kernel"));
    // \1 = '.', \2 = ',', \3 = '*', anywhere
    auto g = parse_ok(R"(my\1type.act.a\2b,c\3,x\1y)");
    CHECK(g.type.values == std::vector<std::string>{"my.type"});
    CHECK(g.key.values == std::vector<std::string>{"a,b", "c*", "x.y"});
    CHECK(matches(g, "my.type", "act", "c*"));
    CHECK_FALSE(matches(g, "my.type", "act", "c"));
    // a lone \3 is a literal '*', not a wildcard
    auto star = parse_ok(R"(a.b.\3)");
    CHECK(matches(star, "a", "b", "*"));
    CHECK_FALSE(matches(star, "a", "b", "x"));
    // other backslashes are literal
    CHECK(parse_ok(R"(a.b.c\d\)").key.values == std::vector<std::string>{R"(c\d\)"});
    CHECK(parse_ok("a.b.c").text == "a.b.c");
}

TEST_CASE("event filters: parse errors", "[api][event_filter][spec6.6]") {
    const std::pair<std::string, const char*> rows[] = {
        {"", "must be type.action.key"},
        {"machines", "must be type.action.key"},
        {"machines.update", "must be type.action.key"},
        {".update.x", "empty value in the type"},
        {"machines..x", "empty value in the action"},
        {"machines.update.", "empty value in the key"},
        {"machines.update.a,,b", "empty value in the key"},
        {"machines.update.a,", "empty value in the key"},
        {"machines.up*.x", R"(in the action: '*' must be a whole part (\3 is a literal *))"},
        {"machines.*,update.x", R"(in the action: '*' must be a whole part (\3 is a literal *))"},
        {"machines.update.**", R"(in the key: '*' must be a whole part (\3 is a literal *))"},
        {"a.b.c.*", R"(in the key: '*' must be a whole part (\3 is a literal *))"},
    };
    for (const auto& [text, why] : rows) {
        INFO(text);
        auto f = parse_event_filter(text);
        REQUIRE_FALSE(f.has_value());
        CHECK(f.error() == "Invalid event filter \"" + text + "\": " + why);
    }
    std::string big = "a.b." + std::string(kMaxEventFilterLength - 4, 'k');
    CHECK(parse_event_filter(big).has_value());
    auto e = parse_event_filter(big + "k");
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().ends_with(": longer than 4096 characters"));
    CHECK(e.error().size() < 200);
}

TEST_CASE("event filters: a FilterSet ORs its filters", "[api][event_filter][spec6.6]") {
    FilterSet set;
    CHECK(set.empty());
    CHECK_FALSE(set.matches("machines", "update", "m1"));  // nothing registered, nothing matches
    CHECK_FALSE(set.add("machines.update.m1"));
    CHECK_FALSE(set.add("machines.save.m1"));
    CHECK_FALSE(set.add("machines.save.m1"));  // same text: kept once
    CHECK(set.filters().size() == 2);
    CHECK(set.add("machines.update").value() ==
          "Invalid event filter \"machines.update\": must be type.action.key");
    CHECK(set.matches("machines", "update", "m1"));
    CHECK(set.matches("machines", "save", "m1"));
    CHECK_FALSE(set.matches("machines", "delete", "m1"));
    CHECK(set.remove("machines.update.m1"));
    CHECK_FALSE(set.remove("machines.update.m1"));
    CHECK_FALSE(set.matches("machines", "update", "m1"));
}

TEST_CASE("event filters: index keys let the bus find streams in O(1)",
          "[api][event_filter][spec6.6]") {
    using Keys = std::vector<EventKey>;
    CHECK(index_keys(parse_ok("machines.update.m1")) == Keys{{"machines", "m1"}});
    CHECK(index_keys(parse_ok("machines.*.m1")) == Keys{{"machines", "m1"}});  // action free
    CHECK(index_keys(parse_ok("jobs,machines.*.b,a")) ==
          Keys{{"jobs", "a"}, {"jobs", "b"}, {"machines", "a"}, {"machines", "b"}});
    CHECK_FALSE(index_keys(parse_ok("machines.update.*")));
    CHECK_FALSE(index_keys(parse_ok("*.update.m1")));

    std::string wide = "a";  // 40 types x 40 keys = 1600 pairs > kMaxEventIndexKeys
    for (int i = 1; i < 40; ++i)
        wide += "," + std::to_string(i);
    CHECK_FALSE(index_keys(parse_ok(wide + ".x." + wide)));
    CHECK(index_keys(parse_ok(wide + ".x.k"))->size() == 40);

    FilterSet set;
    set.add("machines.update.m1");
    set.add("machines.save.m1");
    set.add("jobs.*.j1");
    CHECK(set.index_keys() == Keys{{"jobs", "j1"}, {"machines", "m1"}});
    set.add("profiles.*.*");
    CHECK_FALSE(set.index_keys());

    // How the bus uses it: file each stream under its keys, look events up by (Type, Key).
    std::unordered_map<EventKey, std::vector<int>, EventKeyHash> streams;
    FilterSet a, b;
    a.add("machines.update.m1");
    b.add("machines.*.m2,m1");
    for (auto [id, fs] : {std::pair{1, &a}, std::pair{2, &b}}) {
        auto keys = fs->index_keys();
        REQUIRE(keys);
        for (const auto& key : *keys)
            streams[key].push_back(id);
    }
    CHECK(streams[{"machines", "m1"}] == std::vector<int>{1, 2});
    CHECK(streams[{"machines", "m2"}] == std::vector<int>{2});
    CHECK(streams.count({"machines", "m3"}) == 0);
}
