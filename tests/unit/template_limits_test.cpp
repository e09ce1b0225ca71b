// The bounds of a render (RenderLimits) and the hostile templates that needed them, most found
// while fuzzing the engine (tests/fuzz/template_fuzz; each input is also in its corpus): runaway
// loops and recursion, outputs and values past the byte limit, huge lists, maps that contain
// themselves, integer overflow in Sprig's ranges, quadratic padding in printf, and regexes that
// backtrack or recurse per character. Each must end with an error or Go's answer, never a hang,
// a crash or unbounded memory.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "common/tmpl/template.hpp"

namespace {

using drover::tmpl::RenderContext;
using drover::tmpl::RenderLimits;
using drover::tmpl::Result;
using drover::tmpl::TemplateSet;

Result<std::string> render(const std::string& text, const RenderLimits& limits = {}) {
    TemplateSet set;
    auto err = set.add("t", text);
    INFO(err.value_or(""));
    REQUIRE_FALSE(err);
    RenderContext ctx;
    ctx.limits = limits;
    return set.render("t", ctx);
}

std::string error_of(const std::string& text, const RenderLimits& limits = {}) {
    auto r = render(text, limits);
    INFO(text);
    REQUIRE_FALSE(r.ok());
    return r.error();
}

std::string output_of(const std::string& text, const RenderLimits& limits = {}) {
    auto r = render(text, limits);
    INFO(text << ": " << (r.ok() ? "" : r.error()));
    REQUIRE(r.ok());
    return r.value();
}

const RenderLimits kSmall{100'000, 64u << 10, 1000};

}  // namespace

TEST_CASE("render limits: steps stop runaway loops and recursion", "[tmpl][limits]") {
    CHECK_THAT(error_of("{{range until 1000}}{{range until 1000}}x{{end}}{{end}}", kSmall),
               Catch::Contains("render limit: more than 100000 steps"));
    // Each call renders "a" twice: 2^30 renders before the depth limit would stop it.
    CHECK_THAT(error_of(R"({{define "a"}}{{if lt (len .) 30}}{{template "a" (append . 1)}})"
                        R"({{template "a" (append . 1)}}{{end}}{{end}}{{template "a" list}})",
                        kSmall),
               Catch::Contains("render limit: more than 100000 steps"));
    // A list of lists sharing their elements prints exponentially; printing is charged too.
    CHECK_THAT(error_of("{{$l := list 1 2}}{{range until 40}}{{$l = list $l $l}}{{end}}{{$l}}",
                        {100'000, 1u << 30, 1000}),
               Catch::Contains("render limit: more than 100000 steps"));
    CHECK_THAT(error_of("{{$l := list 1}}{{range until 40}}{{$l = list $l $l}}{{end}}"
                        "{{toJson $l}}",
                        kSmall),
               Catch::Contains("error calling toJson: render limit"));
    // Copying a large string counts by its size: 1000 copies of 64 KiB are 500,000 units.
    CHECK_THAT(error_of(R"({{$s := repeat 65536 "x"}}{{range until 1000}}{{$t := $s}}{{end}})",
                        {100'000, 1u << 20, 1000}),
               Catch::Contains("render limit: more than 100000 steps"));
    CHECK(output_of("{{range $i := until 100}}{{$i}}{{end}}", kSmall).size() == 190);
}

TEST_CASE("render limits: bytes bound the output and every string", "[tmpl][limits]") {
    CHECK_THAT(error_of(R"({{range until 100}}{{repeat 1000 "x"}}{{end}})", kSmall),
               Catch::Contains("render limit: a string or output over 65536 bytes"));
    // Doubling a string: stopped by the first result over the limit, not by memory.
    CHECK_THAT(error_of(R"({{$x := "ab"}}{{range until 64}}{{$x = print $x $x}}{{end}})"),
               Catch::Contains("error calling print: render limit: a string or output over"));
    CHECK_THAT(error_of(R"({{indent 9000000000000000000 "x"}})"),
               Catch::Contains("error calling indent: render limit"));
    CHECK_THAT(error_of(R"({{replace "a" (repeat 60000 "b") (repeat 60000 "a")}})", kSmall),
               Catch::Contains("error calling replace: render limit"));
    CHECK_THAT(error_of(R"({{join (repeat 60000 "-") (until 999)}})", kSmall),
               Catch::Contains("error calling join: render limit"));
    // Go's own message where Go's int overflows; the render limit below that.
    CHECK_THAT(error_of(R"({{repeat 4611686018427387904 "abcd"}})"),
               Catch::Contains("strings: Repeat output length overflow"));
    CHECK_THAT(error_of(R"({{repeat 70000 "x"}})", kSmall), Catch::Contains("render limit"));
    CHECK(output_of(R"({{repeat 9223372036854775807 ""}})").empty());
    CHECK(output_of(R"({{repeat 3 "ab"}})") == "ababab");
}

TEST_CASE("render limits: Sprig's ranges count before they build", "[tmpl][limits]") {
    CHECK_THAT(error_of("{{until 2000000000}}"),
               Catch::Contains("error calling until: render limit: a list of more than 1048576"));
    CHECK_THAT(error_of("{{seq 1 5000}}", kSmall), Catch::Contains("render limit: a list of"));
    // Go's `i += step` wraps past MaxInt64 (and loops forever); the two elements are the answer.
    CHECK(output_of("{{untilStep 9223372036854775800 9223372036854775807 5}}") ==
          "[9223372036854775800 9223372036854775805]");
    CHECK(output_of("{{untilStep -9223372036854775800 -9223372036854775808 -5}}") ==
          "[-9223372036854775800 -9223372036854775805]");
    // seq's end+1 wraps in Go too, to an empty range.
    CHECK(output_of("{{seq 9223372036854775807}}").empty());
    CHECK(output_of("{{seq 3}} {{seq 5 -2 1}} {{until 3}} {{untilStep 0 10 4}}") ==
          "1 2 3 5 3 1 [0 1 2] [0 4 8]");
}

TEST_CASE("render limits: a map cannot be made to contain itself", "[tmpl][limits]") {
    // Go allows the cycle (and then crashes printing it); shared_ptr could not free it.
    CHECK_THAT(error_of(R"({{$m := dict}}{{$_ := set $m "a" $m}}{{$m}})"),
               Catch::Contains("error calling set: a map cannot contain itself"));
    CHECK_THAT(error_of(R"({{$m := dict "l" (list 1)}}{{$_ := set $m "a" (list (dict "x" $m))}})"),
               Catch::Contains("a map cannot contain itself"));
    CHECK_THAT(error_of(R"({{$m := dict "a" dict}}{{$_ := merge $m (dict "a" (dict "x" $m))}})"),
               Catch::Contains("error calling merge: a map cannot contain itself"));
    // Sharing without a cycle is fine.
    CHECK(output_of(R"({{$a := dict "x" 1}}{{$m := dict}}{{$_ := set $m "p" $a}})"
                    R"({{$_ := set $m "q" $a}}{{toJson $m}})") == R"({"p":{"x":1},"q":{"x":1}})");
}

TEST_CASE("printf pads a wide number in linear time", "[tmpl][limits]") {
    // Zero padding was inserted one digit at a time at the front: 999,999 digits took minutes.
    std::string out = output_of(R"({{printf "%0999999d" 7}})");
    CHECK(out.size() == 999999);
    CHECK(out.find_first_not_of('0') == 999998);
    CHECK(output_of(R"({{printf "%05d|%-4d|%+.3d|%x" 42 7 5 255}})") == "00042|7   |+005|ff");
}

TEST_CASE("regex functions run on RE2: no backtracking, no recursion per character",
          "[tmpl][limits]") {
    // std::regex overflowed the stack on the first and backtracked for hours on the second.
    CHECK(output_of(R"({{regexMatch "(a|b)*c" (repeat 200000 "a")}})") == "false");
    CHECK(output_of(R"({{regexMatch "(a+)+$" (printf "%sb" (repeat 40 "a"))}})") == "false");
    // Go's syntax, natively: named groups by name in replacements, \A and \z, (?i).
    CHECK(output_of(R"({{regexReplaceAll "(?P<x>a)(b)?" "cab" "[${x}${2}$1]"}})") == "c[aba]");
    CHECK(output_of(R"({{regexFindAll "\\Aab|c\\z" "abcabc" -1}})") == "[ab c]");
    CHECK(output_of(R"({{regexFind "(?i)HELLO" "say hello"}})") == "hello");
    CHECK_THAT(error_of(R"({{regexFind "(" "x"}})"),
               Catch::Contains("error calling regexFind: regexp: Compile(\"(\")"));
    // semver also ran on std::regex, and overflowed the same way.
    CHECK_THAT(error_of(R"({{semver (repeat 300000 "1")}})"),
               Catch::Contains("Invalid Semantic Version"));
    CHECK(output_of(R"({{(semver "v1.2.3-rc.1+b5").Prerelease}})") == "rc.1");
}
