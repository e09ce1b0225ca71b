// RFC 6902 JSON Patch (spec 6.2): the RFC's appendix A examples, pointer rules, parse errors
// with their HTTP status, atomicity, hostile-input limits and DRP's 409 error messages.
#include <catch2/catch.hpp>

#include <random>

#include "common/api/json_patch.hpp"

using namespace drover::api;
using nlohmann::json;

namespace {

JsonPatch parse_ok(const json& doc) {
    auto p = parse_patch(doc);
    INFO(doc.dump());
    REQUIRE(p.has_value());
    return *p;
}

json apply_ok(json doc, const json& patch) {
    auto failure = apply_patch(parse_ok(patch), doc);
    INFO((failure ? failure->reason : std::string()));
    REQUIRE_FALSE(failure);
    return doc;
}

PatchFailure apply_fails(const json& doc, const json& patch) {
    json copy = doc;
    auto failure = apply_patch(parse_ok(patch), copy);
    REQUIRE(failure);
    CHECK(copy == doc);  // atomic: a failed patch leaves the document untouched
    return *failure;
}

PatchParseError parse_fails(const json& doc) {
    auto p = parse_patch(doc);
    REQUIRE_FALSE(p.has_value());
    return p.error();
}

}  // namespace

TEST_CASE("RFC 6902 appendix A: add, remove, replace", "[api][json_patch][spec6.2]") {
    // A.1 adding an object member
    CHECK(apply_ok({{"foo", "bar"}}, R"([{"op":"add","path":"/baz","value":"qux"}])"_json) ==
          json{{"baz", "qux"}, {"foo", "bar"}});
    // A.2 adding an array element: inserted before the element at that index
    CHECK(apply_ok({{"foo", {"bar", "baz"}}},
                   R"([{"op":"add","path":"/foo/1","value":"qux"}])"_json) ==
          json{{"foo", {"bar", "qux", "baz"}}});
    // A.3 removing an object member
    CHECK(apply_ok({{"baz", "qux"}, {"foo", "bar"}}, R"([{"op":"remove","path":"/baz"}])"_json) ==
          json{{"foo", "bar"}});
    // A.4 removing an array element: later elements shift left
    CHECK(apply_ok({{"foo", {"bar", "qux", "baz"}}}, R"([{"op":"remove","path":"/foo/1"}])"_json) ==
          json{{"foo", {"bar", "baz"}}});
    // A.5 replacing a value
    CHECK(apply_ok({{"baz", "qux"}, {"foo", "bar"}},
                   R"([{"op":"replace","path":"/baz","value":"boo"}])"_json) ==
          json{{"baz", "boo"}, {"foo", "bar"}});
    // A.10 adding a nested member object
    CHECK(apply_ok({{"foo", "bar"}},
                   R"([{"op":"add","path":"/child","value":{"grandchild":{}}}])"_json) ==
          R"({"foo":"bar","child":{"grandchild":{}}})"_json);
    // A.16 adding an array value: "-" appends, and the value is added as one element
    CHECK(apply_ok({{"foo", {"bar"}}},
                   R"([{"op":"add","path":"/foo/-","value":["abc","def"]}])"_json) ==
          R"({"foo":["bar",["abc","def"]]})"_json);
}

TEST_CASE("RFC 6902 appendix A: move, test, escapes and unknown members",
          "[api][json_patch][spec6.2]") {
    // A.6 moving a value between objects
    CHECK(apply_ok(R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})"_json,
                   R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])"_json) ==
          R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})"_json);
    // A.7 moving an array element: removed first, then added at the (shifted) target
    CHECK(apply_ok(R"({"foo":["all","grass","cows","eat"]})"_json,
                   R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])"_json) ==
          R"({"foo":["all","cows","eat","grass"]})"_json);
    // A.8 testing a value: success leaves the document as it was
    json doc = R"({"baz":"qux","foo":["a",2,"c"]})"_json;
    CHECK(apply_ok(doc, R"([{"op":"test","path":"/baz","value":"qux"},
                            {"op":"test","path":"/foo/1","value":2}])"_json) == doc);
    // A.9 testing a value: error
    auto f = apply_fails({{"baz", "qux"}}, R"([{"op":"test","path":"/baz","value":"bar"}])"_json);
    CHECK(f.test_failed);
    CHECK(f.reason == "Test op failed.");
    // A.11 members other than op/path/from/value are ignored
    CHECK(apply_ok({{"foo", "bar"}},
                   R"([{"op":"add","path":"/baz","value":"qux","xyz":123}])"_json) ==
          json{{"foo", "bar"}, {"baz", "qux"}});
    // A.12 adding to a nonexistent target: missing objects are not created
    auto g =
        apply_fails({{"foo", "bar"}}, R"([{"op":"add","path":"/baz/bat","value":"qux"}])"_json);
    CHECK_FALSE(g.test_failed);
    CHECK(g.reason == R"(path "/baz/bat": "/baz" does not exist)");
    // A.14 "~01" is "~1" (unescape ~1 before ~0 would wrongly give "/")
    json esc = R"({"/":9,"~1":10})"_json;
    CHECK(apply_ok(esc, R"([{"op":"test","path":"/~01","value":10}])"_json) == esc);
    // A.15 comparing strings and numbers: "10" is not 10
    CHECK(apply_fails(esc, R"([{"op":"test","path":"/~01","value":"10"}])"_json).test_failed);
}

