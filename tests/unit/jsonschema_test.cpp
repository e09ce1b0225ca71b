// The JSON Schema validator (common/jsonschema), one keyword family per TEST_CASE: each shows a
// schema, instances it accepts, instances it rejects and what the error says. Drafts 04/06/07;
// spec 1.10 (Param schemas are draft-4, as DRP's gojsonschema reads them).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/jsonschema/embedded.hpp"
#include "common/jsonschema/formats.hpp"
#include "common/jsonschema/pointer.hpp"
#include "common/jsonschema/schema.hpp"

using nlohmann::json;
using namespace drover::jsonschema;

namespace {

Schema compile_ok(const json& schema, Draft draft = Draft::draft7) {
    auto compiled = Schema::compile(schema, CompileOptions{draft});
    if (!compiled) {
        for (const auto& e : compiled.error())
            UNSCOPED_INFO(to_string(e));
    }
    REQUIRE(compiled.has_value());
    return compiled.value();
}

// The errors as "pointer: message" lines, which is what users see.
std::vector<std::string> errors(const Schema& schema, const json& instance) {
    std::vector<std::string> out;
    for (const auto& e : schema.validate(instance))
        out.push_back(to_string(e));
    return out;
}

bool valid(const Schema& schema, const json& instance) {
    auto found = schema.validate(instance);
    for (const auto& e : found)
        UNSCOPED_INFO(to_string(e));
    // is_valid() stops early but must always agree with validate().
    CHECK(schema.is_valid(instance) == found.empty());
    return found.empty();
}

std::vector<std::string> schema_errors(const json& schema, Draft draft = Draft::draft7) {
    auto compiled = Schema::compile(schema, CompileOptions{draft});
    std::vector<std::string> out;
    if (!compiled) {
        for (const auto& e : compiled.error())
            out.push_back(to_string(e));
    }
    return out;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("type: one name or a list, integer is any number without a fractional part",
          "[jsonschema]") {
    auto port = compile_ok(R"({"type": "integer"})"_json);
    CHECK(valid(port, 8080));
    CHECK(valid(port, -3));
    CHECK(valid(port, 2.0));
    CHECK(valid(port, json(18446744073709551615ULL)));
    CHECK(errors(port, 2.5) == Strings{"(root): 2.5 is a number, not an integer"});
    CHECK(errors(port, "80") == Strings{"(root): \"80\" is a string, not an integer"});

    auto number = compile_ok(R"({"type": "number"})"_json);
    CHECK(valid(number, 2.5));
    CHECK(valid(number, 7));
    CHECK_FALSE(valid(number, true));

    auto nullable = compile_ok(R"({"type": ["string", "null"]})"_json);
    CHECK(valid(nullable, "x"));
    CHECK(valid(nullable, nullptr));
    CHECK(errors(nullable, json::object()) ==
          Strings{"(root): {} is an object, not one of: null, string"});

    for (const char* name : {"null", "boolean", "object", "array", "string"}) {
        auto schema = compile_ok({{"type", name}});
        int accepted = 0;
        for (const json& v :
             {json(nullptr), json(true), json::object(), json::array(), json("s"), json(1)})
            accepted += schema.is_valid(v) ? 1 : 0;
        CHECK(accepted == 1);
    }
    CHECK(schema_errors(R"({"type": "text"})"_json) ==
          Strings{"schema /type: unknown type \"text\""});
}

TEST_CASE("enum and const compare JSON values structurally", "[jsonschema]") {
    auto state = compile_ok(R"({"enum": ["created", "running", 3, {"a": [1]}]})"_json);
    CHECK(valid(state, "running"));
    CHECK(valid(state, 3.0));  // 3 and 3.0 are the same JSON number
    CHECK(valid(state, R"({"a": [1]})"_json));
    CHECK(errors(state, "done") ==
          Strings{R"((root): "done" is not one of ["created","running",3,{"a":[1]}])"});
    CHECK_FALSE(valid(state, R"({"a": [2]})"_json));

    auto fixed = compile_ok(R"({"const": {"Type": "machines"}})"_json);
    CHECK(valid(fixed, R"({"Type": "machines"})"_json));
    CHECK(errors(fixed, R"({"Type": "jobs"})"_json) ==
          Strings{R"((root): {"Type":"jobs"} is not the constant {"Type":"machines"})"});

    CHECK(schema_errors(R"({"enum": "a"})"_json) == Strings{"schema /enum: enum must be an array"});
}

TEST_CASE("minimum/maximum and the two forms of exclusive bounds", "[jsonschema]") {
    auto port = compile_ok(R"({"properties": {"Port": {"minimum": 1, "maximum": 65535}}})"_json);
    CHECK(valid(port, R"({"Port": 1})"_json));
    CHECK(valid(port, R"({"Port": 65535})"_json));
    CHECK(valid(port, R"({"Port": "not a number: minimum ignores it"})"_json));
    CHECK(errors(port, R"({"Port": 70000})"_json) ==
          Strings{"/Port: 70000 is greater than the maximum 65535"});
    CHECK(errors(port, R"({"Port": 0})"_json) == Strings{"/Port: 0 is less than the minimum 1"});

    CHECK(schema_errors(R"({"minimum": true})"_json) ==
          Strings{"schema /minimum: minimum must be a number"});
    CHECK(schema_errors(R"({"maximum": "1"})"_json) ==
          Strings{"schema /maximum: maximum must be a number"});

    SECTION("draft-06+: exclusiveMinimum/Maximum are numbers") {
        auto open = compile_ok(R"({"exclusiveMinimum": 0, "exclusiveMaximum": 1})"_json);
        CHECK(valid(open, 0.5));
        CHECK(errors(open, 0) ==
              Strings{"(root): 0 is less than or equal to the exclusive minimum 0"});
        CHECK(errors(open, 1) ==
              Strings{"(root): 1 is greater than or equal to the exclusive maximum 1"});
        CHECK_FALSE(schema_errors(R"({"maximum": 1, "exclusiveMaximum": true})"_json).empty());
    }
    SECTION("draft-04: exclusiveMinimum/Maximum are booleans modifying minimum/maximum") {
        auto open = compile_ok(R"({"minimum": 0, "exclusiveMinimum": true, "maximum": 1})"_json,
                               Draft::draft4);
        CHECK(valid(open, 1));
        CHECK(errors(open, 0) ==
              Strings{"(root): 0 is less than or equal to the exclusive minimum 0"});
        auto closed =
            compile_ok(R"({"maximum": 1, "exclusiveMaximum": false})"_json, Draft::draft4);
        CHECK(valid(closed, 1));
        CHECK_FALSE(schema_errors(R"({"exclusiveMaximum": 1})"_json, Draft::draft4).empty());
        CHECK_FALSE(schema_errors(R"({"exclusiveMaximum": true})"_json, Draft::draft4).empty());
    }
    SECTION("large integers compare exactly") {
        auto big = compile_ok(R"({"maximum": 9007199254740993})"_json);
        CHECK(valid(big, json(9007199254740993LL)));
        CHECK_FALSE(valid(big, json(9007199254740994LL)));
        CHECK(valid(compile_ok(R"({"minimum": -1})"_json), json(18446744073709551615ULL)));
        CHECK_FALSE(valid(compile_ok(R"({"maximum": -1})"_json), json(18446744073709551615ULL)));
    }
}

TEST_CASE("multipleOf: exact for integers, decimal-friendly for fractions", "[jsonschema]") {
    auto even = compile_ok(R"({"multipleOf": 2})"_json);
    CHECK(valid(even, 10));
    CHECK(valid(even, -4));
    CHECK(errors(even, 7) == Strings{"(root): 7 is not a multiple of 2"});
    auto cents = compile_ok(R"({"multipleOf": 0.01})"_json);
    CHECK(valid(cents, 19.99));
    CHECK(valid(compile_ok(R"({"multipleOf": 0.1})"_json), 0.3));
    CHECK_FALSE(valid(cents, 0.005));
    CHECK(schema_errors(R"({"multipleOf": true})"_json) ==
          Strings{"schema /multipleOf: multipleOf must be a number"});
    CHECK(schema_errors(R"({"multipleOf": 0})"_json) ==
          Strings{"schema /multipleOf: multipleOf must be greater than 0"});
}

TEST_CASE("minLength/maxLength count code points, not bytes", "[jsonschema]") {
    auto name = compile_ok(R"({"minLength": 2, "maxLength": 3})"_json);
    CHECK(valid(name, "ab"));
    CHECK(valid(name, "日本語"));  // 9 bytes, 3 code points
    CHECK(errors(name, "a") == Strings{"(root): \"a\" is shorter than 2 characters"});
    CHECK(errors(name, "abcd") == Strings{"(root): \"abcd\" is longer than 3 characters"});
    CHECK(valid(name, 12345));  // only strings have a length
    CHECK_FALSE(schema_errors(R"({"minLength": -1})"_json).empty());
    CHECK_FALSE(schema_errors(R"({"maxLength": 1.5})"_json).empty());
}

TEST_CASE("pattern: ECMA-262, unanchored, an uncompilable pattern is a schema error",
          "[jsonschema]") {
    auto mac = compile_ok(R"({"pattern": "^([0-9a-f]{2}:){5}[0-9a-f]{2}$"})"_json);
    CHECK(valid(mac, "52:54:00:12:34:56"));
    CHECK(errors(mac, "52:54:00") ==
          Strings{
              "(root): \"52:54:00\" does not match the pattern /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/"});
    auto anywhere = compile_ok(R"({"pattern": "-install"})"_json);
    CHECK(valid(anywhere, "centos-8-install"));
    CHECK(valid(anywhere, "debian-install-x"));
    auto bad = schema_errors(R"({"properties": {"a": {"pattern": "(unclosed"}}})"_json);
    REQUIRE(bad.size() == 1);
    CHECK(bad[0].rfind("schema /properties/a/pattern: pattern /(unclosed/ is not a valid ECMA-262 "
                       "regular expression",
                       0) == 0);
    // libstdc++'s matcher recurses per character: long strings are refused rather than risked.
    auto limited =
        Schema::compile(R"({"pattern": "^(a|b)*$"})"_json, CompileOptions{Draft::draft7, 200, 100});
    REQUIRE(limited);
    CHECK(limited->is_valid(std::string(100, 'a')));
    auto too_long = limited->validate(std::string(101, 'a'));
    REQUIRE(too_long.size() == 1);
    CHECK(too_long[0].message.find(
              "101 bytes long, too long to match safely against /^(a|b)*$/ (limit 100)") !=
          std::string::npos);
    CHECK(valid(compile_ok(R"({"pattern": "^(a|b)*$"})"_json), std::string(4096, 'a')));
    // std::regex builds one state per counted repetition; huge counts are refused up front.
    CHECK_FALSE(schema_errors(R"({"pattern": "a{100000}"})"_json).empty());
}

TEST_CASE("format: known formats are checked on strings, unknown formats ignored", "[jsonschema]") {
    auto check = [](const char* format, const json& instance) {
        return compile_ok({{"format", format}}).is_valid(instance);
    };
    CHECK(check("ipv4", "10.0.0.1"));
    CHECK_FALSE(check("ipv4", "10.0.0.256"));
    CHECK_FALSE(check("ipv4", "10.0.0"));
    CHECK_FALSE(check("ipv4", "010.0.0.1"));
    CHECK(check("ipv6", "fe80::1"));
    CHECK(check("ipv6", "::"));
    CHECK(check("ipv6", "2001:db8:0:0:0:0:2:1"));
    CHECK(check("ipv6", "::ffff:192.0.2.1"));
    CHECK_FALSE(check("ipv6", "2001:db8::2::1"));
    CHECK_FALSE(check("ipv6", "1:2:3:4:5:6:7:8:9"));
    CHECK_FALSE(check("ipv6", "12345::"));
    CHECK(check("uuid", "3e7031fe-3062-45f1-835c-92541bc9cbd3"));
    CHECK_FALSE(check("uuid", "3e7031fe306245f1835c92541bc9cbd3"));
    CHECK(check("date-time", "2017-12-21T23:26:43.412554192Z"));
    CHECK(check("date-time", "2024-02-29T00:00:00+01:00"));
    CHECK(check("date-time", "0001-01-01T00:00:00Z"));
    CHECK_FALSE(check("date-time", "2023-02-29T00:00:00Z"));
    CHECK_FALSE(check("date-time", "2017-12-21 23:26:43Z"));
    CHECK_FALSE(check("date-time", "2017-12-21T23:26:43"));
    CHECK(check("email", "admin@example.com"));
    CHECK_FALSE(check("email", "admin.example.com"));
    CHECK_FALSE(check("email", "a@-bad-.com"));
    CHECK(check("hostname", "node-01.example.com"));
    CHECK_FALSE(check("hostname", "-node.example.com"));
    CHECK_FALSE(check("hostname", std::string(64, 'a')));
    CHECK(check("uri", "http://10.0.0.1:8091/files/a%20b?x=1#top"));
    CHECK(check("uri", "urn:uuid:3e7031fe-3062-45f1-835c-92541bc9cbd3"));
    CHECK_FALSE(check("uri", "/relative/path"));
    CHECK_FALSE(check("uri", "http://bad host/"));
    CHECK(check("no-such-format", "anything"));
    CHECK(check("ipv4", 42));  // formats apply to strings only
    CHECK(errors(compile_ok(R"({"format": "ipv4"})"_json), "1.2.3") ==
          Strings{"(root): \"1.2.3\" is not a valid ipv4"});
}

TEST_CASE("properties, required and additionalProperties", "[jsonschema]") {
    auto machine = compile_ok(R"({
        "type": "object",
        "required": ["Uuid", "Name"],
        "properties": {"Uuid": {}, "Name": {"type": "string"}, "Runnable": {"type": "boolean"}},
        "additionalProperties": false
    })"_json);
    CHECK(valid(machine, R"({"Uuid": "u", "Name": "n", "Runnable": true})"_json));
    CHECK(errors(machine, R"({"Name": 1, "Extra": 2})"_json) ==
          Strings{"/Extra: property \"Extra\" is not allowed",
                  "/Name: 1 is an integer, not a string",
                  "(root): missing required property \"Uuid\""});
    CHECK_FALSE(valid(machine, json::array()));

    auto open = compile_ok(
        R"({"properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "integer"}})"_json);
    CHECK(valid(open, R"({"a": "x", "b": 1})"_json));
    CHECK(errors(open, R"({"b": "y"})"_json) == Strings{"/b: \"y\" is a string, not an integer"});
    CHECK(schema_errors(R"({"required": "Name"})"_json) ==
          Strings{"schema /required: required must be an array of strings"});
}

