// YAML to JSON as DRP reads content (Go yaml.v2 + ghodss/yaml): plain scalars resolve by
// yaml.v2's rules, quoted and block scalars stay strings, integers stay exact, integral floats
// become integers, keys become strings, merges apply, and every refusal names its line.
#include <catch2/catch.hpp>

#include "common/content/bundle_parse.hpp"
#include "common/content/yaml_json.hpp"
#include "common/content/yaml_resolve.hpp"
#include "common/tmpl/json_value.hpp"

using namespace drover::content;
using nlohmann::json;

namespace {

json yaml(const std::string& text) {
    auto r = yaml_to_json(text);
    INFO(text);
    if (!r) FAIL(r.error());
    return r.value();
}

std::string yaml_error(const std::string& text) {
    auto r = yaml_to_json(text);
    INFO(text);
    REQUIRE_FALSE(r);
    return r.error();
}

json value_of(const std::string& scalar) {
    return yaml("v: " + scalar)["v"];
}

}  // namespace

TEST_CASE("plain scalars resolve as yaml.v2 resolves them", "[content][yaml]") {
    CHECK(value_of("~").is_null());
    CHECK(value_of("null").is_null());
    CHECK(value_of("NULL").is_null());
    CHECK(yaml("v:")["v"].is_null());
    for (const char* t : {"true", "True", "TRUE", "yes", "Yes", "on", "ON", "y", "Y"})
        CHECK(value_of(t) == json(true));
    for (const char* f : {"false", "no", "NO", "off", "n", "N"})
        CHECK(value_of(f) == json(false));
    CHECK(value_of("42") == json(42));
    CHECK(value_of("-17") == json(-17));
    CHECK(value_of("+5") == json(5));
    CHECK(value_of("0x1F") == json(31));
    CHECK(value_of("0o17") == json(15));
    CHECK(value_of("017") == json(15));  // Go's ParseInt base 0: a leading 0 is octal
    CHECK(value_of("0b101") == json(5));
    CHECK(value_of("-0b11") == json(-3));
    CHECK(value_of("1_000") == json(1000));
    CHECK(value_of("1.5") == json(1.5));
    CHECK(value_of(".5") == json(0.5));
    CHECK(value_of("-2.5e-3") == json(-2.5e-3));
    CHECK(value_of("08") == json(8));  // not octal, so a float 8.0, written by Go as 8
    for (const char* s : {"hello", "1.2.3", "0x", "yes please", "True!", "12abc", "-x-", "<<x"})
        CHECK(value_of(s) == json(s));
    // Timestamps reach an interface{} as their text.
    CHECK(value_of("2001-12-14") == json("2001-12-14"));
    CHECK(value_of("2001-12-14T21:59:43.10Z") == json("2001-12-14T21:59:43.10Z"));
}

TEST_CASE("integers stay exact and integral floats become integers", "[content][yaml]") {
    CHECK(value_of("9223372036854775807").get<int64_t>() == INT64_MAX);
    CHECK(value_of("-9223372036854775808").get<int64_t>() == INT64_MIN);
    json big = value_of("18446744073709551615");
    CHECK(big.is_number_unsigned());
    CHECK(big.get<uint64_t>() == UINT64_MAX);
    CHECK(value_of("18446744073709551616").is_number_float());  // past uint64: a float
    CHECK(value_of("1e3") == json(1000));
    CHECK(value_of("1e3").is_number_integer());
    CHECK(value_of("1.0").is_number_integer());
    CHECK(value_of("1e300").is_number_float());
    CHECK(value_of("!!float 2") == json(2));
    CHECK(value_of("!!float 2.5") == json(2.5));
}

TEST_CASE("quoted, block and !!str scalars are strings", "[content][yaml]") {
    CHECK(value_of("\"yes\"") == json("yes"));
    CHECK(value_of("'42'") == json("42"));
    CHECK(value_of("\"~\"") == json("~"));
    CHECK(value_of("!!str 42") == json("42"));
    CHECK(value_of("!!str") == json(""));
    CHECK(value_of("!custom 42") == json("42"));
    CHECK(yaml("v: |\n  line 1\n  line 2\n")["v"] == json("line 1\nline 2\n"));
    CHECK(yaml("v: >-\n  folded\n  text\n")["v"] == json("folded text"));
    CHECK(yaml("v: \"tab\\there \\u00e9\"")["v"] == json("tab\there \u00e9"));
    CHECK(value_of("!!int \"12\"") == json(12));
    CHECK(value_of("!!bool yes") == json(true));
    CHECK(value_of("!!null ~").is_null());
}

TEST_CASE("maps, lists, keys and merges", "[content][yaml]") {
    json doc = yaml(R"(
Name: t1
Templates:
  - Name: a
    Contents: "echo"
  - {Name: b, ID: x.tmpl}
Meta: {}
Empty: []
1: one
yes: two
"3": three
)");
    CHECK(doc["Name"] == "t1");
    CHECK(doc["Templates"].size() == 2);
    CHECK(doc["Templates"][1] == json({{"Name", "b"}, {"ID", "x.tmpl"}}));
    CHECK(doc["Meta"] == json::object());
    CHECK(doc["Empty"] == json::array());
    CHECK(doc["1"] == "one");
    CHECK(doc["true"] == "two");
    CHECK(doc["3"] == "three");

    json merged = yaml(R"(
base: &base {a: 1, b: 2}
other: &other {b: 3, c: 4}
one:
  <<: *base
  b: 20
two:
  <<: [*other, *base]
  d: 5
)");
    CHECK(merged["one"] == json({{"a", 1}, {"b", 20}}));
    CHECK(merged["two"] == json({{"a", 1}, {"b", 3}, {"c", 4}, {"d", 5}}));
    CHECK(yaml("a: &x [1, 2]\nb: *x\n")["b"] == json({1, 2}));
    CHECK(yaml("").is_null());
    CHECK(yaml("---\na: 1\n---\nb: 2\n") == json({{"a", 1}}));  // the first document only
    CHECK(yaml("[1, \"2\", x]") == json({1, "2", "x"}));
}

