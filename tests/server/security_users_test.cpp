// The users collection on a real store (issue 7): a Password given with a create, replace or
// patch is hashed with scrypt and never stored, shown or put in an event; PasswordHash is hidden
// like Machine.Secret and cannot be set by a request; and the first-start admin bootstrap.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "security_test_support.hpp"
#include "server/security/admin_bootstrap.hpp"
#include "server/security/user_accounts.hpp"

using namespace drover;
using namespace drover::security;
using drover::security::testing::kCheapCost;
using drover::security::testing::ObjectsFixture;
using model::Json;

namespace {

struct UsersFixture : ObjectsFixture {
    UserAccounts users{*objects, kCheapCost};

    Json create_ok(Json body) {
        auto r = users.create(std::move(body), {});
        INFO((r ? "" : model::describe(r.error())));
        REQUIRE(r.has_value());
        return r.value();
    }
    std::string hash_of(const std::string& name) {
        auto u = users.find(name);
        REQUIRE(u.has_value());
        return u->password_hash;
    }
    // Every event written so far, as one string, to prove what never appears in one.
    std::string all_events() {
        std::string out;
        for (const auto& e : store::testing::events_after(*store, 0))
            out += e.data + "\n";
        return out;
    }
};

Json op(const std::string& name, const std::string& path, Json value = nullptr) {
    Json o = {{"op", name}, {"path", path}};
    if (!value.is_null()) o["value"] = std::move(value);
    return o;
}

}  // namespace

TEST_CASE("creating a user with a Password stores only its scrypt hash", "[security][users]") {
    UsersFixture f;
    Json shown = f.create_ok({{"Name", "alice"}, {"Roles", {"operator"}}, {"Password", "s3cret!"}});
    CHECK(shown["PasswordHash"] == "");
    CHECK_FALSE(shown.contains("Password"));
    CHECK(shown["Available"] == true);
    CHECK(shown["Roles"] == Json{"operator"});

    std::string hash = f.hash_of("alice");
    CHECK(hash.rfind("scrypt$1024$8$1$", 0) == 0);
    CHECK(verify_password("s3cret!", hash));
    std::string raw = f.stored("users", "alice");
    CHECK(raw.find("s3cret!") == std::string::npos);
    CHECK(raw.find("\"Password\"") == std::string::npos);

    auto got = f.objects->get("users", "alice");
    REQUIRE(got.has_value());
    CHECK(got.value()["PasswordHash"] == "");
    int listed = 0;
    f.objects->list_with_params("users", [&](std::vector<Json> items, const auto&) {
        for (const auto& u : items) {
            CHECK(u["PasswordHash"] == "");
            ++listed;
        }
    });
    CHECK(listed == 1);
    std::string events = f.all_events();
    CHECK(events.find("s3cret!") == std::string::npos);
    CHECK(events.find("scrypt$") == std::string::npos);
    CHECK(events.find("\"alice\"") != std::string::npos);
}

TEST_CASE("a PasswordHash in a request is ignored, a bare Password never reaches the store",
          "[security][users]") {
    UsersFixture f;
    auto forged = hash_password("attacker", kCheapCost);
    REQUIRE(forged.has_value());
    f.create_ok({{"Name", "bob"}, {"PasswordHash", *forged}});
    CHECK(f.hash_of("bob") == "");

    f.create_ok({{"Name", "carol"}, {"Password", "first"}});
    std::string hash = f.hash_of("carol");
    auto put = f.users.replace("carol", {{"Name", "carol"}, {"PasswordHash", *forged}}, {});
    REQUIRE(put.has_value());
    CHECK(f.hash_of("carol") == hash);
    auto patched =
        f.users.patch("carol", Json::array({op("replace", "/PasswordHash", *forged)}), {});
    REQUIRE(patched.has_value());
    CHECK(f.hash_of("carol") == hash);

    // The generic object routes do not hash: a Password there is refused, not stored.
    auto direct = f.objects->create("users", {{"Name", "dave"}, {"Password", "x"}}, {});
    REQUIRE_FALSE(direct.has_value());
    CHECK(direct.error().code == 422);
    CHECK(direct.error().messages ==
          std::vector<std::string>{"dave: Password can only be set through the users API"});
    auto direct_patch =
        f.objects->patch("users", "carol", Json::array({op("add", "/Password", "x")}), {});
    REQUIRE_FALSE(direct_patch.has_value());
    CHECK(direct_patch.error().code == 422);
    CHECK(f.hash_of("carol") == hash);
}

