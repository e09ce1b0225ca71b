// GenPatch (spec 6.2): what `drover <type> update` sends. Applying gen_patch(a, b) to a gives b;
// applying it to an a that someone else changed fails on a test op (a 409 from the server).
#include <catch2/catch.hpp>

#include <random>

#include "common/api/patch_gen.hpp"

using namespace drover::api;
using nlohmann::json;

namespace {

json apply_ok(const JsonPatch& patch, const json& doc) {
    auto out = patched(patch, doc);
    INFO(to_json(patch).dump());
    REQUIRE(out.has_value());
    return *out;
}

// Deterministic random JSON of bounded depth: objects are the interesting part for the diff.
json random_json(std::mt19937& rng, int depth) {
    std::uniform_int_distribution<int> kind(0, depth > 0 ? 6 : 3);
    std::uniform_int_distribution<int> small(0, 3);
    switch (kind(rng)) {
        case 0:
            return small(rng);
        case 1:
            return std::string(1, static_cast<char>('a' + small(rng)));
        case 2:
            return small(rng) % 2 == 0;
        case 3:
            return nullptr;
        case 4: {
            json a = json::array();
            for (int i = small(rng); i > 0; --i)
                a.push_back(random_json(rng, depth - 1));
            return a;
        }
        default: {
            json o = json::object();
            const char* keys[] = {"a", "b/c", "d~e", "", "0", "Params"};
            for (int i = small(rng) + 1; i > 0; --i)
                o[keys[rng() % 6]] = random_json(rng, depth - 1);
            return o;
        }
    }
}

}  // namespace

TEST_CASE("gen_patch: one changed leaf is test old + replace new", "[api][patch_gen][spec6.2]") {
    json a = R"({"Name":"m1","Stage":"none","Params":{"x":1}})"_json;
    json b = R"({"Name":"m1","Stage":"discover","Params":{"x":1}})"_json;
    CHECK(to_json(gen_patch(a, b)) == R"([{"op":"test","path":"/Stage","value":"none"},
        {"op":"replace","path":"/Stage","value":"discover"}])"_json);
    CHECK(gen_patch(a, a).ops.empty());
}

TEST_CASE("gen_patch: removed, added, nested and escaped keys", "[api][patch_gen][spec6.2]") {
    json a = R"({"Params":{"a/b":1,"gone":[1,2]},"Meta":{"x":"1"}})"_json;
    json b = R"({"Params":{"a/b":2,"new~":true},"Meta":{"x":"1"},"Tasks":["t"]})"_json;
    CHECK(to_json(gen_patch(a, b)) == R"([
        {"op":"test","path":"/Params/a~1b","value":1},
        {"op":"replace","path":"/Params/a~1b","value":2},
        {"op":"test","path":"/Params/gone","value":[1,2]},
        {"op":"remove","path":"/Params/gone"},
        {"op":"add","path":"/Params/new~0","value":true},
        {"op":"add","path":"/Tasks","value":["t"]}])"_json);
}

TEST_CASE("gen_patch: arrays and type changes are replaced whole", "[api][patch_gen][spec6.2]") {
    json a = R"({"Tasks":["a","b","c"],"Profiles":{"p":1},"Runnable":true})"_json;
    json b = R"({"Tasks":["a","c"],"Profiles":["p"],"Runnable":"yes"})"_json;
    CHECK(to_json(gen_patch(a, b)) == R"([
        {"op":"test","path":"/Profiles","value":{"p":1}},
        {"op":"replace","path":"/Profiles","value":["p"]},
        {"op":"test","path":"/Runnable","value":true},
        {"op":"replace","path":"/Runnable","value":"yes"},
        {"op":"test","path":"/Tasks","value":["a","b","c"]},
        {"op":"replace","path":"/Tasks","value":["a","c"]}])"_json);
    // numbers equal by value produce nothing
    CHECK(gen_patch(R"({"n":1})"_json, R"({"n":1.0})"_json).ops.empty());
    // non-object roots are replaced at ""
    CHECK(to_json(gen_patch(json{1, 2}, json{2})) == R"([{"op":"test","path":"","value":[1,2]},
        {"op":"replace","path":"","value":[2]}])"_json);
}

TEST_CASE("gen_patch: paranoid prepends a test of the whole old document",
          "[api][patch_gen][spec6.2]") {
    json a = R"({"Name":"m1","Params":{"x":1},"Description":"old"})"_json;
    json b = R"({"Name":"m1","Params":{"x":2},"Description":"old"})"_json;
    auto patch = gen_patch(a, b, true);
    REQUIRE(patch.ops.size() == 3);
    CHECK(to_json(patch.ops[0]) == json{{"op", "test"}, {"path", ""}, {"value", a}});
    CHECK(apply_ok(patch, a) == b);
    // an unrelated concurrent edit slips past the plain patch but not the paranoid one
    json other = a;
    other["Description"] = "edited elsewhere";
    json merged = apply_ok(gen_patch(a, b), other);
    CHECK(merged["Params"]["x"] == 2);
    CHECK(merged["Description"] == "edited elsewhere");
    auto failure = patched(patch, other);
    REQUIRE_FALSE(failure);
    CHECK(failure.error().op_index == 0);
    CHECK(failure.error().test_failed);
    // even an unchanged document yields the guard
    CHECK(gen_patch(a, a, true).ops.size() == 1);
}

TEST_CASE("gen_patch round-trips many shapes and detects concurrent edits",
          "[api][patch_gen][spec6.2]") {
    std::mt19937 rng(6902);
    int conflicts = 0;
    for (int i = 0; i < 500; ++i) {
        json a = random_json(rng, 4);
        json b = random_json(rng, 4);
        auto patch = gen_patch(a, b);
        INFO("a=" << a.dump() << " b=" << b.dump());
        CHECK(apply_ok(patch, a) == b);
        CHECK(apply_ok(gen_patch(a, b, true), a) == b);
        // The parsed wire form is the same patch (what the server will apply).
        auto reparsed = parse_patch(to_json(patch));
        REQUIRE(reparsed);
        CHECK(apply_ok(*reparsed, a) == b);
        // Change a value the patch tests: the patch must now fail on that test.
        for (std::size_t k = 0; k < patch.ops.size(); ++k) {
            const auto& op = patch.ops[k];
            if (op.kind != PatchOpKind::Test) continue;
            json edited = a;
            edited[json::json_pointer(op.path)] = json{{"concurrent", i}};
            auto failure = patched(patch, edited);
            REQUIRE_FALSE(failure);
            CHECK(failure.error().test_failed);
            CHECK(failure.error().op_index <= k);
            ++conflicts;
            break;
        }
    }
    CHECK(conflicts > 100);
}
