// Token signing (issue 7): the server key file (created once, 0600, refused when others may read
// it or it has the wrong size), HMAC-SHA256 tokens, and verify()'s four failures: malformed, bad
// signature, expired (60 s skew) and revoked (the subject's generation moved or it is gone).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "common/security/base64.hpp"
#include "security_test_support.hpp"
#include "server/security/token_signer.hpp"

using namespace drover::security;
using drover::store::testing::TempDir;

namespace {

const std::string kKey(32, 'k');

TokenSigner signer_with(const std::string& key = kKey) {
    auto s = TokenSigner::from_key(key);
    REQUIRE(s.has_value());
    return std::move(*s);
}

TokenPayload payload(std::int64_t iat = 1000, std::int64_t ttl = 3600) {
    TokenPayload p;
    p.subject = {SubjectKind::User, "alice"};
    p.issued_at = iat;
    p.expires_at = iat + ttl;
    p.generation = "g1";
    Claim c;
    c.scope = "*";
    c.action = "*";
    c.specific = "*";
    p.claims = {c};
    return p;
}

TokenSigner::GenerationLookup generation_is(std::optional<std::string> g) {
    return [g](const Subject&) { return g; };
}

unsigned mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("the token key is created once, private, and kept across starts",
          "[security][token-key]") {
    TempDir dir;
    std::string sec = dir.path + "/security";
    auto first = TokenSigner::open(sec);
    REQUIRE(first.has_value());
    CHECK(mode_of(sec) == 0700);
    CHECK(mode_of(sec + "/token.key") == 0600);
    std::string key = read_all(sec + "/token.key");
    CHECK(key.size() == 32);
    CHECK_FALSE(std::filesystem::exists(sec + "/token.key.tmp"));
    std::string token = first->sign(payload());

    auto second = TokenSigner::open(sec);
    REQUIRE(second.has_value());
    CHECK(read_all(sec + "/token.key") == key);
    CHECK(second->verify(token, 1000, generation_is("g1")).has_value());

    // Another data dir has another key: its tokens do not verify here.
    TempDir other;
    auto foreign = TokenSigner::open(other.path + "/security");
    REQUIRE(foreign.has_value());
    CHECK(foreign->verify(token, 1000, generation_is("g1")).error() == TokenError::BadSignature);
}

TEST_CASE("a token key others may read, or of the wrong size, is refused",
          "[security][token-key]") {
    TempDir dir;
    std::string sec = dir.path + "/security";
    REQUIRE(TokenSigner::open(sec).has_value());
    std::string key_file = sec + "/token.key";

    ::chmod(key_file.c_str(), 0644);
    auto loose = TokenSigner::open(sec);
    REQUIRE_FALSE(loose.has_value());
    CHECK(loose.error() ==
          key_file + " is accessible by group or others (mode 0644); chmod go-rwx it");
    ::chmod(key_file.c_str(), 0600);

    ::chmod(sec.c_str(), 0755);
    CHECK_FALSE(TokenSigner::open(sec).has_value());
    ::chmod(sec.c_str(), 0700);

    {
        std::ofstream out(key_file, std::ios::trunc | std::ios::binary);
        out << "short";
    }
    auto short_key = TokenSigner::open(sec);
    REQUIRE_FALSE(short_key.has_value());
    CHECK(short_key.error() == key_file + ": a token key is 32 bytes, not 5");

    std::filesystem::remove(key_file);
    std::filesystem::create_symlink("/etc/hostname", key_file);
    CHECK_FALSE(TokenSigner::open(sec).has_value());

    CHECK_FALSE(TokenSigner::from_key("too short").has_value());
}

TEST_CASE("sign and verify: the payload comes back, the MAC is HMAC-SHA256", "[security][token]") {
    TokenSigner s = signer_with();
    std::string token = s.sign(payload());
    auto dot = token.find('.');
    CHECK(base64url_decode(token.substr(dot + 1))->size() == 32);
    auto p = s.verify(token, 1500, generation_is("g1"));
    REQUIRE(p.has_value());
    CHECK(p->subject.id() == "user:alice");
    CHECK(p->expires_at == 4600);
    REQUIRE(p->claims.size() == 1);
    CHECK(p->claims[0].scope == "*");
    // Deterministic: the same payload signs the same.
    CHECK(s.sign(payload()) == token);
}

TEST_CASE("verify: malformed, bad signature, expired, not yet valid, revoked",
          "[security][token]") {
    TokenSigner s = signer_with();
    std::string token = s.sign(payload());
    auto error_of = [&](const std::string& t, std::int64_t now,
                        std::optional<std::string> gen = "g1") {
        auto r = s.verify(t, now, generation_is(gen));
        REQUIRE_FALSE(r.has_value());
        return r.error();
    };
    CHECK(error_of("", 1000) == TokenError::Malformed);
    CHECK(error_of("garbage", 1000) == TokenError::Malformed);
    CHECK(error_of(token + "=", 1000) == TokenError::Malformed);
    CHECK(error_of(token + ".x", 1000) == TokenError::Malformed);
    CHECK(error_of(token + "x", 1000) == TokenError::BadSignature);  // a 33-byte MAC

    // A changed payload or MAC fails the signature, whatever the change.
    auto dot = token.find('.');
    TokenPayload admin = payload();
    admin.subject.name = "admin";
    std::string forged = encode_payload(admin) + token.substr(dot);
    CHECK(error_of(forged, 1000) == TokenError::BadSignature);
    std::string flipped = token;
    flipped[dot + 5] = flipped[dot + 5] == 'A' ? 'B' : 'A';
    CHECK(error_of(flipped, 1000) == TokenError::BadSignature);
    std::string truncated_mac =
        token.substr(0, dot + 1) +
        base64url_encode(base64url_decode(token.substr(dot + 1))->substr(0, 16));
    CHECK(error_of(truncated_mac, 1000) == TokenError::BadSignature);
    CHECK(error_of(signer_with(std::string(32, 'q')).sign(payload()), 1000) ==
          TokenError::BadSignature);

    CHECK(s.verify(token, 4600 + 60, generation_is("g1")).has_value());
    CHECK(error_of(token, 4600 + 61) == TokenError::Expired);
    CHECK(s.verify(token, 1000 - 60, generation_is("g1")).has_value());
    CHECK(error_of(token, 1000 - 61) == TokenError::NotYetValid);

    CHECK(error_of(token, 1000, "g2") == TokenError::Revoked);
    CHECK(error_of(token, 1000, "") == TokenError::Revoked);
    CHECK(error_of(token, 1000, std::nullopt) == TokenError::Revoked);
}

TEST_CASE("verify checks the signature before it reads the payload or asks for the subject",
          "[security][token]") {
    TokenSigner s = signer_with();
    int lookups = 0;
    auto counting = [&](const Subject&) -> std::optional<std::string> {
        ++lookups;
        return "g1";
    };
    std::string token = s.sign(payload());
    std::string forged = encode_payload(payload(1000, 999999)) + token.substr(token.find('.'));
    CHECK(s.verify(forged, 1000, counting).error() == TokenError::BadSignature);
    CHECK(s.verify(token, 999999, counting).error() == TokenError::Expired);
    CHECK(lookups == 0);
    CHECK(s.verify(token, 1000, counting).has_value());
    CHECK(lookups == 1);
}

TEST_CASE("generations are keyed digests: stable, distinct, unrelated across keys",
          "[security][token]") {
    TokenSigner a = signer_with();
    TokenSigner b = signer_with(std::string(32, 'z'));
    CHECK(a.generation("state") == a.generation("state"));
    CHECK(a.generation("state") != a.generation("state2"));
    CHECK(a.generation("state") != b.generation("state"));
    CHECK(a.generation("state").size() == 22);  // 16 bytes, base64url
    CHECK(a.generation("state").find("state") == std::string::npos);
}