TEST_CASE("PUT and PATCH keep the hash unless they set a Password", "[security][users]") {
    UsersFixture f;
    f.create_ok({{"Name", "alice"}, {"Roles", {"readonly"}}, {"Password", "one"}});
    std::string h1 = f.hash_of("alice");

    auto put = f.users.replace("alice", {{"Name", "alice"}, {"Description", "hi"}}, {});
    REQUIRE(put.has_value());
    CHECK(put.value()["Description"] == "hi");
    CHECK(put.value()["PasswordHash"] == "");
    CHECK(f.hash_of("alice") == h1);

    auto patch =
        f.users.patch("alice", Json::array({op("replace", "/Roles", Json{"operator"})}), {});
    REQUIRE(patch.has_value());
    CHECK(f.hash_of("alice") == h1);

    auto put_pw = f.users.replace("alice", {{"Name", "alice"}, {"Password", "two"}}, {});
    REQUIRE(put_pw.has_value());
    CHECK(put_pw.value()["Roles"] == Json::array());
    std::string h2 = f.hash_of("alice");
    CHECK(verify_password("two", h2));

    auto patch_pw =
        f.users.patch("alice",
                      Json::array({op("test", "/Name", "alice"), op("add", "/Password", "three"),
                                   op("replace", "/Description", "changed")}),
                      {});
    REQUIRE(patch_pw.has_value());
    CHECK(patch_pw.value()["Description"] == "changed");
    CHECK_FALSE(patch_pw.value().contains("Password"));
    CHECK(verify_password("three", f.hash_of("alice")));

    // Setting the same password again still makes a new hash (fresh salt), so old tokens die.
    auto same = f.users.patch("alice", Json::array({op("replace", "/Password", "three")}), {});
    REQUIRE(same.has_value());
    CHECK(f.hash_of("alice") != h2);
    CHECK(verify_password("three", f.hash_of("alice")));
    CHECK(f.all_events().find("three") == std::string::npos);
}

TEST_CASE("patches may only set /Password, once, to a non-empty string", "[security][users]") {
    UsersFixture f;
    f.create_ok({{"Name", "alice"}, {"Password", "one"}});
    std::string h = f.hash_of("alice");
    struct Bad {
        Json patch;
        int code;
    };
    const std::vector<Bad> bad = {
        {Json::array({op("remove", "/Password")}), 400},
        {Json::array({op("test", "/Password", "one")}), 400},
        {Json::array({{{"op", "copy"}, {"from", "/Password"}, {"path", "/Description"}}}), 400},
        {Json::array({{{"op", "move"}, {"from", "/Description"}, {"path", "/Password"}}}), 400},
        {Json::array({op("add", "/Password/x", "y")}), 400},
        {Json::array({op("add", "/Password", "a"), op("add", "/Password", "b")}), 400},
        {Json::array({{{"op", 5}, {"path", "/Password"}, {"value", "x"}}}), 400},
        {Json::array({42}), 400},
        {Json::array({op("add", "/Password", 42)}), 422},
        {Json::array({op("add", "/Password", "")}), 422},
        {Json::array({op("add", "/Password", std::string(kMaxPasswordBytes + 1, 'x'))}), 422},
    };
    for (const auto& b : bad) {
        INFO(b.patch.dump());
        auto r = f.users.patch("alice", b.patch, {});
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == b.code);
        CHECK(f.hash_of("alice") == h);
    }
    auto odd_name = f.users.create({{"Name", 42}, {"Password", "x"}}, {});
    REQUIRE_FALSE(odd_name.has_value());
    CHECK(odd_name.error().code == 400);
    auto not_object = f.users.create(Json::array(), {});
    REQUIRE_FALSE(not_object.has_value());
    CHECK(not_object.error().code == 400);
    auto body_bad = f.users.create({{"Name", "bob"}, {"Password", Json::array()}}, {});
    REQUIRE_FALSE(body_bad.has_value());
    CHECK(body_bad.error().code == 422);
    CHECK_FALSE(f.users.find("bob"));
    // A patch whose other ops fail leaves the password as it was.
    auto failing = f.users.patch(
        "alice", Json::array({op("add", "/Password", "new"), op("test", "/Name", "zed")}), {});
    REQUIRE_FALSE(failing.has_value());
    CHECK(failing.error().code == 409);
    CHECK(f.hash_of("alice") == h);
}

