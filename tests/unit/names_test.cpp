// spec 1.0 name rules and spec 1.1 Arch normalisation, row by row.
#include <catch2/catch.hpp>

#include "common/rules/names.hpp"

using namespace drover::rules;

TEST_CASE("ValidName: letters first, at least two runes, separators - _ . and space",
          "[names][spec1.0]") {
    for (const char* ok : {"ab", "task1", "my-task", "my_task", "my.task", "my task", "ünïcödé",
                           "日本語", "a1", "a-", "a..b"})
        CHECK(valid_name(ok));
    for (const char* bad :
         {"", "a", "1abc", "-ab", "foo/", "foo\\", "a/b", "a@b", "ab\n", "_ab", "a:b", "\xff\xfe"})
        CHECK_FALSE(valid_name(bad));
}

TEST_CASE("ValidParamName adds '/'", "[names][spec1.0]") {
    CHECK(valid_param_name("change-stage/map"));
    CHECK(valid_param_name("a/b/c"));
    CHECK_FALSE(valid_param_name("/ab"));
    CHECK_FALSE(valid_param_name("a"));
    CHECK_FALSE(valid_name("change-stage/map"));
}

TEST_CASE("ValidMachineName may start with a digit", "[names][spec1.0]") {
    CHECK(valid_machine_name("10.0.0.1"));
    CHECK(valid_machine_name("node-01.example.com"));
    CHECK(valid_machine_name("setup.tmpl"));
    CHECK_FALSE(valid_machine_name("1"));
    CHECK_FALSE(valid_machine_name(".ab"));
    CHECK_FALSE(valid_machine_name("foo/"));
}

TEST_CASE("ValidUserName adds '@'", "[names][spec1.0]") {
    CHECK(valid_user_name("admin@example.com"));
    CHECK_FALSE(valid_name("admin@example.com"));
}

TEST_CASE("name errors quote the value the way DRP does", "[names][spec5.8]") {
    CHECK(machine_name_error("Invalid Name", "") == "Invalid Name ``");
    CHECK(machine_name_error("Invalid Name", "foo\\") == "Invalid Name `foo\\`");
    CHECK(machine_name_error("Invalid Name", "foo/") == "Invalid Name `foo/`");
    CHECK_FALSE(machine_name_error("Invalid Name", "foo").has_value());
    CHECK(name_error("Invalid Stage", "s") == "Invalid Stage `s`");
    CHECK(param_name_error("Invalid Param", "x") == "Invalid Param `x`");
}

TEST_CASE("Arch: aliases normalise, only normalised names are accepted", "[names][spec1.1]") {
    CHECK(normalize_arch("x86_64") == "amd64");
    CHECK(normalize_arch("AARCH64") == "arm64");
    CHECK(normalize_arch("i686") == "386");
    CHECK(normalize_arch("mipsel") == "mipsle");
    CHECK(normalize_arch("mips64el") == "mips64le");
    CHECK_FALSE(normalize_arch("sparc").has_value());
    for (const char* a : {"amd64", "386", "arm", "arm64", "ppc64", "ppc64le", "mips64", "mips64le",
                          "s390x", "mips", "mipsle", "rpi4"})
        CHECK_FALSE(arch_error(a).has_value());
    CHECK(arch_error("x86_64") == "Please use amd64 for Arch instead of x86_64");
    CHECK(arch_error("aarch64") == "Please use arm64 for Arch instead of aarch64");
    CHECK(arch_error("sparc") == "Unsupported arch sparc");
}