TEST_CASE("test compares by JSON value: numbers by value, containers deeply",
          "[api][json_patch][spec6.2]") {
    json doc = R"({"i":1,"f":1.0,"u":18446744073709551615,"a":[1,{"x":2}],"o":{"k":[1.5]}})"_json;
    for (const char* ok : {
             R"([{"op":"test","path":"/i","value":1.0}])",
             R"([{"op":"test","path":"/f","value":1}])",
             R"([{"op":"test","path":"/a","value":[1.0,{"x":2.0}]}])",
             R"([{"op":"test","path":"/o","value":{"k":[1.5]}}])",
             R"([{"op":"test","path":"/u","value":18446744073709551615}])",
             R"([{"op":"test","path":"","value":{"i":1,"f":1,"u":18446744073709551615,
                  "a":[1,{"x":2}],"o":{"k":[1.5]}}}])",
         })
        CHECK(apply_ok(doc, json::parse(ok)) == doc);
    for (const char* bad : {
             R"([{"op":"test","path":"/i","value":2}])",
             R"([{"op":"test","path":"/i","value":"1"}])",
             R"([{"op":"test","path":"/i","value":true}])",
             R"([{"op":"test","path":"/a","value":[{"x":2},1]}])",  // order matters in arrays
             R"([{"op":"test","path":"/o","value":{"k":[1.5],"extra":null}}])",
             R"([{"op":"test","path":"/missing","value":null}])",  // absent is not null
         }) {
        INFO(bad);
        CHECK(apply_fails(doc, json::parse(bad)).test_failed);
    }
}

TEST_CASE("pointer rules: root, escapes, array indexes and '-'", "[api][json_patch][spec6.2]") {
    // "" is the whole document: add and replace swap it, remove is refused
    CHECK(apply_ok({{"a", 1}}, R"([{"op":"replace","path":"","value":[1]}])"_json) == json{1});
    CHECK(apply_ok({{"a", 1}}, R"([{"op":"add","path":"","value":"x"}])"_json) == "x");
    CHECK(apply_fails({{"a", 1}}, R"([{"op":"remove","path":""}])"_json).reason ==
          "the whole document cannot be removed");
    // "/" is the member named "" (not the root)
    CHECK(apply_ok(json::object(), R"([{"op":"add","path":"/","value":1}])"_json) == json{{"", 1}});
    // ~1 is '/', ~0 is '~'
    CHECK(apply_ok(json::object(), R"([{"op":"add","path":"/a~1b~0c","value":1}])"_json) ==
          json{{"a/b~c", 1}});
    json arr = {{"a", {10, 20, 30}}};
    CHECK(apply_ok(arr, R"([{"op":"add","path":"/a/3","value":40}])"_json)["a"].size() == 4);
    CHECK(apply_ok(arr, R"([{"op":"add","path":"/a/0","value":0}])"_json)["a"][0] == 0);
    CHECK(apply_fails(arr, R"([{"op":"add","path":"/a/4","value":1}])"_json).reason ==
          R"(path "/a/4": index 4 is out of bounds (size 3))");
    CHECK(apply_fails(arr, R"([{"op":"add","path":"/a/01","value":1}])"_json).reason ==
          R"(path "/a/01": "01" is not an array index)");
    for (const char* bad_index : {"/a/01", "/a/-", "/a/3", "/a/-1", "/a/+1", "/a/1x", "/a/ 1",
                                  "/a/99999999999999999999999"}) {
        INFO(bad_index);
        json patch = json::array({{{"op", "remove"}, {"path", bad_index}}});
        CHECK(apply_fails(arr, patch).reason ==
              std::string("path \"") + bad_index + "\" does not exist");
        patch[0] = {{"op", "replace"}, {"path", bad_index}, {"value", 0}};
        CHECK_FALSE(apply_fails(arr, patch).test_failed);
    }
    // an array index token on an object is just a member name
    CHECK(apply_ok(json::object(), R"([{"op":"add","path":"/0","value":1}])"_json) ==
          json{{"0", 1}});
    // a scalar has no children
    CHECK(apply_fails({{"s", "str"}}, R"([{"op":"add","path":"/s/x","value":1}])"_json).reason ==
          R"(path "/s/x": parent is neither an object nor an array)");
    // add on an existing member replaces it; replace on a missing one fails
    CHECK(apply_ok({{"a", 1}}, R"([{"op":"add","path":"/a","value":2}])"_json) == json{{"a", 2}});
    CHECK(apply_fails({{"a", 1}}, R"([{"op":"replace","path":"/b","value":2}])"_json).reason ==
          R"(path "/b" does not exist)");
}