TEST_CASE("patternProperties and additionalProperties see each other's matches", "[jsonschema]") {
    auto meta = compile_ok(R"({
        "patternProperties": {"^x-": {"type": "string"}, "^n-": {"type": "number"}},
        "additionalProperties": false
    })"_json);
    CHECK(valid(meta, R"({"x-icon": "server", "n-count": 3})"_json));
    CHECK(errors(meta, R"({"x-icon": 1, "other": 1})"_json) ==
          Strings{"/other: property \"other\" is not allowed",
                  "/x-icon: 1 is an integer, not a string"});
}

TEST_CASE("propertyNames, minProperties and maxProperties", "[jsonschema]") {
    auto params = compile_ok(
        R"({"propertyNames": {"pattern": "^[a-z]"}, "minProperties": 1, "maxProperties": 2})"_json);
    CHECK(valid(params, R"({"a": 1})"_json));
    CHECK(errors(params, R"({"Ab": 1})"_json) ==
          Strings{"/Ab: \"Ab\" does not match the pattern /^[a-z]/"});
    CHECK(errors(params, json::object()) ==
          Strings{"(root): object has 0 properties, fewer than the minimum 1"});
    CHECK(errors(params, R"({"a": 1, "b": 2, "c": 3})"_json) ==
          Strings{"(root): object has 3 properties, more than the maximum 2"});
}

