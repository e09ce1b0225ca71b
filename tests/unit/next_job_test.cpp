// spec 2.3: next-job selection, step by step, as a pure function of the machine, its current job
// and the agent's context. Each row is one POST /jobs.
#include <catch2/catch.hpp>

#include "common/rules/next_job.hpp"

using namespace drover;
using namespace drover::rules;
using model::JobState;

namespace {

model::Machine machine(std::vector<std::string> tasks, int current_task) {
    model::Machine m;
    m.uuid = "m-1";
    m.name = "john";
    m.stage = "none";
    m.boot_env = "local";
    m.runnable = m.available = true;
    m.tasks = std::move(tasks);
    m.current_task = current_task;
    return m;
}

CurrentJobFacts job(JobState state, int index) {
    return {"job-uuid", state, index};
}

}  // namespace

TEST_CASE("step 1: not runnable, not available, another context", "[next_job][spec2.3]") {
    auto m = machine({"t1"}, -1);
    m.runnable = false;
    auto d = decide_next_job(m, std::nullopt, "");
    CHECK(d.outcome == NextJobOutcome::NotRunnable);
    CHECK(d.message == "Machine m-1 is not runnable");
    m.runnable = true;
    m.available = false;
    CHECK(decide_next_job(m, std::nullopt, "").outcome == NextJobOutcome::NotRunnable);
    m.available = true;
    CHECK(decide_next_job(m, std::nullopt, "docker").outcome == NextJobOutcome::ContextMismatch);
}

TEST_CASE("the first job of a fresh list", "[next_job][spec2.3]") {
    auto d = decide_next_job(machine({"t1", "t2"}, -1), std::nullopt, "");
    REQUIRE(d.outcome == NextJobOutcome::NewJob);
    REQUIRE(d.job);
    CHECK(d.job->task == "t1");
    CHECK(d.job->state == "created");
    CHECK(d.job->current_index == 0);
    CHECK(d.job->next_index == 1);
    CHECK(d.job->previous == model::kZeroUuid);
    CHECK(d.job->current);
    CHECK(d.machine.current_task == 0);
    CHECK(d.machine_changed);
    CHECK_FALSE(d.machine.workflow_complete);
}

TEST_CASE("step 4: the current job's state decides", "[next_job][spec2.3]") {
    auto m = machine({"t1", "t2"}, 0);
    auto created = decide_next_job(m, job(JobState::Created, 0), "");
    CHECK(created.outcome == NextJobOutcome::AlreadyRunning);
    CHECK(created.message == "Machine m-1 already has running or created job");
    CHECK(decide_next_job(m, job(JobState::Running, 0), "").outcome ==
          NextJobOutcome::AlreadyRunning);
    auto incomplete = decide_next_job(m, job(JobState::Incomplete, 0), "");
    CHECK(incomplete.outcome == NextJobOutcome::ResumeIncomplete);
    CHECK_FALSE(incomplete.job);
    CHECK_FALSE(incomplete.machine_changed);
    auto retry = decide_next_job(m, job(JobState::Failed, 0), "");
    REQUIRE(retry.outcome == NextJobOutcome::NewJob);
    CHECK(retry.job->task == "t1");
    CHECK(retry.job->previous == "job-uuid");
    auto next = decide_next_job(m, job(JobState::Finished, 0), "");
    REQUIRE(next.outcome == NextJobOutcome::NewJob);
    CHECK(next.job->task == "t2");
    CHECK(next.machine.current_task == 1);
}

TEST_CASE("step 4: a list reset under an unfinished job fails it and starts over",
          "[next_job][spec2.3]") {
    auto d = decide_next_job(machine({"t1", "t2"}, -1), job(JobState::Running, 1), "");
    CHECK(d.fail_current_job);
    REQUIRE(d.outcome == NextJobOutcome::NewJob);
    CHECK(d.job->current_index == 0);
    auto finished = decide_next_job(machine({"t1", "t2"}, -1), job(JobState::Finished, 1), "");
    CHECK_FALSE(finished.fail_current_job);
}