TEST_CASE("move and copy", "[api][json_patch][spec6.2]") {
    json doc = R"({"a":{"b":{"c":1}},"l":[1,2,3]})"_json;
    // RFC 6902 4.4: from must not be a proper prefix of path
    auto f = apply_fails(doc, R"([{"op":"move","from":"/a","path":"/a/b/d"}])"_json);
    CHECK(f.reason == R"(cannot move "/a" into its own child "/a/b/d")");
    CHECK(apply_fails(doc, R"([{"op":"move","from":"","path":"/x"}])"_json).reason ==
          R"(cannot move "" into its own child "/x")");
    // moving onto itself is allowed and changes nothing; a sibling prefix is not a parent
    CHECK(apply_ok(doc, R"([{"op":"move","from":"/a/b","path":"/a/b"}])"_json) == doc);
    CHECK(apply_ok({{"a", 1}}, R"([{"op":"move","from":"/a","path":"/ab"}])"_json) ==
          json{{"ab", 1}});
    // moving a child over its parent is fine
    CHECK(apply_ok(doc, R"([{"op":"move","from":"/a/b","path":"/a"}])"_json)["a"] ==
          json{{"c", 1}});
    CHECK(apply_ok(doc, R"([{"op":"move","from":"/l/0","path":"/l/-"}])"_json)["l"] ==
          json{2, 3, 1});
    CHECK(apply_fails(doc, R"([{"op":"move","from":"/nope","path":"/x"}])"_json).reason ==
          R"(from "/nope" does not exist)");
    // copy is a deep copy: later changes to the copy do not touch the source
    json c = apply_ok(doc, R"([{"op":"copy","from":"/a","path":"/z"},
                              {"op":"replace","path":"/z/b/c","value":2}])"_json);
    CHECK(c["a"]["b"]["c"] == 1);
    CHECK(c["z"]["b"]["c"] == 2);
    CHECK(apply_ok(doc, R"([{"op":"copy","from":"/l","path":"/l/1"}])"_json)["l"] ==
          R"([1,[1,2,3],2,3])"_json);
    // unlike move, copy into its own child is fine: the source is copied before the add
    CHECK(apply_ok(doc, R"([{"op":"copy","from":"/a","path":"/a/b/d"}])"_json)["a"]["b"]["d"] ==
          json{{"b", {{"c", 1}}}});
    CHECK(apply_fails(doc, R"([{"op":"copy","from":"/l/9","path":"/x"}])"_json).reason ==
          R"(from "/l/9" does not exist)");
}

TEST_CASE("apply is atomic and reports the failing op", "[api][json_patch][spec6.2]") {
    json doc = R"({"Name":"m1","Params":{"a":1},"Tasks":["t1"]})"_json;
    json patch = R"([{"op":"replace","path":"/Name","value":"m2"},
                     {"op":"remove","path":"/Params/a"},
                     {"op":"add","path":"/Tasks/-","value":"t2"},
                     {"op":"test","path":"/Name","value":"m1"}])"_json;
    auto f = apply_fails(doc, patch);  // checks doc is unchanged
    CHECK(f.op_index == 3);
    CHECK(f.test_failed);
    // patched() never touches its input either way
    auto ok = patched(parse_ok(json::array({patch[0], patch[1]})), doc);
    REQUIRE(ok);
    CHECK(ok->at("Name") == "m2");
    CHECK(doc["Name"] == "m1");
    auto bad = patched(parse_ok(patch), doc);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().op_index == 3);
    // an empty patch is a no-op
    CHECK(apply_ok(doc, json::array()) == doc);
}