TEST_CASE("refusals name their line and column", "[content][yaml]") {
    CHECK(yaml_error("a: [1, 2\n").starts_with("line 2, column 1: "));
    CHECK(yaml_error("a: 1\nb:\n  c: 2\n  c: 3\n") == "line 4, column 3: duplicate key \"c\"");
    CHECK(yaml_error("a: .inf\n") == "line 1, column 4: `.inf` has no JSON representation");
    CHECK(yaml_error("a: .nan\n").find("no JSON representation") != std::string::npos);
    CHECK(yaml_error("? [1, 2]\n: x\n").find("map keys must be scalars") != std::string::npos);
    CHECK(yaml_error("~: x\n").find("null map key") != std::string::npos);
    CHECK(yaml_error("a: !!int abc\n") == "line 1, column 4: cannot decode !!str `abc` as a !!int");
    CHECK(yaml_error("a: !!binary aGk=\n").find("!!binary") != std::string::npos);
    CHECK(yaml_error("a:\n  <<: 3\n").find("merge") != std::string::npos);
    // Aliases cannot blow a small document up without bound.
    std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    for (char c = 'b'; c <= 'h'; ++c) {
        std::string prev(1, static_cast<char>(c - 1));
        laughs += std::string(1, c) + ": &" + std::string(1, c) + " [*" + prev + ", *" + prev +
                  ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" +
                  prev + ", *" + prev + ", *" + prev + "]\n";
    }
    CHECK(yaml_error(laughs).find("too large") != std::string::npos);
}

TEST_CASE("long plain scalars resolve without recursing per character", "[content][yaml]") {
    // Found by tests/fuzz/content_bundle_fuzz: the float check ran on std::regex, which recursed
    // once per character and overflowed the stack on a long run of digits.
    std::string digits(300000, '7');
    CHECK(yaml("x: " + digits)["x"] == digits);  // out of float64's range: a string, as in Go
    CHECK(yaml("x: 2024-01-0" + std::string(100000, '1'))["x"].is_string());
    CHECK(yaml("x: 1.5e3")["x"] == 1500);
}

TEST_CASE("invalid UTF-8 is refused, as yaml.v2 refuses it", "[content][yaml]") {
    // Found by tests/fuzz/content_bundle_fuzz: yaml-cpp let the bytes into a task's Name and
    // the bundle reader's message dumped it as JSON, which threw (an uncaught exception).
    CHECK(yaml_error("a: x\nName: \"b\xf3\"\n") == "line 2, column 9: invalid UTF-8");
    CHECK(yaml_error("\xc0\x80: overlong\n") == "line 1, column 1: invalid UTF-8");
    CHECK(yaml_error("s: \xed\xa0\x80\n") == "line 1, column 4: invalid UTF-8");  // a surrogate
    CHECK(yaml("s: \"h\xc3\xa9llo \xe2\x9c\x93\"\n")["s"] == "h\u00e9llo \u2713");
    auto bundle = parse_file({"b.yaml",
                              "meta: {Name: m}\nsections:\n  bootenvs:\n    x:\n"
                              "      Name: \"y\xf3\"\n"});
    REQUIRE_FALSE(bundle);
    CHECK(bundle.error() == std::vector<std::string>{"b.yaml: line 5, column 15: invalid UTF-8"});
}

TEST_CASE("what drover writes as YAML reads back as the same JSON", "[content][yaml]") {
    json doc = {
        {"meta", {{"Name", "demo"}, {"Version", "1.10"}, {"Writable", false}}},
        {"strings",
         {"yes",
          "no",
          "on",
          "~",
          "",
          "null",
          "1",
          "1.0",
          "0x10",
          "2001-12-14",
          "<<",
          "a: b",
          "- x",
          "#c",
          " lead",
          "trail ",
          "multi\nline\n",
          "no newline\nat end",
          "\ttab",
          "caf\u00e9",
          "quote'd \"x\"",
          "{curly}",
          "[list]",
          "*star",
          "&amp",
          "!bang",
          "%pct",
          "@at",
          "`tick`",
          "x #y",
          std::string(200, 'w') + " " + std::string(10, 'z')}},
        {"numbers", {0, -1, 42, 1.5, -2.25, 1e20, 123456789012}},
        {"bools", {true, false}},
        {"null", nullptr},
        {"nested",
         {{"a", json::array()}, {"b", json::object()}, {"c", {{"d", {1, {{"e", "f"}}}}}}}},
    };
    std::string text = drover::tmpl::to_go_yaml(drover::tmpl::from_json(doc));
    INFO(text);
    CHECK(yaml(text) == doc);
}

TEST_CASE("the resolver answers the YAML writer's quoting question", "[content][yaml]") {
    CHECK(resolve_plain_scalar("yes").tag == ScalarTag::Bool);
    CHECK(resolve_plain_scalar("<<").tag == ScalarTag::Merge);
    CHECK(resolve_plain_scalar("2001-12-14").tag == ScalarTag::Timestamp);
    CHECK(resolve_plain_scalar(".5").tag == ScalarTag::Float);
    CHECK(resolve_plain_scalar("hello").tag == ScalarTag::Str);
    CHECK(resolve_plain_scalar("1111111111111111111111111111111111111111111111111111111111111111")
              .value.is_number_float());
    CHECK(resolve_plain_scalar("0b1111111111111111111111111111111111111111111111111111111111111111")
              .value.get<uint64_t>() == UINT64_MAX);
}