TEST_CASE("users are validated: name rule, known roles", "[security][users]") {
    UsersFixture f;
    auto bad_role = f.users.create({{"Name", "eve"}, {"Roles", {"root"}}, {"Password", "x"}}, {});
    REQUIRE_FALSE(bad_role.has_value());
    CHECK(bad_role.error().code == 422);
    CHECK(bad_role.error().messages == std::vector<std::string>{"eve: Unknown role `root`"});
    auto bad_name = f.users.create({{"Name", "e"}}, {});
    REQUIRE_FALSE(bad_name.has_value());
    CHECK(bad_name.error().code == 422);
    f.create_ok({{"Name", "eve@example.com"}});
    auto dup = f.users.create({{"Name", "eve@example.com"}}, {});
    REQUIRE_FALSE(dup.has_value());
    CHECK(dup.error().code == 409);
    auto removed = f.objects->remove("users", "eve@example.com", {});
    REQUIRE(removed.has_value());
    CHECK(removed.value()["PasswordHash"] == "");
    CHECK_FALSE(f.users.find("eve@example.com"));
}

TEST_CASE("first start creates admin with a random password in a private file",
          "[security][bootstrap]") {
    UsersFixture f;
    CHECK_FALSE(f.users.any());
    auto b = bootstrap_admin(f.users, f.data_dir, std::nullopt);
    REQUIRE(b.has_value());
    CHECK(b->created);
    REQUIRE(b->generated_password.has_value());
    CHECK(b->generated_password->size() == 24);
    CHECK(b->password_file == f.data_dir + "/initial-admin-password");
    std::ifstream in(b->password_file);
    std::string line;
    std::getline(in, line);
    CHECK(line == *b->generated_password);
    struct stat st {};
    REQUIRE(::stat(b->password_file.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);

    auto admin = f.users.find("admin");
    REQUIRE(admin.has_value());
    CHECK(admin->roles == std::vector<std::string>{"admin"});
    CHECK(verify_password(*b->generated_password, admin->password_hash));
    CHECK(f.all_events().find(*b->generated_password) == std::string::npos);

    // Later starts change nothing, even with a password given.
    auto again = bootstrap_admin(f.users, f.data_dir, std::string("other"));
    REQUIRE(again.has_value());
    CHECK_FALSE(again->created);
    CHECK_FALSE(again->generated_password);
    CHECK(verify_password(*b->generated_password, f.hash_of("admin")));
}

TEST_CASE("first start with a given password writes no file", "[security][bootstrap]") {
    UsersFixture f;
    auto b = bootstrap_admin(f.users, f.data_dir, std::string("given-pw"));
    REQUIRE(b.has_value());
    CHECK(b->created);
    CHECK_FALSE(b->generated_password);
    CHECK(b->password_file.empty());
    CHECK_FALSE(std::filesystem::exists(f.data_dir + "/initial-admin-password"));
    CHECK(verify_password("given-pw", f.hash_of("admin")));

    auto empty = bootstrap_admin(f.users, f.data_dir, std::string(""));
    REQUIRE(empty.has_value());  // users exist: nothing to do
    CHECK_FALSE(empty->created);
}

TEST_CASE("deleting admin is respected while other users exist, an empty password is refused",
          "[security][bootstrap]") {
    UsersFixture f;
    f.create_ok({{"Name", "root"}, {"Roles", {"admin"}}, {"Password", "pw"}});
    auto b = bootstrap_admin(f.users, f.data_dir, std::nullopt);
    REQUIRE(b.has_value());
    CHECK_FALSE(b->created);
    CHECK_FALSE(f.users.find("admin"));

    UsersFixture fresh;
    auto bad = bootstrap_admin(fresh.users, fresh.data_dir, std::string(""));
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().find("cannot create user admin") == 0);
    CHECK_FALSE(fresh.users.any());
}