TEST_CASE("DRP's 409 messages name the line and print the op as Go does",
          "[api][json_patch][spec6.2]") {
    // The exact body of DRP's api test "PATCH Update bootenv phred OS name (conflict)".
    json doc = {{"OS", {{"Name", "zfred"}}}};
    auto patch = parse_ok(R"([{"op":"test","path":"/OS/Name","value":"ffred"},
                              {"op":"replace","path":"/OS/Name","value":"qfred"}])"_json);
    auto f = apply_patch(patch, doc);
    REQUIRE(f);
    CHECK(drp_patch_error_messages(patch, *f) ==
          std::vector<std::string>{
              "Patch error at line 0: Test op failed.",
              R"(Patch line: {"op":"test","path":"/OS/Name","from":"","value":"ffred"})"});
    auto remove = parse_ok(R"([{"op":"remove","path":"/x"}])"_json);
    auto g = apply_patch(remove, doc);
    REQUIRE(g);
    CHECK(drp_patch_error_messages(remove, *g) ==
          std::vector<std::string>{
              R"(Patch error at line 0: path "/x" does not exist)",
              R"(Patch line: {"op":"remove","path":"/x","from":"","value":null})"});
    auto move = parse_ok(R"([{"op":"test","path":"","value":{"OS":{"Name":"zfred"}}},
                             {"op":"move","from":"/a","path":"/b"}])"_json);
    auto h = apply_patch(move, doc);
    REQUIRE(h);
    CHECK(h->op_index == 1);
    CHECK(drp_patch_error_messages(move, *h)[1] ==
          R"(Patch line: {"op":"move","path":"/b","from":"/a","value":null})");
}

TEST_CASE("malformed patch documents are 400 parse errors naming the op",
          "[api][json_patch][spec6.2]") {
    struct Row {
        const char* patch;
        std::optional<std::size_t> index;
        const char* message;
    };
    const Row rows[] = {
        {R"({"op":"add"})", std::nullopt, "a JSON Patch must be an array"},
        {R"("add")", std::nullopt, "a JSON Patch must be an array"},
        {R"([1])", 0, "op 0: not a JSON object"},
        {R"([{"path":"/a"}])", 0, R"(op 0: missing or non-string "op")"},
        {R"([{"op":5,"path":"/a"}])", 0, R"(op 0: missing or non-string "op")"},
        {R"([{"op":"merge","path":"/a"}])", 0, R"(op 0: unknown op "merge")"},
        {R"([{"op":"Add","path":"/a","value":1}])", 0, R"(op 0: unknown op "Add")"},
        {R"([{"op":"test","path":"","value":1},{"op":"remove"}])", 1,
         R"(op 1 (remove): missing or non-string "path")"},
        {R"([{"op":"remove","path":7}])", 0, R"(op 0 (remove): missing or non-string "path")"},
        {R"([{"op":"remove","path":"a"}])", 0,
         R"(op 0 (remove): "path": JSON pointer "a" must start with '/')"},
        {R"([{"op":"remove","path":"/a~2"}])", 0,
         R"(op 0 (remove): "path": JSON pointer "/a~2" has '~' not followed by 0 or 1)"},
        {R"([{"op":"add","path":"/a"}])", 0, R"(op 0 (add): missing "value")"},
        {R"([{"op":"replace","path":"/a"}])", 0, R"(op 0 (replace): missing "value")"},
        {R"([{"op":"test","path":"/a"}])", 0, R"(op 0 (test): missing "value")"},
        {R"([{"op":"move","path":"/a"}])", 0, R"(op 0 (move): missing or non-string "from")"},
        {R"([{"op":"copy","path":"/a","from":"x"}])", 0,
         R"(op 0 (copy): "from": JSON pointer "x" must start with '/')"},
    };
    for (const auto& row : rows) {
        INFO(row.patch);
        auto e = parse_fails(json::parse(row.patch));
        CHECK(e.http_status == 400);
        CHECK(e.op_index == row.index);
        CHECK(e.message == row.message);
    }
    // value may be null, it just has to be there
    CHECK(parse_ok(R"([{"op":"add","path":"/a","value":null}])"_json).ops[0].value.is_null());
}

