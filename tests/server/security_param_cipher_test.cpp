// The secure-param cipher (spec 1.10, issue 7): the key file (created once, 0600, refused when
// others may read it or it has the wrong size), AES-256-GCM round trips of every JSON kind with a
// fresh nonce each time, and refusals: any altered byte, another owner (object type, key or param
// name), another server's key, malformed sealed forms.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "common/security/base64.hpp"
#include "server/security/param_cipher.hpp"
#include "store_test_util.hpp"

using namespace drover::security;
using drover::store::testing::TempDir;
using nlohmann::json;

namespace {

ParamCipher cipher_with(char fill) {
    auto c = ParamCipher::from_key(std::string(ParamCipher::kKeyBytes, fill));
    REQUIRE(c.has_value());
    return std::move(*c);
}

const SecretOwner kOwner{"machines", "3e1f0c4a-0000-4000-8000-000000000001", "bmc/password"};

json sealed(const ParamCipher& c, const json& clear, const SecretOwner& owner = kOwner) {
    auto s = c.seal(owner, clear);
    REQUIRE(s.has_value());
    return *s;
}

std::string refusal(const ParamCipher& c, const json& value, const SecretOwner& owner = kOwner) {
    auto opened = c.open(owner, value);
    REQUIRE_FALSE(opened.has_value());
    return opened.error();
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

// `value` with one byte of its base64 member `member` flipped.
json flipped(json value, const char* member, std::size_t at) {
    std::string bytes = *base64_decode(value[member].get<std::string>());
    bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
    value[member] = base64_encode(bytes);
    return value;
}

}  // namespace

TEST_CASE("the param key is created once, private, and kept across starts",
          "[security][secure][param-key]") {
    TempDir dir;
    std::string sec = dir.path + "/security";
    auto first = ParamCipher::load(sec);
    REQUIRE(first.has_value());
    CHECK(mode_of(sec) == 0700);
    CHECK(mode_of(sec + "/params.key") == 0600);
    std::string key = read_all(sec + "/params.key");
    CHECK(key.size() == ParamCipher::kKeyBytes);
    json value = sealed(*first, "s3cret");

    auto second = ParamCipher::load(sec);
    REQUIRE(second.has_value());
    CHECK(read_all(sec + "/params.key") == key);
    CHECK(*second->open(kOwner, value) == "s3cret");

    TempDir other;
    auto foreign = ParamCipher::load(other.path + "/security");
    REQUIRE(foreign.has_value());
    CHECK(refusal(*foreign, value) == "was sealed with another server's key");

    std::string key_file = sec + "/params.key";
    ::chmod(key_file.c_str(), 0640);
    auto loose = ParamCipher::load(sec);
    REQUIRE_FALSE(loose.has_value());
    CHECK(loose.error() ==
          key_file + " is accessible by group or others (mode 0640); chmod go-rwx it");
    ::chmod(key_file.c_str(), 0600);
    {
        std::ofstream out(key_file, std::ios::trunc | std::ios::binary);
        out << "short";
    }
    auto short_key = ParamCipher::load(sec);
    REQUIRE_FALSE(short_key.has_value());
    CHECK(short_key.error() == key_file + ": a param key is 32 bytes, not 5");
}

TEST_CASE("every JSON value seals and opens again, nonces are fresh, Key names the key",
          "[security][secure]") {
    ParamCipher c = cipher_with('k');
    std::set<std::string> nonces;
    std::string key_id;
    for (const json& clear :
         {json("hunter2"), json(""), json(42), json(1.5), json(true), json(nullptr),
          json::array({1, "two", nullptr}), json{{"user", "root"}, {"password", "p@ss\nw\"rd"}},
          json(std::string(100000, 'x'))}) {
        json s = sealed(c, clear);
        CHECK(is_sealed(s));
        CHECK(s.dump().find(clear.dump()) == std::string::npos);
        auto data = parse_sealed(s);
        REQUIRE(data);
        CHECK(data->nonce.size() == 12);
        CHECK(data->payload.size() == clear.dump().size() + 16);  // ciphertext + GCM tag
        CHECK(data->key.size() == 32);
        if (key_id.empty()) key_id = data->key;
        CHECK(data->key == key_id);
        nonces.insert(data->nonce);
        auto opened = c.open(kOwner, s);
        REQUIRE(opened.has_value());
        CHECK(*opened == clear);
    }
    CHECK(nonces.size() == 9);
    // The same value sealed twice differs (fresh nonce) and both open.
    json a = sealed(c, "same"), b = sealed(c, "same");
    CHECK(a != b);
    CHECK(*c.open(kOwner, a) == *c.open(kOwner, b));
    // Key is a digest, not the key: another key has another Key.
    CHECK(parse_sealed(sealed(cipher_with('j'), "x"))->key != key_id);
}

TEST_CASE("altered or misplaced sealed values are refused", "[security][secure]") {
    ParamCipher c = cipher_with('k');
    json s = sealed(c, {{"password", "hunter2"}});
    const std::string bad_tag = "does not decrypt: altered, or sealed for another object or param";

    std::size_t payload_bytes = base64_decode(s["Payload"].get<std::string>())->size();
    for (std::size_t at : {std::size_t{0}, payload_bytes / 2, payload_bytes - 1})
        CHECK(refusal(c, flipped(s, "Payload", at)) == bad_tag);  // ciphertext and tag bytes
    CHECK(refusal(c, flipped(s, "Nonce", 0)) == bad_tag);
    CHECK(refusal(c, flipped(s, "Key", 0)) == "was sealed with another server's key");

    // Bound to its owner: another object type, key or param name does not open it.
    CHECK(refusal(c, s, {"profiles", kOwner.key, kOwner.param}) == bad_tag);
    CHECK(refusal(c, s, {kOwner.prefix, "3e1f0c4a-0000-4000-8000-000000000002", kOwner.param}) ==
          bad_tag);
    CHECK(refusal(c, s, {kOwner.prefix, kOwner.key, "bmc/user"}) == bad_tag);

    json truncated = s;
    truncated["Payload"] = base64_encode(std::string(15, 'x'));
    CHECK(refusal(c, truncated) == "is not a well-formed sealed value");
    json short_nonce = s;
    short_nonce["Nonce"] = base64_encode(std::string(24, 'n'));  // a NaCl box nonce
    CHECK(refusal(c, short_nonce) == "is not a well-formed sealed value");
    json not_base64 = s;
    not_base64["Payload"] = "***";
    CHECK(refusal(c, not_base64) == "is not a well-formed sealed value");
    CHECK(refusal(c, json("hunter2")) == "is not a well-formed sealed value");
}
