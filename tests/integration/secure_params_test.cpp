// Secure params over the API (spec 1.10, 6.3, 7.2; issue 7), against the real droverd: values of
// a Secure Param set in clear on a machine and a profile come back in DRP's sealed form
// {Key, Nonce, Payload}, in clear with ?decode=true (objects, lists, params, aggregated params),
// in clear in the machine's rendered job actions, unchanged through GET/PUT round trips, still
// decryptable after a restart, and nowhere in clear in the data dir.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "droverd_process.hpp"

using namespace drover::testing;
using nlohmann::json;

namespace {

const std::string kUuid = "5b7c9d1e-2f3a-4b4c-8d5e-6f708192a3b4";
const std::string kMachine = "/api/v3/machines/" + kUuid;
const std::string kMachineSecret = "machine-only-s3cret-7f2c";
const std::string kProfileSecret = "profile-shared-s3cret-91ab";

bool is_sealed_form(const json& v) {
    return v.is_object() && v.size() == 3 && v.contains("Key") && v["Key"].is_string() &&
           v.contains("Nonce") && v["Nonce"].is_string() && v.contains("Payload") &&
           v["Payload"].is_string();
}

Reply ok(const Reply& r, int status = 200) {
    INFO(r.body.dump());
    REQUIRE(r.status == status);
    return r;
}

// Params, a profile holding one secret, a task printing both, and the machine in a stage that
// runs it, with its own secret.
void setup(httplib::Client& c) {
    ok(post(c, "/api/v3/params",
            {{"Name", "bmc/password"}, {"Secure", true}, {"Schema", {{"type", "string"}}}}),
       201);
    ok(post(c, "/api/v3/params", {{"Name", "lab/token"}, {"Secure", true}}), 201);
    ok(post(c, "/api/v3/profiles", {{"Name", "lab"}, {"Params", {{"lab/token", kProfileSecret}}}}),
       201);
    ok(post(c, "/api/v3/tasks",
            {{"Name", "use-secrets"},
             {"Templates", json::array({{{"Name", "secrets.sh"},
                                         {"Contents",
                                          "pw={{.Param \"bmc/password\"}}\n"
                                          "token={{.Param \"lab/token\"}}\n"}}})}}),
       201);
    ok(post(c, "/api/v3/stages", {{"Name", "secret-stage"}, {"Tasks", {"use-secrets"}}}), 201);
    ok(post(c, "/api/v3/machines",
            {{"Uuid", kUuid}, {"Name", "vault"}, {"BootEnv", "local"}, {"Profiles", {"lab"}}}),
       201);
    ok(patch(c, kMachine,
             json::array({{{"op", "replace"}, {"path", "/Stage"}, {"value", "secret-stage"}}})));
    Reply set = ok(post(c, kMachine + "/params/bmc/password", kMachineSecret));
    CHECK(is_sealed_form(set.body));  // the answer is what was stored
}

std::string next_job(httplib::Client& c) {
    Reply r = ok(post(c, "/api/v3/jobs", {{"Machine", kUuid}}), 201);
    return r.body["Uuid"].get<std::string>();
}

void expect_rendered_in_clear(httplib::Client& c, const std::string& job) {
    Reply r = ok(get(c, "/api/v3/jobs/" + job + "/actions"));
    REQUIRE(r.body.size() == 1);
    CHECK(r.body[0]["Content"] == "pw=" + kMachineSecret + "\ntoken=" + kProfileSecret + "\n");
}

void expect_sealed_and_decodable(httplib::Client& c) {
    json machine = ok(get(c, kMachine)).body;
    CHECK(is_sealed_form(machine["Params"]["bmc/password"]));
    CHECK(ok(get(c, kMachine + "?decode=true")).body["Params"]["bmc/password"] == kMachineSecret);
    CHECK(is_sealed_form(ok(get(c, "/api/v3/profiles/lab")).body["Params"]["lab/token"]));
    CHECK(ok(get(c, "/api/v3/profiles/lab?decode=true")).body["Params"]["lab/token"] ==
          kProfileSecret);

    json agg = ok(get(c, kMachine + "/params?aggregate=true")).body;
    CHECK(is_sealed_form(agg["bmc/password"]));
    CHECK(is_sealed_form(agg["lab/token"]));
    agg = ok(get(c, kMachine + "/params?aggregate=true&decode=true")).body;
    CHECK(agg["bmc/password"] == kMachineSecret);
    CHECK(agg["lab/token"] == kProfileSecret);
    CHECK(is_sealed_form(ok(get(c, kMachine + "/params/lab/token?aggregate=true")).body));
    CHECK(ok(get(c, kMachine + "/params/lab/token?aggregate=true&decode=true")).body ==
          kProfileSecret);

    json list = ok(get(c, "/api/v3/machines")).body;
    REQUIRE(list.size() == 1);
    CHECK(is_sealed_form(list[0]["Params"]["bmc/password"]));
    CHECK(ok(get(c, "/api/v3/machines?decode=true")).body[0]["Params"]["bmc/password"] ==
          kMachineSecret);
}

// Every file under `dir` that holds `needle`.
std::vector<std::string> files_holding(const std::string& dir, const std::string& needle) {
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), {});
        if (bytes.find(needle) != std::string::npos) out.push_back(entry.path().string());
    }
    return out;
}

}  // namespace

TEST_CASE("secure params are sealed over the API, decoded on request and rendered in clear",
          "[integration][secure][spec1.10][spec6.3]") {
    DroverdProcess d;
    auto c = d.client();
    setup(*c);
    expect_sealed_and_decodable(*c);
    std::string job = next_job(*c);
    expect_rendered_in_clear(*c, job);

    // A client's GET then PUT round trip keeps the sealed value as it was (no double sealing).
    json machine = ok(get(*c, kMachine)).body;
    const json sealed = machine["Params"]["bmc/password"];
    machine["Description"] = "round trip";
    CHECK(ok(put(*c, kMachine, machine)).body["Params"]["bmc/password"] == sealed);
    CHECK(ok(get(*c, kMachine + "/params/bmc/password?decode=true")).body == kMachineSecret);

    // The sealed value copied into the profile does not open there: refused, nothing stored.
    Reply copied = post(*c, "/api/v3/profiles/lab/params/bmc/password", sealed);
    CHECK(copied.status == 422);
    CHECK(copied.body["Code"] == 422);

    // A schema failure of a secure value does not echo it.
    Reply bad = post(*c, kMachine + "/params/bmc/password", 424242);
    CHECK(bad.status == 422);
    CHECK(bad.body.dump().find("424242") == std::string::npos);

    // Restarted on the same data dir (and so the same key file): still sealed and decryptable.
    d.restart();
    c = d.client();
    expect_sealed_and_decodable(*c);
    expect_rendered_in_clear(*c, job);
    CHECK(ok(get(*c, kMachine)).body["Params"]["bmc/password"] == sealed);

    struct stat st {};
    REQUIRE(::stat((d.data_dir() + "/security/params.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    d.stop();
    for (const auto& secret : {kMachineSecret, kProfileSecret}) {
        INFO(secret);
        CHECK(files_holding(d.data_dir(), secret).empty());
    }
    CHECK_FALSE(files_holding(d.data_dir(), "round trip").empty());  // the scan does find text
}
