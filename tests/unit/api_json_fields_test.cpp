// project_fields: the members a list filters and sorts by, read from a stored document without
// building the rest. Whatever it keeps must equal what a whole parse gives for those members.
#include <catch2/catch.hpp>

#include <random>

#include "common/api/json_fields.hpp"

using namespace drover::api;
using nlohmann::json;

namespace {

json projected(std::string_view doc, const FieldSet& fields) {
    auto out = project_fields(doc, fields);
    INFO(doc);
    REQUIRE(out.has_value());
    return *out;
}

// A random JSON value with strings full of what a byte scan could trip on.
json random_value(std::mt19937& rng, int depth) {
    static const char* tricky[] = {"{",    "}",   "[", "]",  "\"", "\\",  ",",   ":",
                                   "\\\"", "a\n", "é", "\t", "}]", "x,y", "{\"", "\\u"};
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    switch (depth > 3 ? pick(5) : pick(7)) {
        case 0:
            return nullptr;
        case 1:
            return pick(2) == 0;
        case 2:
            return pick(2000) - 1000;
        case 3:
            return pick(1000) / 7.0;
        case 4: {
            std::string s;
            for (int i = pick(5); i > 0; --i)
                s += tricky[pick(16)];
            return s;
        }
        case 5: {
            json a = json::array();
            for (int i = pick(4); i > 0; --i)
                a.push_back(random_value(rng, depth + 1));
            return a;
        }
        default: {
            json o = json::object();
            for (int i = pick(4); i > 0; --i)
                o[std::string(tricky[pick(16)]) + std::to_string(i)] = random_value(rng, depth + 1);
            return o;
        }
    }
}

}  // namespace

TEST_CASE("project_fields keeps the named members and nothing else") {
    std::string doc = R"({"Name":"m1","Params":{"a":{"b":[1,2,{"c":"}"}]}},"Stage":"discover",)"
                      R"("Tasks":["x","]"],"Runnable":true,"CurrentTask":-1,"Meta":{}})";
    CHECK(projected(doc, {"Name", "Stage"}) == json{{"Name", "m1"}, {"Stage", "discover"}});
    CHECK(projected(doc, {"Runnable", "CurrentTask"}) ==
          json{{"Runnable", true}, {"CurrentTask", -1}});
    CHECK(projected(doc, {"Params"}) == json{{"Params", json::parse(doc)["Params"]}});
    CHECK(projected(doc, {"Missing"}) == json::object());
    CHECK(projected(doc, {}) == json::object());
}

TEST_CASE("project_fields reads strings with escapes, brackets and quotes as strings") {
    std::string doc = R"({"A":"x\"}{[","B":"\\","C":["\"]",{"d":"\\\""}],"D":"é\u00e9","E":1})";
    auto whole = json::parse(doc);
    for (const char* name : {"A", "B", "C", "D", "E"})
        CHECK(projected(doc, {name})[name] == whole[name]);
}

TEST_CASE("project_fields decodes escaped member names and takes the last of a repeated name") {
    CHECK(projected(R"({"Na\u006de":"m1"})", {"Name"}) == json{{"Name", "m1"}});
    CHECK(projected(R"({"Name":"first","Name":"last"})", {"Name"}) == json{{"Name", "last"}});
}

TEST_CASE("project_fields allows whitespace wherever JSON does") {
    std::string doc = " {\n \"Name\" :\t\"m1\" ,\r\n \"N\" : [ 1 , { } ] , \"B\" : false } \n";
    CHECK(projected(doc, {"Name", "N", "B"}) ==
          json{{"Name", "m1"}, {"N", json::array({1, json::object()})}, {"B", false}});
    CHECK(projected("{}", {"Name"}) == json::object());
    CHECK(projected(" { } ", {"Name"}) == json::object());
}

TEST_CASE("project_fields gives nullopt for text that is not one JSON object") {
    for (const char* bad :
         {"", "   ", "[]", "\"s\"", "1", "{", "}", R"({"a")", R"({"a":})", R"({"a" 1})",
          R"({"a":1,})", R"({"a":[1})", R"({"a":{"b":1]})", R"({"a":"x)", R"({"a":1} x)",
          R"({"a":1}{})", R"({a:1})", R"({"a":1 "b":2})", "{\"a\":\"x\ny\"}"})
        CHECK_FALSE(project_fields(bad, {"a", "b"}).has_value());
    // A kept member is parsed, so a bad scalar there is caught too.
    CHECK_FALSE(project_fields(R"({"a":tru})", {"a"}).has_value());
}

TEST_CASE("project_fields agrees with a whole parse on random documents") {
    std::mt19937 rng(20261128);
    for (int round = 0; round < 2000; ++round) {
        json doc = json::object();
        for (int i = static_cast<int>(rng() % 8); i > 0; --i)
            doc["k" + std::to_string(rng() % 10)] = random_value(rng, 0);
        FieldSet fields;
        for (int i = 0; i < 10; ++i)
            if (rng() % 2) fields.insert("k" + std::to_string(i));
        json want = json::object();
        for (const auto& [k, v] : doc.items())
            if (fields.count(k)) want[k] = v;
        std::string text = round % 2 ? doc.dump() : doc.dump(2);
        INFO(text);
        auto got = project_fields(text, fields);
        REQUIRE(got.has_value());
        CHECK(*got == want);
    }
}
