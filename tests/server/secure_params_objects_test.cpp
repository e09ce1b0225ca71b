// Secure params through the object service on a real LMDB store (spec 1.10, 6.3; issue 7): clear
// values of a Secure Param are sealed in the write that sets them (object writes, params
// sub-resources), never reach the data file or events in clear, come back sealed from reads and
// write answers and in clear with decode, survive GET/PUT round trips and the job engine's
// bookkeeping byte for byte, are refused when altered or copied from another object, are checked
// against the schema in clear without the value showing in messages, and render in clear. A
// Param written Secure seals the clear values stored before it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "common/security/secure_value.hpp"
#include "security_test_support.hpp"
#include "server/jobs/action_renderer.hpp"

using namespace drover;
using namespace drover::security::testing;
using model::Json;

namespace {

const std::string kSecret = "correct-horse-battery-staple";

struct SecureFixture : ObjectsFixture {
    SecureFixture() {
        param("bmc/password", true, {{"type", "string"}, {"minLength", 8}});
        param("plain", false, {{"type", "string"}});
    }
    void param(const std::string& name, bool secure, Json schema = Json::object()) {
        auto r =
            objects->create("params", {{"Name", name}, {"Secure", secure}, {"Schema", schema}}, {});
        INFO((r ? "" : model::describe(r.error())));
        REQUIRE(r.has_value());
    }
    Json ok(const objects::ObjectResult& r) {
        INFO((r ? "" : model::describe(r.error())));
        REQUIRE(r.has_value());
        return r.value();
    }
    model::Error refused(const objects::ObjectResult& r) {
        REQUIRE_FALSE(r.has_value());
        return r.error();
    }
    // Every event in the store's log, as text.
    std::string all_events() {
        std::string out;
        for (const auto& e : store::testing::events_after(*store, 0))
            out += e.data + "\n";
        return out;
    }
    // The LMDB data file's bytes (every page, live or free).
    std::string data_file() {
        std::ifstream in(data_dir + "/data.mdb", std::ios::binary);
        REQUIRE(in.good());
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
};

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("a secure value is sealed by the write that sets it and shown sealed",
          "[secure][objects]") {
    SecureFixture f;
    std::string uuid = f.machine("m1");
    Json stored_machine = f.ok(f.objects->patch(
        "machines", uuid,
        Json::array({{{"op", "add"}, {"path", "/Params/bmc~1password"}, {"value", kSecret}},
                     {{"op", "add"}, {"path", "/Params/plain"}, {"value", "visible"}}}),
        {}));
    const Json sealed = stored_machine["Params"]["bmc/password"];
    CHECK(security::is_sealed(sealed));
    CHECK(stored_machine["Params"]["plain"] == "visible");
    CHECK_FALSE(contains(f.stored("machines", uuid), kSecret));

    // Reads show the sealed form; decode shows the clear value.
    CHECK(f.ok(f.objects->get("machines", uuid))["Params"]["bmc/password"] == sealed);
    CHECK(f.ok(f.objects->get("machines", uuid, true))["Params"]["bmc/password"] == kSecret);
    CHECK(f.ok(f.objects->get_params("machines", uuid, objects::ParamScope::Own))["bmc/password"] ==
          sealed);
    CHECK(f.ok(f.objects->get_params("machines", uuid, objects::ParamScope::Aggregate,
                                     true))["bmc/password"] == kSecret);
    CHECK(f.ok(f.objects->get_param("machines", uuid, "bmc/password", objects::ParamScope::Own)) ==
          sealed);
    CHECK(f.ok(f.objects->get_param("machines", uuid, "bmc/password", objects::ParamScope::Own,
                                    true)) == kSecret);

    // The params sub-resources answer with what they stored: sealed.
    Json one = f.ok(f.objects->set_param("profiles", "global", "bmc/password", kSecret, {}));
    CHECK(security::is_sealed(one));
    Json map = f.ok(f.objects->set_params("profiles", "global",
                                          {{"bmc/password", kSecret}, {"plain", "p"}}, {}));
    CHECK(security::is_sealed(map["bmc/password"]));
    CHECK(map["plain"] == "p");
    CHECK(f.ok(f.objects->get_param("profiles", "global", "bmc/password", objects::ParamScope::Own,
                                    true)) == kSecret);
    Json removed = f.ok(f.objects->remove_param("profiles", "global", "bmc/password", {}));
    CHECK(security::is_sealed(removed));

    // Neither the events nor the data file ever held the clear value.
    CHECK_FALSE(contains(f.all_events(), kSecret));
    CHECK_FALSE(contains(f.data_file(), kSecret));
    CHECK(contains(f.data_file(), "visible"));  // the scan does see clear values
}

TEST_CASE("sealed values survive round trips and bookkeeping, and are refused when foreign",
          "[secure][objects]") {
    SecureFixture f;
    std::string a = f.machine("ma"), b = f.machine("mb");
    Json machine = f.ok(f.objects->set_param("machines", a, "bmc/password", kSecret, {}));
    Json got = f.ok(f.objects->get("machines", a));
    const Json sealed = got["Params"]["bmc/password"];

    // GET then PUT keeps the sealed value byte for byte (never sealed twice).
    got["Description"] = "edited";
    Json put = f.ok(f.objects->replace("machines", a, got, {}));
    CHECK(put["Params"]["bmc/password"] == sealed);
    // The job engine's writes (WriteContext::job_engine) keep it as it is, too.
    objects::WriteContext engine;
    engine.job_engine = true;
    got = f.ok(f.objects->get("machines", a));
    got["Runnable"] = false;
    CHECK(f.ok(f.objects->replace("machines", a, got, engine))["Params"]["bmc/password"] == sealed);

    // Copied into another machine, or into another param of the same one: refused.
    auto copied = f.refused(f.objects->set_param("machines", b, "bmc/password", sealed, {}));
    CHECK(copied.code == 422);
    REQUIRE(copied.messages.size() == 1);
    CHECK(copied.messages[0] == "Param bmc/password of machines/" + b +
                                    ": the sealed value does not decrypt: altered, or sealed for "
                                    "another object or param; send the value in clear to set it");
    CHECK(f.refused(f.objects->set_param("machines", a, "plain", sealed, {})).code == 422);
    // Altered: refused; a value sealed for this very param is accepted as sent.
    Json altered = sealed;
    std::string payload = altered["Payload"];
    payload[0] = payload[0] == 'A' ? 'B' : 'A';
    altered["Payload"] = payload;
    CHECK(f.refused(f.objects->set_param("machines", a, "bmc/password", altered, {})).code == 422);
    CHECK(f.ok(f.objects->set_param("machines", a, "bmc/password", sealed, {})) == sealed);
}

TEST_CASE("schemas check the clear value and messages never show it", "[secure][objects]") {
    SecureFixture f;
    std::string uuid = f.machine("m1");
    auto too_short =
        f.refused(f.objects->set_param("machines", uuid, "bmc/password", "hunter2", {}));
    CHECK(too_short.code == 422);
    REQUIRE(too_short.messages.size() == 1);
    CHECK(too_short.messages[0] ==
          "Param bmc/password: the value fails the schema at /minLength (a secure value is not "
          "shown)");
    CHECK_FALSE(contains(model::describe(too_short), "hunter2"));
    auto wrong_type =
        f.refused(f.objects->set_param("machines", uuid, "bmc/password", 12345678, {}));
    CHECK_FALSE(contains(model::describe(wrong_type), "12345678"));
    // A plain param's message still names the value, as before.
    auto plain = f.refused(f.objects->set_param("machines", uuid, "plain", 7, {}));
    CHECK(contains(model::describe(plain), "7"));
    CHECK_FALSE(contains(f.data_file(), "hunter2"));
}

TEST_CASE("a Param written Secure seals the clear values stored before", "[secure][objects]") {
    SecureFixture f;
    f.param("later", false);
    std::string uuid = f.machine("m1");
    f.ok(f.objects->set_param("machines", uuid, "later", "was-plain", {}));
    f.ok(f.objects->set_param("profiles", "global", "later", "global-plain", {}));
    f.ok(f.objects->create("stages", {{"Name", "s1"}, {"Params", {{"later", "stage-plain"}}}}, {}));
    auto before = store::testing::events_after(*f.store, 0).back().seq;

    Json def = f.ok(f.objects->get("params", "later"));
    def["Secure"] = true;
    f.ok(f.objects->replace("params", "later", def, {}));
    CHECK(security::is_sealed(f.ok(f.objects->get("machines", uuid))["Params"]["later"]));
    CHECK(security::is_sealed(f.ok(f.objects->get("profiles", "global"))["Params"]["later"]));
    CHECK(security::is_sealed(f.ok(f.objects->get("stages", "s1"))["Params"]["later"]));
    CHECK(f.ok(f.objects->get_param("machines", uuid, "later", objects::ParamScope::Own, true)) ==
          "was-plain");
    // The seal is a `save` per holder whose Object and Original both show only the sealed value.
    std::string after;
    for (const auto& e : store::testing::events_after(*f.store, before))
        after += e.data;
    CHECK(contains(after, "\"Action\":\"save\""));
    for (const char* clear : {"was-plain", "global-plain", "stage-plain"})
        CHECK_FALSE(contains(after, clear));

    // Dropping Secure later leaves values sealed; decoded reads still open them.
    def["Secure"] = false;
    f.ok(f.objects->replace("params", "later", def, {}));
    CHECK(security::is_sealed(f.ok(f.objects->get("machines", uuid))["Params"]["later"]));
    CHECK(f.ok(f.objects->get_params("machines", uuid, objects::ParamScope::Aggregate,
                                     true))["later"] == "was-plain");
}

TEST_CASE("lists decode on request, filters compare what the list shows", "[secure][objects]") {
    SecureFixture f;
    std::string uuid = f.machine("m1");
    f.ok(f.objects->set_param("machines", uuid, "bmc/password", kSecret, {}));
    auto value_of = [&](bool decode) {
        Json shown, filtered;
        REQUIRE(f.objects->list_with_params(
            "machines",
            [&](std::vector<Json> items, const objects::ObjectService::ParamValue& param) {
                REQUIRE(items.size() == 1);
                shown = items[0]["Params"]["bmc/password"];
                filtered = param(items[0], "bmc/password").value_or(Json());
            },
            decode));
        CHECK(shown == filtered);
        return shown;
    };
    CHECK(security::is_sealed(value_of(false)));
    CHECK(value_of(true) == kSecret);
}

TEST_CASE("renders see clear values only with decode", "[secure][objects][render]") {
    SecureFixture f;
    f.ok(f.objects->create(
        "tasks",
        {{"Name", "uses-secret"},
         {"Templates",
          Json::array({{{"Name", "secret.sh"}, {"Contents", "pw={{.Param \"bmc/password\"}}"}}})}},
        {}));
    std::string uuid = f.machine("m1");
    f.ok(f.objects->set_param("profiles", "global", "bmc/password", kSecret, {}));
    jobs::ActionRenderer renderer(*f.objects, {});
    jobs::DryRunRequest one;
    one.task = "uses-secret";
    Json clear = f.ok(renderer.dry_run(uuid, one, true));
    CHECK(clear["Tasks"][0]["Actions"][0]["Content"] == "pw=" + kSecret);
    Json sealed = f.ok(renderer.dry_run(uuid, one));
    CHECK_FALSE(contains(sealed.dump(), kSecret));
    CHECK(contains(sealed["Tasks"][0]["Actions"][0]["Content"].get<std::string>(), "Payload"));
}