TEST_CASE("dependencies: a property requires other properties or a schema", "[jsonschema]") {
    auto schema = compile_ok(R"({"dependencies": {
        "Link": ["Path"],
        "IsoUrl": {"required": ["IsoFile"]}
    }})"_json);
    CHECK(valid(schema, R"({"Path": "/a"})"_json));
    CHECK(valid(schema, R"({"Link": "x", "Path": "/a"})"_json));
    CHECK(errors(schema, R"({"Link": "x"})"_json) ==
          Strings{"(root): property \"Link\" requires property \"Path\""});
    CHECK(errors(schema, R"({"IsoUrl": "http://x/y.iso"})"_json) ==
          Strings{"(root): missing required property \"IsoFile\""});
}

TEST_CASE("items: one schema for all, or one per position with additionalItems", "[jsonschema]") {
    auto tasks = compile_ok(R"({"type": "array", "items": {"type": "string"}})"_json);
    CHECK(valid(tasks, R"(["a", "b"])"_json));
    CHECK(valid(tasks, json::array()));
    CHECK(errors(tasks, R"(["a", 2, "c", null])"_json) ==
          Strings{"/1: 2 is an integer, not a string", "/3: null is null, not a string"});

    auto pair = compile_ok(
        R"({"items": [{"type": "string"}, {"type": "integer"}], "additionalItems": false})"_json);
    CHECK(valid(pair, R"(["a", 1])"_json));
    CHECK(valid(pair, R"(["a"])"_json));
    CHECK(errors(pair, R"(["a", 1, true])"_json) ==
          Strings{"/2: item 2 is not allowed: the schema defines 2 items"});
    auto rest = compile_ok(
        R"({"items": [{"type": "string"}], "additionalItems": {"type": "boolean"}})"_json);
    CHECK(valid(rest, R"(["a", true, false])"_json));
    CHECK_FALSE(valid(rest, R"(["a", 1])"_json));
    // additionalItems only applies after an items array.
    CHECK(valid(compile_ok(R"({"additionalItems": false})"_json), R"([1, 2])"_json));
}

