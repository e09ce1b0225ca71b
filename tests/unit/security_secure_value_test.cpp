// Secure param values, the pure part (spec 1.10, 8; issue 7): the sealed form's shape and strict
// parsing, the owner binding (associated data), which object a resolved value was sealed for,
// decoded reads that leave unopenable values sealed, and renders that see clear values from every
// level (.Param, .ComposeParam, RequiredParams) or fail naming the param. The cipher is a test
// double here; the AES-256-GCM one is tested in tests/server/security_param_cipher_test.cpp.
#include <catch2/catch.hpp>

#include "common/rules/secure_params.hpp"
#include "common/rules/task_render.hpp"
#include "common/security/base64.hpp"
#include "map_catalog.hpp"

using namespace drover;
using namespace drover::security;
using nlohmann::json;

namespace {

// Seals by wrapping the JSON text with the owner's associated data in the Nonce: opens only for
// the same owner, like the real cipher, without any cryptography.
class FakeSecrets : public ParamSecrets {
  public:
    api::Expected<json, std::string> seal(const SecretOwner& owner,
                                          const json& clear) const override {
        return to_json(SecureData{"fake-key", associated_data(owner), clear.dump()});
    }
    api::Expected<json, std::string> open(const SecretOwner& owner,
                                          const json& sealed) const override {
        auto data = parse_sealed(sealed);
        if (!data) return api::unexpected(std::string("is not a well-formed sealed value"));
        if (data->nonce != associated_data(owner))
            return api::unexpected(std::string("does not decrypt"));
        return json::parse(data->payload);
    }
};

json sealed_for(const std::string& prefix, const std::string& key, const std::string& name,
                const json& clear) {
    return *FakeSecrets().seal({prefix, key, name}, clear);
}

}  // namespace

TEST_CASE("the sealed shape is exactly Key, Nonce and Payload strings", "[secure][spec1.10]") {
    json ok = {{"Key", "a2V5"}, {"Nonce", "bm9uY2U="}, {"Payload", "cA=="}};
    CHECK(is_sealed(ok));
    auto data = parse_sealed(ok);
    REQUIRE(data);
    CHECK(data->key == "key");
    CHECK(data->nonce == "nonce");
    CHECK(data->payload == "p");
    CHECK(to_json(*data) == ok);

    json extra = ok;
    extra["More"] = "x";
    CHECK_FALSE(is_sealed(extra));
    json number = ok;
    number["Key"] = 1;
    CHECK_FALSE(is_sealed(number));
    json missing = ok;
    missing.erase("Payload");
    CHECK_FALSE(is_sealed(missing));
    CHECK_FALSE(is_sealed(json("a string")));
    CHECK_FALSE(is_sealed(json::array({"Key", "Nonce", "Payload"})));

    // The shape without canonical base64 is still sealed (never sealed again) but does not parse.
    json loose = ok;
    loose["Payload"] = "cA";  // no padding
    CHECK(is_sealed(loose));
    CHECK_FALSE(parse_sealed(loose));
    loose["Payload"] = "c A=";
    CHECK_FALSE(parse_sealed(loose));
}

TEST_CASE("associated data binds object type, key and param name unambiguously",
          "[secure][spec1.10]") {
    std::string a = associated_data({"machines", "u1", "pw"});
    CHECK(a == "drover-secure-param-v1|8:machines|2:u1|2:pw");
    CHECK(a != associated_data({"profiles", "u1", "pw"}));
    CHECK(a != associated_data({"machines", "u2", "pw"}));
    CHECK(a != associated_data({"machines", "u1", "pw2"}));
    // Field boundaries cannot move: ("ab", "c") and ("a", "bc") differ.
    CHECK(associated_data({"p", "ab", "c"}) != associated_data({"p", "a", "bc"}));
    CHECK(SecretOwner{"profiles", "p", "x/y"}.describe() == "Param x/y of profiles/p");
}

