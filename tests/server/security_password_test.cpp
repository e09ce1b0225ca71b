// Password hashing (issue 7): scrypt via OpenSSL, the stored format, constant-time verification,
// refusal of malformed or over-costly hashes, and the measured cost of the default parameters.
#include <catch2/catch.hpp>

#include <chrono>
#include <set>

#include "common/security/base64.hpp"
#include "security_test_support.hpp"
#include "server/security/password.hpp"

using namespace drover::security;
using drover::security::testing::kCheapCost;

namespace {

std::vector<std::string> fields(const std::string& encoded) {
    std::vector<std::string> out;
    std::size_t from = 0;
    while (true) {
        auto at = encoded.find('$', from);
        out.push_back(encoded.substr(from, at - from));
        if (at == std::string::npos) return out;
        from = at + 1;
    }
}

}  // namespace

TEST_CASE("scrypt hashes are scrypt$N$r$p$salt$hash with a fresh salt", "[security][password]") {
    auto h = hash_password("correct horse", kCheapCost);
    REQUIRE(h.has_value());
    auto f = fields(*h);
    REQUIRE(f.size() == 6);
    CHECK(f[0] == "scrypt");
    CHECK(f[1] == "1024");
    CHECK(f[2] == "8");
    CHECK(f[3] == "1");
    CHECK(base64url_decode(f[4])->size() == 16);
    CHECK(base64url_decode(f[5])->size() == 32);
    auto again = hash_password("correct horse", kCheapCost);
    CHECK(*again != *h);  // salted
    CHECK(verify_password("correct horse", *h));
    CHECK(verify_password("correct horse", *again));
    CHECK_FALSE(verify_password("correct horsf", *h));
    CHECK_FALSE(verify_password("correct horse ", *h));
    CHECK_FALSE(verify_password("", *h));
    CHECK(h->find("correct") == std::string::npos);
}

TEST_CASE("the default cost is N=2^15, r=8, p=1", "[security][password]") {
    ScryptCost c;
    CHECK(c.n == 32768);
    CHECK(c.r == 8);
    CHECK(c.p == 1);
    auto h = hash_password("pw", c);
    REQUIRE(h.has_value());
    CHECK(h->rfind("scrypt$32768$8$1$", 0) == 0);
    CHECK(verify_password("pw", *h));
}

TEST_CASE("malformed and over-costly hashes never verify", "[security][password]") {
    auto h = hash_password("pw", kCheapCost);
    REQUIRE(h.has_value());
    auto f = fields(*h);
    auto join = [](const std::vector<std::string>& parts) {
        std::string out;
        for (std::size_t i = 0; i < parts.size(); ++i)
            out += (i ? "$" : "") + parts[i];
        return out;
    };
    auto with = [&](std::size_t i, const std::string& v) {
        auto g = f;
        g[i] = v;
        return join(g);
    };
    const std::vector<std::string> bad = {
        "",
        "pw",
        "scrypt",
        with(0, "bcrypt"),
        with(1, "1000"),     // not a power of two
        with(1, "1"),        // too small
        with(1, "2097152"),  // 2^21: above the bound, refused without computing
        with(1, "01024"),    // not canonical
        with(1, "-1024"),
        with(2, "0"),
        with(2, "33"),
        with(3, "0"),
        with(3, "17"),
        with(4, ""),  // no salt
        with(4, "***"),
        with(5, f[5].substr(1)),  // short hash
        with(5, base64url_encode(std::string(32, 'x'))),
        join(f) + "$extra",
        with(1, "1048576") + "",  // 2^20 with r=8 is 1 GiB: above the memory bound
    };
    for (const auto& b : bad) {
        INFO(b);
        CHECK_FALSE(verify_password("pw", b));
    }
    CHECK(verify_password("pw", join(f)));
}

TEST_CASE("passwords are 1 to 1024 bytes, costs must be within bounds", "[security][password]") {
    CHECK_FALSE(hash_password("", kCheapCost).has_value());
    CHECK(hash_password(std::string(kMaxPasswordBytes, 'x'), kCheapCost).has_value());
    CHECK_FALSE(hash_password(std::string(kMaxPasswordBytes + 1, 'x'), kCheapCost).has_value());
    CHECK_FALSE(hash_password("pw", ScryptCost{1000, 8, 1}).has_value());
    CHECK_FALSE(hash_password("pw", ScryptCost{kMaxScryptN * 2, 1, 1}).has_value());
    CHECK_FALSE(hash_password("pw", ScryptCost{1024, 0, 1}).has_value());
    // Non-ASCII and NUL bytes are password bytes like any other.
    auto h = hash_password(std::string("p\0w\xc3\xa9", 5), kCheapCost);
    REQUIRE(h.has_value());
    CHECK(verify_password(std::string("p\0w\xc3\xa9", 5), *h));
    CHECK_FALSE(verify_password("p", *h));
}

TEST_CASE("random passwords: 24 base64url characters, all different", "[security][password]") {
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        std::string p = random_password();
        CHECK(p.size() == 24);
        CHECK(base64url_decode(p).has_value());
        seen.insert(p);
    }
    CHECK(seen.size() == 100);
}

TEST_CASE("scrypt cost of the default parameters on this machine", "[security][password][timing]") {
    using Clock = std::chrono::steady_clock;
    auto h = hash_password("measure me", ScryptCost{});
    REQUIRE(h.has_value());
    constexpr int kRounds = 5;
    auto start = Clock::now();
    for (int i = 0; i < kRounds; ++i)
        REQUIRE(verify_password("measure me", *h));
    auto ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count() / kRounds;
    WARN("scrypt N=2^15 r=8 p=1: " << ms << " ms per hash");
    CHECK(ms < 2000);
}
