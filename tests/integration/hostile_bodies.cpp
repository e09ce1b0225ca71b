#include "hostile_bodies.hpp"

namespace drover::testing {

namespace {

std::string nested(std::size_t depth, char open, char close) {
    std::string s(depth, open);
    if (open == '{') {
        s.clear();
        for (std::size_t i = 0; i < depth; ++i)
            s += R"({"a":)";
        s += "1";
    }
    return s + std::string(depth, close);
}

// Replacements whose JSON type differs from `v`'s.
std::vector<nlohmann::json> other_types(const nlohmann::json& v) {
    using nlohmann::json;
    if (v.is_string()) return {json(12345), json::object({{"x", 1}})};
    if (v.is_boolean()) return {json("yes"), json::array({true})};
    if (v.is_number()) return {json("12"), json::object()};
    if (v.is_array()) return {json("a,b"), json::object({{"0", "a"}})};
    if (v.is_object()) return {json::array({1, 2}), json("k=v")};
    return {json::array({nullptr}), json(-1)};  // a null field: give it structure
}

}  // namespace

std::vector<NamedBody> malformed_bodies() {
    const std::string object = R"({"Name":"hostile","Description":"x","Meta":{"a":"b"}})";
    std::vector<NamedBody> out{
        {"empty", ""},
        {"whitespace", " \r\n\t "},
        {"garbage", "\x01\x02not json at all\x7f"},
        {"truncated object", object.substr(0, object.size() / 2)},
        {"truncated string", R"({"Name":"unterminated)"},
        {"truncated escape", R"({"Name":"\u12)"},
        {"unbalanced", R"({"Name":"x"]})"},
        {"trailing garbage", object + "}}"},
        {"two documents", object + object},
        {"comments", R"({"Name": /* no */ "x"})"},
        {"single quotes", R"({'Name':'x'})"},
        {"bare words", R"({Name: x})"},
        {"NaN", R"({"Name":"x","Count":NaN})"},
        {"huge number", R"({"Name":"x","CurrentTask":1e99999})"},
        {"top-level string", R"("hostile")"},
        {"top-level number", "-0.0e-7"},
        {"top-level null", "null"},
        {"top-level array of nulls", "[null,null]"},
        {"arrays nested 513 deep", nested(513, '[', ']')},
        {"objects nested 513 deep", nested(513, '{', '}')},
        // Within the test's 64 KiB body limit, so the nesting check answers, not the size check.
        {"arrays nested 30000 deep", nested(30000, '[', ']')},
        {"unclosed nesting 60000 deep", std::string(60000, '[')},
        {"invalid UTF-8 in a value", "{\"Name\":\"a\xff\xfe\"}"},
        {"invalid UTF-8 in a key", "{\"N\xc3\x28me\":\"x\"}"},
        {"overlong UTF-8", "{\"Name\":\"\xc0\xaf\"}"},
        {"UTF-16 surrogate in UTF-8", "{\"Name\":\"\xed\xa0\x80\"}"},
        {"lone surrogate escape", R"({"Name":"\ud800"})"},
        {"NUL byte", std::string("{\"Name\":\"a\0b\"}", 14)},
    };
    return out;
}

std::vector<std::pair<std::string, nlohmann::json>> wrong_typed_variants(
    const nlohmann::json& object) {
    std::vector<std::pair<std::string, nlohmann::json>> out;
    for (const auto& [field, value] : object.items())
        for (const nlohmann::json& other : other_types(value)) {
            nlohmann::json variant = object;
            variant[field] = other;
            out.emplace_back(field + "=" + other.dump(), std::move(variant));
        }
    return out;
}

}  // namespace drover::testing
