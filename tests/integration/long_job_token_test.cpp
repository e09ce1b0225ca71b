// A job that outlives the agent's token: droverd hands out 6 s tokens and a task runs for 15 s,
// printing as it goes. The agent renews its token while the action runs and gives the new one to
// its log shipper, so no request goes out on an expired token (droverd would accept one within
// its 60 s clock-skew allowance, logging each, and refuse it after that: a job longer than that
// would end with its log stuck in the spool) and the whole log arrives, in order.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "agent_fixtures.hpp"
#include "agent_process.hpp"
#include "droverd_process.hpp"

using namespace drover::testing;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kUuid = "5b0e2c47-91d3-4f6a-8e21-7c4d9a3f6b18";
const std::string kMachine = "/api/v3/machines/" + kUuid;
constexpr int kTokenTtl = 6;  // seconds: due for renewal 3 s before expiry
constexpr int kLines = 30;    // one every 0.5 s: the job lives two and a half tokens

}  // namespace

TEST_CASE("a job longer than the agent's token: renewed meanwhile, its whole log arrives",
          "[integration][reliability][agent]") {
    DroverdProcess d(
        {"--token-ttl-seconds", std::to_string(kTokenTtl), "--heartbeat-seconds", "30"});
    auto c = d.client();
    WorkDir w;
    make_task(
        *c, "long",
        "for i in $(seq 1 " + std::to_string(kLines) + "); do echo \"line $i\"; sleep 0.5; done\n");
    make_task(*c, "last", ". ./helper\nexit_stop\n");
    REQUIRE(post(*c, "/api/v3/stages", {{"Name", "work"}, {"Tasks", {"long", "last"}}}).status ==
            201);
    REQUIRE(
        post(*c, "/api/v3/machines", {{"Uuid", kUuid}, {"Name", "m1"}, {"Stage", "work"}}).status ==
        201);
    std::string token = get(*c, kMachine + "/token").body["Token"];  // lives kTokenTtl seconds
    AgentProcess agent(d.port(), kUuid, w.path + "/state", {"--skip-power"}, {"RS_TOKEN=" + token});
    const auto began = Clock::now();
    REQUIRE(agent.wait(std::chrono::seconds(60)) == 0);
    const double elapsed = std::chrono::duration<double>(Clock::now() - began).count();
    INFO(agent.output());

    json jobs = get(*c, "/api/v3/jobs?Machine=" + kUuid + "&Task=long").body;
    REQUIRE(jobs.size() == 1);
    CHECK(jobs[0]["State"] == "finished");
    auto log = c->Get(("/api/v3/jobs/" + jobs[0]["Uuid"].get<std::string>() + "/log").c_str());
    REQUIRE(log);
    std::string expected;
    for (int i = 1; i <= kLines; ++i)
        expected += "line " + std::to_string(i) + "\n";
    CHECK(log->body.find(expected) != std::string::npos);

    // Every request carried a live token, and none was refused.
    CHECK(log_lines_with(d, "expired token accepted") == 0);
    CHECK(log_lines_with(d, "status=401") == 0);
    // Renewed during the job (twice at least in 15 s of 6 s tokens), not in a loop.
    const std::size_t renewals = count_of(agent.output(), "renewed the agent's token");
    CHECK(renewals >= 2);
    CHECK(renewals <= static_cast<std::size_t>(elapsed / 2) + 1);
}
