// Users (issue 7): ValidUserName, known roles only, each once; the hidden PasswordHash is an
// ordinary field of the model (hiding it is the server's), and unknown keys survive.
#include <catch2/catch.hpp>

#include "common/model/user.hpp"

using namespace drover::model;

TEST_CASE("user validation: name rule, known roles, no duplicates", "[validate][users]") {
    User u;
    u.name = "admin";
    u.roles = {"admin"};
    CHECK(validate(u).empty());
    u.name = "jane.doe@example.com";
    u.roles = {"operator", "readonly"};
    CHECK(validate(u).empty());
    u.roles = {};
    CHECK(validate(u).empty());

    u.name = "x";
    CHECK(validate(u) == Errors{"x: Invalid Name `x`"});
    u.name = "9lives";
    CHECK(validate(u) == Errors{"9lives: Invalid Name `9lives`"});
    u.name = "a,b";
    CHECK(validate(u) == Errors{"a,b: Invalid Name `a,b`"});
    u.name = "bob";
    u.roles = {"root", "admin", "admin", "Admin"};
    CHECK(validate(u) == Errors{"bob: Unknown role `root`", "bob: Duplicate role admin",
                                "bob: Unknown role `Admin`"});
}

TEST_CASE("users encode every field and keep unknown keys", "[codec][users]") {
    User u;
    Errors errs = decode(Json{{"Name", "bob"},
                              {"Roles", {"readonly"}},
                              {"PasswordHash", "scrypt$x"},
                              {"Password", "kept-as-extra"}},
                         u);
    CHECK(errs.empty());
    CHECK(u.name == "bob");
    CHECK(u.roles == std::vector<std::string>{"readonly"});
    CHECK(u.password_hash == "scrypt$x");
    CHECK(u.extras.contains("Password"));
    Json out = encode(u);
    CHECK(out["PasswordHash"] == "scrypt$x");
    CHECK(out["Description"] == "");
    CHECK(out["Available"] == false);
    CHECK(decode(Json{{"Roles", "admin"}}, u) == Errors{"User.Roles: expected array, got string"});
}
