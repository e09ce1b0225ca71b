// spec 8: the precedence table, one row per level, each proved by removing the levels above it.
#include <catch2/catch.hpp>

#include "common/rules/param_precedence.hpp"
#include "map_catalog.hpp"

using namespace drover;
using namespace drover::rules;
using nlohmann::json;

namespace {

struct Fixture {
    testing::MapCatalog cat;
    model::Machine m;

    Fixture() {
        m.uuid = "m-uuid";
        m.stage = "st";
        m.profiles = {"p1", "p2"};
        m.params = {{"x", "machine"}};
        cat.add_profile("p1", {{"x", "p1"}}, {"p1-nested"});
        cat.add_profile("p1-nested", {{"x", "p1-nested"}});
        cat.add_profile("p2", {{"x", "p2"}});
        auto& st = cat.add_stage("st", {});
        st.params = {{"x", "stage"}};
        st.profiles = {"sp"};
        cat.add_profile("sp", {{"x", "stage-profile"}});
        cat.add_profile("global", {{"x", "global"}}, {"gp"});
        cat.add_profile("gp", {{"x", "global-profile"}});
        auto& def = cat.params["x"];
        def.name = "x";
        def.schema = {{"type", "string"}, {"default", "default"}};
    }
    std::string winner() {
        auto r = ParamResolver(m, cat).resolve("x");
        return r ? r->value.get<std::string>() : "<none>";
    }
};

}  // namespace

TEST_CASE("precedence: first hit wins, level by level", "[params][spec8]") {
    Fixture f;
    CHECK(f.winner() == "machine");
    f.m.params.clear();
    CHECK(f.winner() == "p1");
    f.cat.profiles["p1"].params.clear();
    CHECK(f.winner() == "p1-nested");  // a profile's nested profiles come before the next profile
    f.cat.profiles["p1-nested"].params.clear();
    CHECK(f.winner() == "p2");
    f.cat.profiles["p2"].params.clear();
    CHECK(f.winner() == "stage");
    f.cat.stages["st"].params.clear();
    CHECK(f.winner() == "stage-profile");
    f.cat.profiles["sp"].params.clear();
    CHECK(f.winner() == "global");
    f.cat.profiles["global"].params.clear();
    CHECK(f.winner() == "global-profile");
    f.cat.profiles["gp"].params.clear();
    CHECK(f.winner() == "default");
    f.cat.params.clear();
    CHECK(f.winner() == "<none>");
}

TEST_CASE("resolve reports where the value came from", "[params][spec8]") {
    Fixture f;
    f.m.params.clear();
    f.cat.profiles["p1"].params.clear();
    auto r = ParamResolver(f.m, f.cat).resolve("x");
    REQUIRE(r);
    CHECK(r->source.kind == ParamSourceKind::Profile);
    CHECK(r->source.name == "p1-nested");
    CHECK(to_string(ParamSourceKind::StageProfile) == "stage-profile");
}

TEST_CASE("aggregate: first hit per name, no schema defaults", "[params][spec8][spec6.3]") {
    Fixture f;
    f.cat.profiles["p2"].params["only-p2"] = 2;
    f.cat.profiles["global"].params["g"] = true;
    auto agg = ParamResolver(f.m, f.cat).aggregate();
    CHECK(agg.at("x").value == "machine");
    CHECK(agg.at("only-p2").value == 2);
    CHECK(agg.at("g").source.kind == ParamSourceKind::Global);
    f.m.params.clear();
    for (auto* p : {"p1", "p1-nested", "p2", "sp", "global", "gp"})
        f.cat.profiles[p].params.erase("x");
    f.cat.stages["st"].params.clear();
    CHECK_FALSE(ParamResolver(f.m, f.cat).aggregate().count("x"));  // only the default is left
}

TEST_CASE("missing profiles and stages are skipped, profile cycles terminate", "[params][spec8]") {
    Fixture f;
    f.m.profiles = {"ghost", "loop-a"};
    f.m.stage = "no-such-stage";
    f.m.params.clear();
    f.cat.add_profile("loop-a", {}, {"loop-b"});
    f.cat.add_profile("loop-b", {{"y", 1}}, {"loop-a"});
    ParamResolver r(f.m, f.cat);
    CHECK(r.resolve("y")->value == 1);
    CHECK(r.resolve("x")->value == "global");
}

TEST_CASE("compose merges across every level", "[params][spec7.2]") {
    Fixture f;
    f.m.params = {{"c", {{"a", 1}, {"list", {1}}}}};
    f.cat.profiles["p1"].params["c"] = {{"a", 2}, {"b", 2}, {"list", {1, 2}}};
    f.cat.profiles["global"].params["c"] = {{"deep", {{"k", "v"}}}};
    ParamResolver r(f.m, f.cat);
    auto hits = r.hits("c");
    REQUIRE(hits.size() == 3);
    CHECK(hits[1].source.kind == ParamSourceKind::Profile);
    auto c = compose_values(hits);
    REQUIRE(c);
    CHECK(*c == json{{"a", 1}, {"b", 2}, {"list", {1, 2}}, {"deep", {{"k", "v"}}}});
    CHECK(r.hits("nope").empty());
    CHECK_FALSE(compose_values(r.hits("nope")));
}
