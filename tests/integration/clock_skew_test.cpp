// Clock skew (issue 10): the real `drover` (agent and CLI) on a "machine" whose wall clock is
// minutes or days off droverd's, made so by the LD_PRELOAD library skewed_clock_preload (its
// children, the task scripts, inherit it). droverd runs with 6 s tokens, so an agent that judged
// expiry by its own clock would, behind, use an expired token (droverd logs every expired token
// it accepts within its 60 s skew allowance; past that, 401 and locked out) or, ahead, renew at
// every step. The state file's boot check is the other wall-clock dependency (an NTP step).
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "agent_fixtures.hpp"
#include "agent_process.hpp"
#include "cli_process.hpp"
#include "droverd_process.hpp"

using namespace drover::testing;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kUuid = "8a5f3c1e-2b7d-4e90-a1c6-5d3e7f9b0c24";
const std::string kMachine = "/api/v3/machines/" + kUuid;
constexpr int kTokenTtl = 6;  // seconds; due for renewal 3 s before expiry

// The environment that skews a drover process's wall clock by `seconds`.
std::vector<std::pair<std::string, std::string>> skewed_clock(long seconds) {
    // A sanitizer build's runtime must come first in the library list unless told otherwise.
    const char* asan = std::getenv("ASAN_OPTIONS");
    return {{"LD_PRELOAD", SKEWED_CLOCK_PRELOAD},
            {"DROVER_CLOCK_SKEW_SECONDS", std::to_string(seconds)},
            {"ASAN_OPTIONS", std::string(asan ? asan : "") + ":verify_asan_link_order=0"}};
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

json finished_jobs(httplib::Client& c) {
    return get(c, "/api/v3/jobs?Machine=" + kUuid + "&State=finished").body;
}

// Ten quick tasks (many agent steps: an agent renewing at every step would show), then the
// machine idles in its stage for one and a half token lifetimes, then a task that stops the
// agent.
void make_workflow(httplib::Client& c) {
    json work = json::array();
    for (int i = 0; i < 10; ++i) {
        make_task(c, "quick" + std::to_string(i), "true\n");
        work.push_back("quick" + std::to_string(i));
    }
    make_task(c, "read-clock", "date +%s > \"$JT/agent-clock\"\n");
    work.push_back("read-clock");
    make_task(c, "last", ". ./helper\nexit_stop\n");
    REQUIRE(post(c, "/api/v3/stages", {{"Name", "work"}, {"Tasks", work}}).status == 201);
    REQUIRE(post(c, "/api/v3/stages", {{"Name", "finish"}, {"Tasks", {"last"}}}).status == 201);
    REQUIRE(
        post(c, "/api/v3/machines", {{"Uuid", kUuid}, {"Name", "m1"}, {"Stage", "work"}}).status ==
        201);
}

// Runs the agent with its clock `skew` seconds off droverd's through the workflow above and
// checks that its token never lapsed and was not renewed more often than it fell due.
void run_skewed_agent(long skew) {
    // Heartbeats (which wake an idle agent too) further apart than the idle time: the agent
    // must wake for its renewal by itself.
    DroverdProcess d(
        {"--token-ttl-seconds", std::to_string(kTokenTtl), "--heartbeat-seconds", "30"});
    auto c = d.client();
    WorkDir w;
    make_workflow(*c);
    const auto began = Clock::now();
    std::string token = get(*c, kMachine + "/token").body["Token"];  // lives kTokenTtl seconds
    std::vector<std::string> env{"JT=" + w.path, "RS_TOKEN=" + token};
    for (const auto& [k, v] : skewed_clock(skew))
        env.push_back(k + "=" + v);
    AgentProcess agent(d.port(), kUuid, w.path + "/state", {"--skip-power"}, env);

    for (auto end = Clock::now() + std::chrono::seconds(10);
         finished_jobs(*c).size() < 11 && Clock::now() < end;)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    INFO(agent.output());
    REQUIRE(finished_jobs(*c).size() == 11);
    std::this_thread::sleep_for(std::chrono::milliseconds(kTokenTtl * 1500));  // idle
    REQUIRE(patch(*c, kMachine,
                  json::array({{{"op", "replace"}, {"path", "/Stage"}, {"value", "finish"}}}))
                .status == 200);
    REQUIRE(agent.wait(std::chrono::seconds(10)) == 0);
    const double elapsed = std::chrono::duration<double>(Clock::now() - began).count();

    // The agent (its task, to be exact) ran on the skewed clock.
    std::ifstream seen(w.path + "/agent-clock");
    std::int64_t agent_clock = 0;
    REQUIRE(seen >> agent_clock);
    CHECK(std::abs(agent_clock - (unix_now() + skew)) < 60);

    CHECK(finished_jobs(*c).size() == 12);
    // Every request carried a live token, and none was refused.
    CHECK(log_lines_with(d, "expired token accepted") == 0);
    CHECK(log_lines_with(d, "status=401") == 0);
    // Renewed when due: each token is kept until half its life is gone (3 s, less a second for
    // the Date header's resolution), so at most one renewal per 2 s of the run.
    const std::size_t renewals = count_of(agent.output(), "renewed the agent's token");
    CHECK(renewals >= 2);
    CHECK(renewals <= static_cast<std::size_t>(elapsed / 2) + 1);
}

}  // namespace