TEST_CASE("contains, minItems, maxItems and uniqueItems", "[jsonschema]") {
    auto roles = compile_ok(
        R"({"contains": {"const": "admin"}, "minItems": 1, "maxItems": 3, "uniqueItems": true})"_json);
    CHECK(valid(roles, R"(["admin", "ops"])"_json));
    CHECK(errors(roles, R"(["ops"])"_json) ==
          Strings{"(root): no item matches the \"contains\" schema"});
    CHECK(errors(roles, json::array()) ==
          Strings{"(root): array has 0 items, fewer than the minimum 1",
                  "(root): no item matches the \"contains\" schema"});
    CHECK(errors(roles, R"(["admin", "a", "b", "c"])"_json) ==
          Strings{"(root): array has 4 items, more than the maximum 3"});
    CHECK(errors(roles, R"(["admin", "ops", "admin"])"_json) ==
          Strings{"(root): items 0 and 2 are equal, items must be unique"});
    auto unique = compile_ok(R"({"uniqueItems": true})"_json);
    CHECK_FALSE(valid(unique, R"([1, 1.0])"_json));
    CHECK_FALSE(valid(unique, R"([{"a": 1, "b": 2}, {"b": 2, "a": 1}])"_json));
    CHECK(valid(unique, R"([1, "1", [1], {"1": 1}, true])"_json));
}