TEST_CASE("hostile sizes are refused with 422 before any work", "[api][json_patch][spec6.2]") {
    json big = json::array();
    for (std::size_t i = 0; i < kMaxPatchOps; ++i)
        big.push_back({{"op", "test"}, {"path", ""}, {"value", nullptr}});
    CHECK(parse_patch(big).has_value());
    big.push_back(big[0]);
    auto e = parse_fails(big);
    CHECK(e.http_status == 422);
    CHECK(e.message == "a JSON Patch may have at most 10000 ops");

    std::string deep;
    for (std::size_t i = 0; i < kMaxPointerDepth; ++i)
        deep += "/a";
    CHECK(parse_patch(json::array({{{"op", "remove"}, {"path", deep}}})).has_value());
    auto d = parse_fails(json::array({{{"op", "remove"}, {"path", deep + "/a"}}}));
    CHECK(d.http_status == 422);
    CHECK(d.message == R"(op 0 (remove): "path": JSON pointer is deeper than 512 levels)");
    // client text echoed in messages is clipped (on a UTF-8 boundary)
    std::string name = "x" + std::string(100000, 'y');
    CHECK(parse_fails(json::array({{{"op", name}, {"path", ""}}})).message ==
          "op 0: unknown op \"x" + std::string(127, 'y') + "...\"");
    std::string accents;
    for (int i = 0; i < 1000; ++i)
        accents += "\xC3\xA9";
    auto bad_pointer = parse_fails(json::array({{{"op", "remove"}, {"path", "x" + accents}}}));
    CHECK(bad_pointer.message.size() < 300);
    CHECK_NOTHROW(json(bad_pointer.message).dump());
}

TEST_CASE("to_json is the wire form and round-trips through parse_patch",
          "[api][json_patch][spec6.2]") {
    json wire = R"([{"op":"add","path":"/a~1b","value":{"x":[1]}},{"op":"remove","path":"/c"},
                    {"op":"move","from":"/d","path":"/e"},{"op":"copy","from":"/f","path":"/g"},
                    {"op":"replace","path":"","value":null},{"op":"test","path":"/h","value":1}])"_json;
    auto patch = parse_ok(wire);
    CHECK(to_json(patch) == wire);
    CHECK(parse_ok(to_json(patch)) == patch);
    CHECK(patch.ops[0].path_tokens == PointerTokens{"a/b"});
}

TEST_CASE("random patches either apply fully or leave the document untouched",
          "[api][json_patch][spec6.2]") {
    // Paths drawn from a small alphabet hit existing members, missing ones, array ends, "-",
    // bad indexes and scalars, so every failure path is exercised against atomicity.
    std::mt19937 rng(6901);
    const char* paths[] = {"",   "/a",   "/a/0",   "/a/1", "/a/-", "/a/9", "/a/01",
                           "/b", "/b/c", "/b/c/d", "/s",   "/s/x", "/-",   "/b/-"};
    const char* ops[] = {"add", "remove", "replace", "move", "copy", "test"};
    const json values[] = {1, "x", json::array({1, 2}), json{{"c", 1}}, nullptr};
    int applied = 0, failed = 0;
    for (int i = 0; i < 2000; ++i) {
        json doc = R"({"a":[1,2],"b":{"c":{"d":true}},"s":"str"})"_json;
        json patch = json::array();
        for (int n = 1 + static_cast<int>(rng() % 4); n > 0; --n)
            patch.push_back({{"op", ops[rng() % 6]},
                             {"path", paths[rng() % 14]},
                             {"from", paths[rng() % 14]},
                             {"value", values[rng() % 5]}});
        auto parsed = parse_patch(patch);
        REQUIRE(parsed);
        json before = doc;
        auto failure = apply_patch(*parsed, doc);
        INFO(patch.dump());
        if (failure) {
            CHECK(doc == before);
            CHECK(failure->op_index < patch.size());
            CHECK(failure->test_failed == (patch[failure->op_index]["op"] == "test"));
            CHECK(drp_patch_error_messages(*parsed, *failure).size() == 2);
            ++failed;
        } else {
            // applying the same ops one at a time gives the same result
            json stepwise = before;
            for (const auto& op : patch)
                REQUIRE_FALSE(apply_patch(*parse_patch(json::array({op})), stepwise));
            CHECK(stepwise == doc);
            ++applied;
        }
    }
    CHECK(applied > 100);
    CHECK(failed > 100);
}
