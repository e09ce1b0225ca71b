// The pure half of drover's tokens (issue 7): base64 codecs, the payload's encoding and strict
// decoding, and the lifetime check with its documented 60 s clock skew.
#include <catch2/catch.hpp>

#include "common/security/base64.hpp"
#include "common/security/token.hpp"

using namespace drover::security;
using nlohmann::json;

namespace {

TokenPayload sample() {
    TokenPayload p;
    p.subject = {SubjectKind::Machine, "aaaaaaaa-0000-4000-8000-000000000001"};
    p.issued_at = 1700000000;
    p.expires_at = 1700003600;
    p.generation = "gen-1";
    Claim c;
    c.scope = "machines";
    c.action = "get,patch";
    c.specific = "aaaaaaaa-0000-4000-8000-000000000001";
    p.claims = {c};
    return p;
}

std::string payload_of(json doc) {
    return base64url_encode(doc.dump());
}

json sample_json() {
    return json::parse(*base64url_decode(encode_payload(sample())));
}

}  // namespace

TEST_CASE("base64 and base64url follow RFC 4648 and accept only the canonical form",
          "[security][base64]") {
    const std::vector<std::pair<std::string, std::string>> vectors = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, coded] : vectors) {
        CHECK(base64_encode(plain) == coded);
        CHECK(base64_decode(coded) == plain);
        std::string unpadded = coded.substr(0, coded.find('='));
        CHECK(base64url_encode(plain) == unpadded);
        CHECK(base64url_decode(unpadded) == plain);
    }
    std::string all;
    for (int i = 0; i < 256; ++i)
        all += static_cast<char>(i);
    CHECK(base64_decode(base64_encode(all)) == all);
    CHECK(base64url_decode(base64url_encode(all)) == all);
    CHECK(base64_encode("\xfb\xff") == "+/8=");
    CHECK(base64url_encode("\xfb\xff") == "-_8");

    for (const char* bad : {"Zg", "Zg=", "Zg===", "Z===", "Zh==", "Zm9=", "Zm9v\n", " Zm9v", "Zm=v",
                            "-_8=", "Zm9v===="})
        CHECK_FALSE(base64_decode(bad));
    for (const char* bad : {"Zg==", "Z", "Zh", "Zm9", "+/8", "Zm9v=", "Zm 9v", "Zm9vY"})
        CHECK_FALSE(base64url_decode(bad));
}

TEST_CASE("a payload survives encoding and decoding", "[security][token]") {
    TokenPayload p = sample();
    auto back = decode_payload(encode_payload(p));
    REQUIRE(back.has_value());
    CHECK(back->subject == p.subject);
    CHECK(back->issued_at == p.issued_at);
    CHECK(back->expires_at == p.expires_at);
    CHECK(back->generation == p.generation);
    REQUIRE(back->claims.size() == 1);
    CHECK(back->claims[0].scope == "machines");
    CHECK(back->claims[0].action == "get,patch");
    CHECK(back->claims[0].specific == p.subject.name);

    json doc = sample_json();
    CHECK(doc["v"] == 1);
    CHECK(doc["sub"] == "machine:" + p.subject.name);
    CHECK(doc["iat"] == 1700000000);
    CHECK(doc["exp"] == 1700003600);
}

TEST_CASE("anything but exactly the encoded payload is malformed", "[security][token]") {
    std::vector<std::pair<std::string, json>> bad;
    auto with = [&](const std::string& name, auto change) {
        json doc = sample_json();
        change(doc);
        bad.emplace_back(name, doc);
    };
    with("version 2", [](json& d) { d["v"] = 2; });
    with("version as string", [](json& d) { d["v"] = "1"; });
    with("no sub", [](json& d) { d.erase("sub"); });
    with("sub without kind", [](json& d) { d["sub"] = "admin"; });
    with("sub empty name", [](json& d) { d["sub"] = "user:"; });
    with("iat as string", [](json& d) { d["iat"] = "1700000000"; });
    with("exp as float", [](json& d) { d["exp"] = 1.5; });
    with("exp before iat", [](json& d) { d["exp"] = 1600000000; });
    with("gen as number", [](json& d) { d["gen"] = 1; });
    with("no claims", [](json& d) { d.erase("claims"); });
    with("claims object", [](json& d) { d["claims"] = json::object(); });
    with("claim missing field", [](json& d) { d["claims"][0].erase("specific"); });
    with("claim extra field", [](json& d) { d["claims"][0]["x"] = "y"; });
    with("claim field number", [](json& d) { d["claims"][0]["scope"] = 1; });
    with("extra top-level key", [](json& d) { d["admin"] = true; });
    for (const auto& [name, doc] : bad) {
        INFO(name);
        auto r = decode_payload(payload_of(doc));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error() == TokenError::Malformed);
    }
    CHECK(decode_payload(base64url_encode("not json")).error() == TokenError::Malformed);
    CHECK(decode_payload(base64url_encode("[1]")).error() == TokenError::Malformed);
    CHECK(decode_payload("***").error() == TokenError::Malformed);
}

TEST_CASE("tokens split into a signed part and a MAC, strictly", "[security][token]") {
    std::string signed_part = encode_payload(sample());
    std::string token = join_token(signed_part, "0123456789abcdef0123456789abcdef");
    auto parts = split_token(token);
    REQUIRE(parts.has_value());
    CHECK(parts->signed_part == signed_part);
    CHECK(parts->mac == "0123456789abcdef0123456789abcdef");

    for (const std::string& bad :
         {std::string(""), std::string("abc"), "." + base64url_encode("mac"), signed_part + ".",
          signed_part + ".a.b", signed_part + "." + base64url_encode("mac") + "=",
          signed_part + "+." + base64url_encode("mac"), std::string(kMaxTokenLength + 1, 'A')}) {
        INFO(bad.substr(0, 40));
        auto r = split_token(bad);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error() == TokenError::Malformed);
    }
}

TEST_CASE("lifetime: 60 s of clock skew either side, no more", "[security][token]") {
    TokenPayload p = sample();
    CHECK_FALSE(check_lifetime(p, p.issued_at));
    CHECK_FALSE(check_lifetime(p, p.expires_at));
    CHECK_FALSE(check_lifetime(p, p.expires_at + kClockSkewSeconds));
    CHECK(check_lifetime(p, p.expires_at + kClockSkewSeconds + 1) == TokenError::Expired);
    CHECK_FALSE(check_lifetime(p, p.issued_at - kClockSkewSeconds));
    CHECK(check_lifetime(p, p.issued_at - kClockSkewSeconds - 1) == TokenError::NotYetValid);
    CHECK(kClockSkewSeconds == 60);
    CHECK(describe(TokenError::Expired) == "token expired");
    CHECK(describe(TokenError::Revoked) == "token revoked");
}