TEST_CASE("an agent whose clock is 5 minutes behind droverd's renews its token in time",
          "[integration][reliability][clock]") {
    run_skewed_agent(-300);
}

TEST_CASE("an agent whose clock is 5 minutes ahead of droverd's does not renew in a loop",
          "[integration][reliability][clock]") {
    run_skewed_agent(300);
}

TEST_CASE("the CLI works with its clock minutes off, CA verification needs it within a day",
          "[integration][reliability][clock]") {
    DroverdProcess d({}, Scheme::Https);
    auto c = d.client();
    REQUIRE(post(*c, "/api/v3/machines", {{"Uuid", kUuid}, {"Name", "m1"}}).status == 201);
    const std::string endpoint = d.endpoint();
    for (long skew : {-300L, 300L}) {
        CliOptions o;
        o.env = skewed_clock(skew);
        o.env.push_back({"RS_ENDPOINT", endpoint});
        o.env.push_back({"RS_CA_CERT", d.data_dir() + "/tls/server.crt"});
        auto token = run_cli({"machines", "token", kUuid, "--ttl", "60"}, o);
        INFO("skew " << skew << ": " << token.err);
        REQUIRE(token.status == 0);
        o.env.push_back({"RS_KEY", ""});
        o.env.push_back({"RS_TOKEN", token.out.substr(0, token.out.find('\n'))});
        auto show = run_cli({"machines", "show", kUuid}, o);
        INFO(show.err);
        CHECK(show.status == 0);
        CHECK(show.out.find(kUuid) != std::string::npos);
    }
    // Two days behind: before the self-signed certificate's validity (it starts a day early), so
    // CA verification refuses it at once, saying why; a pinned fingerprint does not depend on
    // the clock.
    CliOptions o;
    o.env = skewed_clock(-2 * 86400);
    o.env.push_back({"RS_ENDPOINT", endpoint});
    o.env.push_back({"RS_CA_CERT", d.data_dir() + "/tls/server.crt"});
    auto refused = run_cli({"machines", "show", kUuid}, o);
    CHECK(refused.status == 1);
    CHECK_THAT(refused.err, Catch::Contains("certificate is not yet valid"));
    o.env.back() = {"RS_SERVER_FINGERPRINT", d.logged_fingerprint()};
    auto pinned = run_cli({"machines", "show", kUuid}, o);
    INFO(pinned.err);
    CHECK(pinned.status == 0);
}

TEST_CASE("an agent restarted after NTP stepped the clock still knows its boot",
          "[integration][reliability][clock]") {
    // /proc/stat's btime is the wall clock less the uptime: a step of the clock moves it, so a
    // state file from this very boot showed another BootTime and was ignored. Its BootEnv here
    // differs from the machine's: the bootenv moved while the agent was down, so it must reboot.
    DroverdProcess d;
    auto c = d.client();
    WorkDir w;
    REQUIRE(post(*c, "/api/v3/machines", {{"Uuid", kUuid}, {"Name", "m1"}}).status == 201);
    std::string boot_id, key;
    std::ifstream("/proc/sys/kernel/random/boot_id") >> boot_id;
    std::int64_t btime = 0;
    for (std::ifstream stat("/proc/stat"); stat >> key;)
        if (key == "btime" && stat >> btime) break;
    REQUIRE_FALSE(boot_id.empty());
    const std::string state = w.path + "/state";
    std::filesystem::create_directories(state);
    json saved{{"BootId", boot_id},
               {"BootTime", btime - 300},
               {"Machine", {{"Uuid", kUuid}, {"BootEnv", "sledgehammer"}}}};
    std::ofstream(state + "/" + kUuid + ".state") << saved.dump();
    AgentProcess agent(d.port(), kUuid, state, {"--oneshot", "--skip-power"},
                       {"RS_TOKEN=" + d.machine_token(kUuid)});
    REQUIRE(agent.wait(std::chrono::seconds(20)) == 0);
    INFO(agent.output());
    CHECK(agent.output().find("would reboot now") != std::string::npos);
}