TEST_CASE("allOf, anyOf, oneOf and not", "[jsonschema]") {
    auto all = compile_ok(R"({"allOf": [{"type": "integer"}, {"minimum": 10}]})"_json);
    CHECK(valid(all, 12));
    CHECK(errors(all, 2.5) == Strings{"(root): 2.5 is a number, not an integer",
                                      "(root): 2.5 is less than the minimum 10"});

    auto unset_or_uuid =
        compile_ok(R"({"type": "string", "anyOf": [{"maxLength": 0}, {"format": "uuid"}]})"_json);
    CHECK(valid(unset_or_uuid, ""));
    CHECK(valid(unset_or_uuid, "3e7031fe-3062-45f1-835c-92541bc9cbd3"));
    CHECK(errors(unset_or_uuid, "xyz") == Strings{"(root): \"xyz\" does not match any schema in "
                                                  "anyOf: [0] \"xyz\" is longer than 0 characters; "
                                                  "[1] \"xyz\" is not a valid uuid"});

    auto one = compile_ok(R"({"oneOf": [{"multipleOf": 3}, {"multipleOf": 5}]})"_json);
    CHECK(valid(one, 9));
    CHECK(valid(one, 10));
    CHECK(errors(one, 15) ==
          Strings{"(root): 15 matches 2 schemas in oneOf (0, 1) but must match exactly one"});
    CHECK_FALSE(valid(one, 7));

    auto no = compile_ok(R"({"not": {"type": "null"}})"_json);
    CHECK(valid(no, 0));
    CHECK(errors(no, nullptr) == Strings{"(root): null must not match the \"not\" schema"});
    CHECK_FALSE(schema_errors(R"({"anyOf": []})"_json).empty());
}

TEST_CASE("if/then/else picks a branch without reporting the condition (draft-07)",
          "[jsonschema]") {
    auto install = R"({
        "if": {"properties": {"Name": {"pattern": "-install$"}}},
        "then": {"required": ["OS"]},
        "else": {"properties": {"OS": {"type": "null"}}}
    })"_json;
    auto schema = compile_ok(install);
    CHECK(valid(schema, R"({"Name": "centos-install", "OS": {}})"_json));
    CHECK(errors(schema, R"({"Name": "centos-install"})"_json) ==
          Strings{"(root): missing required property \"OS\""});
    CHECK(valid(schema, R"({"Name": "local"})"_json));
    CHECK(errors(schema, R"({"Name": "local", "OS": 1})"_json) ==
          Strings{"/OS: 1 is an integer, not null"});
    // draft-06 does not know if/then/else: the keywords are ignored, as unknown keywords are.
    CHECK(valid(compile_ok(install, Draft::draft6), R"({"Name": "centos-install"})"_json));
}

