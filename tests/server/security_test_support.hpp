// Shared by the security component tests: a real LMDB store with the object service in a temp
// dir, a cheap scrypt cost (tests check behaviour, not cost), and token decoding for inspection.
#pragma once
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "common/security/token.hpp"
#include "server/objects/object_service.hpp"
#include "server/security/param_cipher.hpp"
#include "server/security/password.hpp"
#include "store_test_util.hpp"

namespace drover::security::testing {

inline constexpr ScryptCost kCheapCost{std::uint64_t{1} << 10, 8, 1};

struct ObjectsFixture {
    store::testing::TempDir dir;
    std::string data_dir = dir.path + "/data";
    std::unique_ptr<store::Store> store;
    std::unique_ptr<objects::ObjectService> objects;

    ObjectsFixture() {
        store::StoreOptions so;
        so.data_dir = data_dir;
        so.buckets = objects::ObjectService::buckets();
        store = store::testing::open_ok(so);
        auto cipher = ParamCipher::load(data_dir + "/security");
        REQUIRE(cipher.has_value());
        objects = std::make_unique<objects::ObjectService>(
            *store, std::make_shared<ParamCipher>(std::move(*cipher)));
        REQUIRE(objects->ensure_builtins().ok());
    }

    // A new machine's Uuid.
    std::string machine(const std::string& name) {
        auto m = objects->create("machines", {{"Name", name}}, {});
        INFO((m ? "" : model::describe(m.error())));
        REQUIRE(m.has_value());
        return m.value()["Uuid"].get<std::string>();
    }
    std::string stored(const std::string& bucket, const std::string& key) {
        auto raw = store::testing::get(*store, bucket, key);
        REQUIRE(raw.has_value());
        return *raw;
    }
};

inline TokenPayload unverified_payload(const std::string& token) {
    auto parts = split_token(token);
    REQUIRE(parts.has_value());
    auto p = decode_payload(parts->signed_part);
    REQUIRE(p.has_value());
    return *p;
}

}  // namespace drover::security::testing