TEST_CASE("steps 3, 5 and 8: the end of the list", "[next_job][spec2.3]") {
    auto done = decide_next_job(machine({"t1"}, 1), job(JobState::Finished, 0), "");
    CHECK(done.outcome == NextJobOutcome::NoMoreTasks);
    CHECK_FALSE(done.machine_changed);
    auto last = decide_next_job(machine({"t1"}, 0), job(JobState::Finished, 0), "");
    CHECK(last.outcome == NextJobOutcome::NoMoreTasks);
    CHECK(last.machine.current_task == 1);
    CHECK(last.machine.workflow_complete);
    CHECK(last.machine_changed);
    CHECK(decide_next_job(machine({}, 0), std::nullopt, "").outcome == NextJobOutcome::NoMoreTasks);
}

TEST_CASE("step 6: workflow entries roll forward, one machine change per request",
          "[next_job][spec2.3]") {
    std::vector<std::string> list{"stage:disc", "bootenv:sledgehammer", "t1",
                                  "stage:fin",  "bootenv:local",        "t2"};
    // The workflow already put the machine in stage disc / sledgehammer: those entries are skipped.
    auto m = machine(list, -1);
    m.stage = "disc";
    m.boot_env = "sledgehammer";
    auto first = decide_next_job(m, std::nullopt, "");
    REQUIRE(first.outcome == NextJobOutcome::NewJob);
    CHECK(first.job->task == "t1");
    CHECK(first.job->current_index == 2);
    // After t1: stage:fin changes the stage (a finished bookkeeping job, 204).
    m.current_task = 2;
    auto stage = decide_next_job(m, job(JobState::Finished, 2), "");
    REQUIRE(stage.outcome == NextJobOutcome::MachineChanged);
    CHECK(stage.machine.stage == "fin");
    CHECK(stage.machine.current_task == 3);
    CHECK(stage.job->task == "stage:fin");
    CHECK(stage.job->state == "finished");
    CHECK(stage.job->exit_state == "complete");
    CHECK(stage.log_line == "Machine m-1 changing from stage disc to fin");
    CHECK(stage.machine.runnable);
    // Next request: bootenv:local changes the bootenv, which makes the machine reboot first.
    auto env = decide_next_job(stage.machine, job(JobState::Finished, 3), "");
    REQUIRE(env.outcome == NextJobOutcome::MachineChanged);
    CHECK(env.machine.boot_env == "local");
    CHECK_FALSE(env.machine.runnable);
    CHECK(env.machine.current_task == 4);
    // After the reboot (Runnable again): t2.
    env.machine.runnable = true;
    auto t2 = decide_next_job(env.machine, job(JobState::Finished, 4), "");
    REQUIRE(t2.outcome == NextJobOutcome::NewJob);
    CHECK(t2.job->task == "t2");
    CHECK(t2.job->boot_env == "local");
}

TEST_CASE("context, chroot and action entries", "[next_job][spec2.3][spec3.1]") {
    auto ctx = decide_next_job(machine({"context:docker", "t1"}, -1), std::nullopt, "");
    REQUIRE(ctx.outcome == NextJobOutcome::MachineChanged);
    CHECK(ctx.machine.context == "docker");
    // Now only the docker context's agent gets work.
    CHECK(decide_next_job(ctx.machine, job(JobState::Finished, 0), "").outcome ==
          NextJobOutcome::ContextMismatch);
    CHECK(decide_next_job(ctx.machine, job(JobState::Finished, 0), "docker").job->task == "t1");

    auto chroot = decide_next_job(machine({"chroot:/target", "t1"}, -1), std::nullopt, "");
    REQUIRE(chroot.outcome == NextJobOutcome::ChrootJob);
    CHECK(chroot.job->task == "chroot:/target");
    CHECK(chroot.job->state == "finished");  // so the next POST advances instead of looping
    auto after = decide_next_job(chroot.machine, job(JobState::Finished, 0), "");
    CHECK(after.job->task == "t1");

    auto action = decide_next_job(machine({"action:ipmi:powercycle"}, -1), std::nullopt, "");
    REQUIRE(action.outcome == NextJobOutcome::ActionJob);
    CHECK(action.job->state == "running");
}
