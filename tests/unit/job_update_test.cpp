// spec 2.1: the job state machine as the server enforces it on PATCH/PUT, and spec 1.4's
// deletion rule.
#include <catch2/catch.hpp>

#include "common/rules/job_update.hpp"

using namespace drover;
using namespace drover::rules;
using model::JobState;

namespace {

model::Job job(const char* state) {
    model::Job j;
    j.uuid = "j-1";
    j.machine = "m-1";
    j.task = "task1";
    j.state = state;
    j.start_time = "2026-01-01T00:00:00.000000000Z";
    j.current = true;
    return j;
}

const std::string kNow = "2026-01-01T00:05:00.000000000Z";

}  // namespace

TEST_CASE("spec 2.1 transitions", "[job_update]") {
    using S = JobState;
    struct Row {
        S from, to;
        bool ok;
    };
    const Row rows[] = {
        {S::Created, S::Running, true},     {S::Created, S::Finished, false},
        {S::Created, S::Incomplete, false}, {S::Created, S::Failed, true},
        {S::Running, S::Finished, true},    {S::Running, S::Incomplete, true},
        {S::Running, S::Failed, true},      {S::Running, S::Created, false},
        {S::Incomplete, S::Running, true},  {S::Incomplete, S::Finished, false},
        {S::Incomplete, S::Failed, true},   {S::Finished, S::Running, false},
        {S::Finished, S::Failed, true},     {S::Failed, S::Running, false},
        {S::Failed, S::Finished, false},    {S::Finished, S::Finished, true},
    };
    for (const auto& r : rows) {
        INFO(model::to_string(r.from) << " -> " << model::to_string(r.to));
        CHECK(job_transition_allowed(r.from, r.to) == r.ok);
    }
}

TEST_CASE("running stamps StartTime, the first final state stamps EndTime", "[job_update]") {
    auto next = job("created");
    next.state = "running";
    auto c = prepare_job_update(job("created"), next, kNow);
    REQUIRE(c.errors.empty());
    CHECK(c.job.start_time == kNow);
    CHECK(c.started_running);
    CHECK(c.job.end_time.empty());

    auto running = c.job;
    auto done = running;
    done.state = "finished";
    done.exit_state = "complete";
    c = prepare_job_update(running, done, kNow);
    REQUIRE(c.errors.empty());
    CHECK(c.job.end_time == kNow);
    CHECK(c.left_running);
    CHECK_FALSE(c.became_failed);

    auto failed = c.job;
    failed.state = "failed";
    c = prepare_job_update(c.job, failed, "2030-01-01T00:00:00.000000000Z");
    REQUIRE(c.errors.empty());
    CHECK(c.job.end_time == kNow);  // first final state only
    CHECK(c.became_failed);
}

TEST_CASE("failing sets ExitState failed when the client gave none", "[job_update]") {
    auto next = job("running");
    next.state = "failed";
    auto c = prepare_job_update(job("running"), next, kNow);
    CHECK(c.job.exit_state == "failed");
}

TEST_CASE("identity fields are the server's", "[job_update]") {
    auto next = job("created");
    next.task = "other";
    auto c = prepare_job_update(job("created"), next, kNow);
    REQUIRE(c.errors.size() == 1);
    CHECK(c.errors[0].find("cannot change") != std::string::npos);

    next = job("created");
    next.current_index = 7;
    CHECK_FALSE(prepare_job_update(job("created"), next, kNow).errors.empty());
}

TEST_CASE("clock and bookkeeping fields sent by a client are ignored", "[job_update]") {
    auto next = job("created");
    next.start_time = "1999-01-01T00:00:00Z";
    next.current = false;
    next.token = "forged";
    auto c = prepare_job_update(job("created"), next, kNow);
    REQUIRE(c.errors.empty());
    CHECK(c.job.start_time == job("created").start_time);
    CHECK(c.job.current);
    CHECK(c.job.token.empty());
}

TEST_CASE("a bad transition names both states", "[job_update]") {
    auto next = job("finished");
    next.state = "running";
    auto c = prepare_job_update(job("finished"), next, kNow);
    REQUIRE(c.errors.size() == 1);
    CHECK(c.errors[0] == "j-1: cannot change State from finished to running");
}

TEST_CASE("spec 1.4 deletion rule", "[job_update]") {
    CHECK(job_deletable(job("finished"), true));
    CHECK(job_deletable(job("failed"), true));
    CHECK_FALSE(job_deletable(job("running"), true));
    CHECK_FALSE(job_deletable(job("created"), true));
    CHECK_FALSE(job_deletable(job("incomplete"), true));
    CHECK(job_deletable(job("running"), false));  // its machine is gone
    auto superseded = job("created");
    superseded.current = false;
    CHECK(job_deletable(superseded, true));
}