TEST_CASE("a resolved value is opened for the level it came from", "[secure][spec8]") {
    using rules::ParamSourceKind;
    CHECK(rules::owner_of({ParamSourceKind::Machine, "u1"}, "x")->prefix == "machines");
    CHECK(rules::owner_of({ParamSourceKind::Stage, "s"}, "x")->prefix == "stages");
    for (auto kind : {ParamSourceKind::Profile, ParamSourceKind::StageProfile,
                      ParamSourceKind::Global, ParamSourceKind::GlobalProfile}) {
        auto owner = rules::owner_of({kind, "p"}, "x");
        REQUIRE(owner);
        CHECK(owner->prefix == "profiles");
        CHECK(owner->key == "p");
        CHECK(owner->param == "x");
    }
    CHECK_FALSE(rules::owner_of({ParamSourceKind::Default, "x"}, "x"));

    FakeSecrets secrets;
    rules::ResolvedParam hit{sealed_for("profiles", "p", "x", "s3cret"),
                             {ParamSourceKind::Profile, "p"}};
    CHECK(*rules::open_resolved("x", hit, secrets) == "s3cret");
    hit.source.name = "other";  // the same bytes found in another profile do not open
    auto refused = rules::open_resolved("x", hit, secrets);
    REQUIRE_FALSE(refused);
    CHECK(refused.error() == "Param x of profiles/other: the sealed value does not decrypt");
    rules::ResolvedParam clear{"plain", {ParamSourceKind::Machine, "u1"}};
    CHECK(*rules::open_resolved("x", clear, secrets) == "plain");
}

TEST_CASE("decoded reads open what opens and leave the rest sealed", "[secure][spec6.3]") {
    FakeSecrets secrets;
    json foreign = sealed_for("machines", "other", "b", 2);
    json params = {
        {"a", sealed_for("machines", "u1", "a", {{"k", 1}})}, {"b", foreign}, {"c", "clear"}};
    rules::open_params(params, "machines", "u1", secrets);
    CHECK(params == json{{"a", {{"k", 1}}}, {"b", foreign}, {"c", "clear"}});
}

TEST_CASE("renders see secure values in clear from every level, or fail naming the param",
          "[secure][spec7.2]") {
    testing::MapCatalog cat;
    model::Machine m;
    m.uuid = "u1";
    m.profiles = {"p1"};
    m.params = {{"pw", sealed_for("machines", "u1", "pw", "machine-secret")},
                {"list", sealed_for("machines", "u1", "list", json::array({"m"}))}};
    cat.add_profile("p1", {{"list", sealed_for("profiles", "p1", "list", json::array({"p"}))},
                           {"only-profile", sealed_for("profiles", "p1", "only-profile", 7)},
                           {"stolen", sealed_for("machines", "u1", "pw", "machine-secret")}});
    FakeSecrets secrets;

    rules::MachineParamSource clear(m, cat, &secrets);
    CHECK(clear.lookup("pw").value() == json("machine-secret"));
    CHECK(clear.lookup("only-profile").value() == json(7));
    CHECK(clear.compose("list").value() == json::array({"m", "p"}));
    CHECK_FALSE(clear.lookup("absent").value());
    // Copied from the machine into a profile: bound to the machine's param, it does not open.
    auto stolen = clear.lookup("stolen");
    REQUIRE_FALSE(stolen.ok());
    CHECK(stolen.error() == "Param stolen of profiles/p1: the sealed value does not decrypt");

    rules::MachineParamSource sealed(m, cat);
    CHECK(sealed.lookup("pw").value() == m.params["pw"]);

    model::Task task;
    task.name = "t";
    task.required_params = {"stolen"};
    task.templates.push_back({});
    task.templates.back().name = "x";
    task.templates.back().contents = "{{.Param \"pw\"}}";
    json machine_json = model::encode(m);
    rules::TaskRenderInput in;
    in.task = &task;
    in.machine = &m;
    in.machine_json = &machine_json;
    in.catalog = &cat;
    in.secrets = &secrets;
    auto failed = rules::render_task_actions(in);
    REQUIRE_FALSE(failed);
    CHECK(failed.error() ==
          model::Errors{"Param stolen of profiles/p1: the sealed value does not decrypt"});
    task.required_params = {"pw"};
    auto rendered = rules::render_task_actions(in);
    INFO((rendered ? "" : rendered.error().front()));
    REQUIRE(rendered);
    CHECK(rendered->front().content == "machine-secret");
}
