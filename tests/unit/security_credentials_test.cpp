// spec 6.1 credentials: Basic, Bearer, and ?token= (user:pass when it holds a ':'), parsed
// strictly so that a garbled header is an error rather than an anonymous request.
#include <catch2/catch.hpp>

#include "common/security/base64.hpp"
#include "common/security/credentials.hpp"

using namespace drover::security;

namespace {

std::string basic(const std::string& user_pass) {
    return "Basic " + base64_encode(user_pass);
}

Credentials ok(const std::string* header, const std::string* query) {
    auto r = parse_credentials(header, query);
    INFO((r.has_value() ? "" : r.error()));
    REQUIRE(r.has_value());
    return *r;
}

std::string err(const std::string* header, const std::string* query) {
    auto r = parse_credentials(header, query);
    REQUIRE_FALSE(r.has_value());
    return r.error();
}

}  // namespace

TEST_CASE("Authorization: Basic and Bearer", "[security][credentials][spec6.1]") {
    std::string h = basic("rocketskates:r0cketsk8ts");
    CHECK(ok(&h, nullptr) == Credentials{BasicCredentials{"rocketskates", "r0cketsk8ts"}});
    h = basic("admin:pass:with:colons");
    CHECK(ok(&h, nullptr) == Credentials{BasicCredentials{"admin", "pass:with:colons"}});
    h = basic("admin:");
    CHECK(ok(&h, nullptr) == Credentials{BasicCredentials{"admin", ""}});
    h = "basic " + base64_encode("a:b");
    CHECK(ok(&h, nullptr) == Credentials{BasicCredentials{"a", "b"}});
    h = "Bearer abc.def";
    CHECK(ok(&h, nullptr) == Credentials{BearerCredentials{"abc.def"}});
    h = "  BEARER   abc.def  ";
    CHECK(ok(&h, nullptr) == Credentials{BearerCredentials{"abc.def"}});
}

TEST_CASE("garbled Authorization headers are errors", "[security][credentials][spec6.1]") {
    std::string h = basic("no-colon");
    CHECK(err(&h, nullptr) == "Basic credentials must be user:password");
    h = basic(":password");
    CHECK(err(&h, nullptr) == "Basic credentials must be user:password");
    h = "Basic not*base64";
    CHECK(err(&h, nullptr) == "Basic credentials are not valid base64");
    h = "Basic";
    CHECK(err(&h, nullptr) == "Basic credentials must be user:password");
    h = "Bearer";
    CHECK(err(&h, nullptr) == "Bearer credentials need a token");
    h = "Bearer   ";
    CHECK(err(&h, nullptr) == "Bearer credentials need a token");
    h = "Digest username=x";
    CHECK(err(&h, nullptr) == "Unsupported authorization scheme");
    h = "";
    CHECK(err(&h, nullptr) == "Unsupported authorization scheme");
}

TEST_CASE("?token= is a bearer token, or user:pass when it holds a colon",
          "[security][credentials][spec6.1]") {
    std::string q = "abc.def";
    CHECK(ok(nullptr, &q) == Credentials{BearerCredentials{"abc.def"}});
    q = "admin:secret";
    CHECK(ok(nullptr, &q) == Credentials{BasicCredentials{"admin", "secret"}});
    q = ":secret";
    CHECK(err(nullptr, &q) == "Basic credentials must be user:password");
    q = "";
    CHECK(err(nullptr, &q) == "Empty token");
    // The header wins over the query.
    std::string h = "Bearer from-header";
    q = "from-query";
    CHECK(ok(&h, &q) == Credentials{BearerCredentials{"from-header"}});
    CHECK(ok(nullptr, nullptr) == Credentials{NoCredentials{}});
}