TEST_CASE("boolean schemas exist from draft-06 on", "[jsonschema]") {
    CHECK(valid(compile_ok(json(true)), "anything"));
    CHECK(errors(compile_ok(json(false)), 1) ==
          Strings{"(root): no value is allowed here (schema is false)"});
    auto nothing_in_b = compile_ok(R"({"properties": {"b": false}})"_json);
    CHECK(valid(nothing_in_b, R"({"a": 1})"_json));
    CHECK_FALSE(valid(nothing_in_b, R"({"b": 1})"_json));
    CHECK_FALSE(schema_errors(json(true), Draft::draft4).empty());
    CHECK_FALSE(schema_errors(R"({"properties": {"b": false}})"_json, Draft::draft4).empty());
    // draft-04 still allows booleans where the keyword itself is defined as "boolean or schema".
    CHECK(schema_errors(R"({"additionalProperties": false, "additionalItems": true})"_json,
                        Draft::draft4)
              .empty());
}

TEST_CASE("$ref: local JSON pointers, escapes, recursion and errors", "[jsonschema]") {
    auto tree = compile_ok(R"({
        "definitions": {
            "node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/definitions/node"}}}},
            "a/b~c": {"type": "string"},
            "with space": {"type": "integer"}
        },
        "properties": {
            "root": {"$ref": "#/definitions/node"},
            "escaped": {"$ref": "#/definitions/a~1b~0c"},
            "encoded": {"$ref": "#/definitions/with%20space"},
            "self": {"$ref": "#"}
        }
    })"_json);
    CHECK(valid(
        tree,
        R"({"root": {"children": [{"children": []}, {}]}, "escaped": "s", "encoded": 1})"_json));
    auto found = tree.validate(R"({"root": {"children": [{"children": [7]}]}, "escaped": 1})"_json);
    REQUIRE(found.size() == 2);
    CHECK(found[0].instance_pointer == "/escaped");
    CHECK(found[0].schema_pointer == "/definitions/a~1b~0c/type");
    CHECK(found[1].instance_pointer == "/root/children/0/children/0");
    CHECK(found[1].schema_pointer == "/definitions/node/type");
    CHECK(found[1].keyword == "type");
    CHECK(valid(tree, R"({"self": {"self": {"escaped": "deep"}}})"_json));
    CHECK_FALSE(valid(tree, R"({"self": {"self": {"escaped": 1}}})"_json));

    SECTION("siblings of $ref are ignored (drafts 4-7)") {
        auto schema = compile_ok(
            R"({"definitions": {"s": {"type": "string"}}, "$ref": "#/definitions/s", "maxLength": 1})"_json);
        CHECK(valid(schema, "long string"));
    }
    SECTION("a $ref to the root's $id is local") {
        auto schema =
            compile_ok(R"({"$id": "http://drover/x.json", "definitions": {"s": {"type": "string"}},
                                     "properties": {"a": {"$ref": "http://drover/x.json#/definitions/s"}}})"_json);
        CHECK_FALSE(valid(schema, R"({"a": 1})"_json));
    }
    SECTION("unresolvable, remote and looping $refs are schema errors") {
        CHECK(schema_errors(R"({"properties": {"a": {"$ref": "#/definitions/missing"}}})"_json) ==
              Strings{"schema /properties/a/$ref: $ref \"#/definitions/missing\" points at nothing "
                      "in this schema"});
        CHECK_FALSE(schema_errors(R"({"$ref": "http://example.com/schema.json"})"_json).empty());
        CHECK_FALSE(schema_errors(R"({"$ref": "#anchor"})"_json).empty());
        CHECK_FALSE(schema_errors(R"({"$ref": "#"})"_json).empty());
        CHECK_FALSE(
            schema_errors(
                R"({"definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"allOf": [{"$ref": "#/definitions/a"}]}}})"_json)
                .empty());
        // Recursion through a property is fine: each step descends into the instance.
        CHECK(schema_errors(R"({"properties": {"next": {"$ref": "#"}}})"_json).empty());
    }
}

TEST_CASE("$schema selects the draft, CompileOptions::default_draft applies otherwise",
          "[jsonschema]") {
    auto draft4 =
        compile_ok(R"({"$schema": "http://json-schema.org/draft-04/schema#", "const": 1})"_json);
    CHECK(draft4.draft() == Draft::draft4);
    CHECK(valid(draft4, 2));  // const is not a draft-04 keyword
    auto draft6 =
        compile_ok(R"({"$schema": "http://json-schema.org/draft-06/schema#", "const": 1})"_json,
                   Draft::draft4);
    CHECK(draft6.draft() == Draft::draft6);
    CHECK_FALSE(valid(draft6, 2));
    CHECK(compile_ok(R"({})"_json, Draft::draft4).draft() == Draft::draft4);
    CHECK(compile_ok(R"({"$schema": "http://json-schema.org/schema#"})"_json, Draft::draft6)
              .draft() == Draft::draft6);
    CHECK_FALSE(schema_errors(R"({"$schema": "https://json-schema.org/draft/2020-12/schema"})"_json)
                    .empty());

    SECTION(
        "hybrid (gojsonschema's default, how DRP reads Param schemas) accepts every draft's "
        "keywords") {
        auto schema = compile_ok(
            R"({"maximum": 5, "exclusiveMaximum": true, "const": 1, "if": {"type": "string"}, "then": false})"_json,
            Draft::hybrid);
        CHECK(valid(schema, 1));
        CHECK_FALSE(valid(schema, 2));
        CHECK_FALSE(valid(schema, "s"));
        CHECK(compile_ok(R"({"exclusiveMinimum": 3})"_json, Draft::hybrid).is_valid(4));
    }
}

TEST_CASE("spec 1.10: Param schemas as DRP content writes them", "[jsonschema][spec1.10]") {
    // No "$schema": DRP's gojsonschema reads these in its hybrid mode, and so should the server.
    auto ntp = compile_ok(R"({
        "type": "array",
        "items": {"type": "string", "format": "ipv4"},
        "default": ["10.0.0.1"]
    })"_json,
                          Draft::hybrid);
    CHECK(valid(ntp, R"(["10.0.0.1"])"_json));  // the default validates, so the Param is valid
    CHECK(errors(ntp, R"(["10.0.0.1", "ntp.example.com"])"_json) ==
          Strings{"/1: \"ntp.example.com\" is not a valid ipv4"});

    auto retries = compile_ok(
        R"({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 10})"_json,
        Draft::hybrid);
    CHECK(valid(retries, 3));
    CHECK(errors(retries, 0) ==
          Strings{"(root): 0 is less than or equal to the exclusive minimum 0"});
    CHECK(errors(retries, "3") == Strings{"(root): \"3\" is a string, not an integer"});
}

TEST_CASE("every error is collected, with instance and schema pointers", "[jsonschema]") {
    auto job = compile_ok(R"({
        "type": "object",
        "required": ["Machine"],
        "properties": {
            "State": {"enum": ["created", "running", "failed", "finished", "incomplete"]},
            "CurrentIndex": {"type": "integer", "minimum": -1},
            "Meta": {"type": "object", "additionalProperties": {"type": "string"}}
        }
    })"_json);
    auto found = job.validate(
        R"({"State": "done", "CurrentIndex": -2.5, "Meta": {"icon": 1, "color": false}})"_json);
    REQUIRE(found.size() == 6);
    CHECK(found[0].instance_pointer == "/CurrentIndex");
    CHECK(found[0].keyword == "type");
    CHECK(found[0].schema_pointer == "/properties/CurrentIndex/type");
    CHECK(found[1].keyword == "minimum");
    CHECK(found[2].instance_pointer == "/Meta/color");
    CHECK(found[2].schema_pointer == "/properties/Meta/additionalProperties/type");
    CHECK(found[3].instance_pointer == "/Meta/icon");
    CHECK(found[4].instance_pointer == "/State");
    CHECK(found[4].keyword == "enum");
    CHECK(found[5].instance_pointer.empty());
    CHECK(found[5].keyword == "required");
    CHECK(to_string(found[5]) == "(root): missing required property \"Machine\"");

    // Member names with '/' and '~' are escaped in the instance pointer.
    auto strings = compile_ok(R"({"additionalProperties": {"type": "string"}})"_json);
    CHECK(errors(strings, R"({"change-stage/map": 1, "a~b": 2})"_json) ==
          Strings{"/a~0b: 2 is an integer, not a string",
                  "/change-stage~1map: 1 is an integer, not a string"});
}

TEST_CASE("schema errors are all collected and nothing throws", "[jsonschema]") {
    auto bad = schema_errors(R"({
        "type": 5,
        "minLength": "2",
        "properties": {"a": {"pattern": "["}, "b": 3},
        "allOf": {"type": "string"}
    })"_json);
    CHECK(bad.size() == 5);
    CHECK(schema_errors(json("not a schema")) ==
          Strings{"schema (root): a schema must be an object or a boolean"});
    // default is an annotation, never checked against the schema it sits in.
    CHECK(valid(compile_ok(R"({"type": "string", "default": 42})"_json), "x"));
    // Unknown keywords are ignored.
    CHECK(valid(compile_ok(R"({"x-drover": {"anything": true}})"_json), 1));
}

TEST_CASE("hostile input: depth limits at compile and validation time", "[jsonschema]") {
    json deep_schema = json::object();
    for (int i = 0; i < 300; ++i)
        deep_schema = json{{"items", deep_schema}};
    auto errors_deep = schema_errors(deep_schema);
    REQUIRE_FALSE(errors_deep.empty());
    CHECK(errors_deep[0].find("nested deeper than 200 levels") != std::string::npos);

    auto any_tree =
        compile_ok(R"({"items": {"$ref": "#"}, "additionalProperties": {"$ref": "#"}})"_json);
    json deep_instance = json::array();
    for (int i = 0; i < 1000; ++i)
        deep_instance = json::array({deep_instance});
    auto found = any_tree.validate(deep_instance);
    REQUIRE(found.size() == 1);
    CHECK(found[0].message.find("nesting deeper than") != std::string::npos);
    CHECK_FALSE(any_tree.is_valid(deep_instance));

    // "Billion laughs": 40 levels of allOf over the level below are 2^40 evaluations, no loop.
    json laughs = {{"definitions", {{"d0", {{"type", "integer"}}}}}};
    for (int i = 1; i <= 40; ++i) {
        std::string below = "#/definitions/d" + std::to_string(i - 1);
        laughs["definitions"]["d" + std::to_string(i)] = {
            {"allOf", {{{"$ref", below}}, {{"$ref", below}}}}};
    }
    laughs["$ref"] = "#/definitions/d40";
    CompileOptions budget;
    budget.max_evaluations = 100000;
    auto costly = Schema::compile(laughs, budget);
    REQUIRE(costly);
    CHECK_FALSE(costly->is_valid(1));
    auto stopped = costly->validate(1);
    REQUIRE_FALSE(stopped.empty());
    CHECK(stopped[0].message ==
          "validation stopped after 100000 subschema evaluations; the schema is too costly");

    auto shallow = Schema::compile(R"({"items": {"items": {"items": {}}}})"_json,
                                   CompileOptions{Draft::draft7, 2});
    CHECK_FALSE(shallow.has_value());
}

TEST_CASE("a compiled Schema is a value: copies validate the same way", "[jsonschema]") {
    auto compiled = Schema::compile(R"({"type": "string"})"_json);
    REQUIRE(compiled);
    Schema copy = *compiled;
    Schema other = compile_ok(R"({"type": "integer"})"_json);
    other = copy;
    CHECK(other.is_valid("s"));
    CHECK_FALSE(other.is_valid(1));
}

TEST_CASE("JSON pointer helpers (RFC 6901)", "[jsonschema]") {
    // Token parsing and escaping are common/api/json_pointer's (tested in api_json_patch_test).
    auto doc = R"({"a": [10, {"b/c": 3}], "": 1})"_json;
    CHECK(*resolve_pointer(doc, "/a/1/b~1c") == 3);
    CHECK(*resolve_pointer(doc, "/") == 1);
    CHECK(resolve_pointer(doc, "/a/01") == nullptr);
    CHECK(resolve_pointer(doc, "/a/2") == nullptr);
    CHECK(fragment_to_pointer("#/definitions/a%20b") == "/definitions/a b");
    CHECK(fragment_to_pointer("#") == "");
    CHECK_FALSE(fragment_to_pointer("#name").has_value());
    CHECK_FALSE(fragment_to_pointer("#/a%2").has_value());
}

TEST_CASE("validate_against_embedded reports an unknown schema name as an error", "[jsonschema]") {
    auto found = validate_against_embedded("no-such-object", json::object());
    REQUIRE(found.size() == 1);
    CHECK(found[0].message == "no embedded schema named \"no-such-object\" compiles");
    CHECK(embedded_schema("no-such-object") == nullptr);
}
