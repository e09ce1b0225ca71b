#include "server/jobs/job_engine.hpp"

#include "common/rules/durations.hpp"
#include "common/rules/next_job.hpp"
#include "common/rules/task_entry.hpp"
#include "server/jobs/idempotency.hpp"
#include "server/jobs/job_deadlines.hpp"
#include "server/jobs/job_log_store.hpp"
#include "server/objects/random_ids.hpp"

namespace drover::jobs {

using model::Json;
using objects::ObjectResult;
using objects::ObjectTxn;

namespace {

objects::WriteContext engine_context(const objects::WriteContext& ctx) {
    objects::WriteContext out = ctx;
    out.job_engine = true;
    return out;
}

template <class T>
T decode_as(const Json& doc) {
    T obj;
    model::decode(doc, obj);
    return obj;
}

// spec 2.2: a CurrentJob that no longer exists counts as a failed job at the current index.
std::optional<rules::CurrentJobFacts> current_job_facts(const model::Machine& m,
                                                        const std::optional<model::Job>& cj) {
    if (m.current_job.empty()) return std::nullopt;
    if (!cj) return rules::CurrentJobFacts{m.current_job, model::JobState::Failed, m.current_task};
    auto state = model::parse_job_state(cj->state).value_or(model::JobState::Failed);
    return rules::CurrentJobFacts{cj->uuid, state, cj->current_index};
}

api::Unexpected<model::Error> as_error(const ObjectResult& r) {
    return api::unexpected(r.error());
}

void tally_state_change(JobCounts& tally, const std::string& from, const std::string& to) {
    if (from == to) return;
    if (to == "finished") ++tally.finished;
    if (to == "failed") ++tally.failed;
}

}  // namespace

JobEngine::JobEngine(objects::ObjectService& objects, JobLogStore& logs, JobEngineOptions options)
    : objects_(objects), logs_(logs), options_(std::move(options)) {}

std::vector<std::string> JobEngine::buckets() {
    return {kIdempotencyBucket, kDeadlineBucket};
}

std::chrono::system_clock::time_point JobEngine::now() const {
    return options_.clock ? options_.clock() : std::chrono::system_clock::now();
}

api::Expected<NextJobReply, model::Error> JobEngine::next_job(const Json& body,
                                                              const std::string& idempotency_key,
                                                              const objects::WriteContext& ctx) {
    auto machine = body.is_object() ? body.find("Machine") : body.end();
    if (!body.is_object() || machine == body.end() || !machine->is_string() ||
        machine->get<std::string>().empty())
        return api::unexpected(objects::bad_request("jobs", "", {"Job create needs a Machine"}));
    auto context = body.find("Context");
    if (context != body.end() && !context->is_string() && !context->is_null())
        return api::unexpected(objects::bad_request("jobs", "", {"Context must be a string"}));
    auto uuid = body.find("Uuid");
    std::string requested;
    if (uuid != body.end() && !uuid->is_null()) {
        // spec 1.4: the client may choose the new job's Uuid; it names the job's log file too.
        if (!uuid->is_string() || !JobLogStore::valid_id(uuid->get<std::string>()))
            return api::unexpected(objects::bad_request(
                "jobs", "", {"Uuid must be 1 to 64 letters, digits and dashes"}));
        requested = uuid->get<std::string>();
    }
    IdempotencyScope scope{
        machine->get<std::string>(),
        context != body.end() && context->is_string() ? context->get<std::string>() : "",
        idempotency_key};
    const auto now_s =
        std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch()).count();

    std::optional<NextJobReply> reply;
    NewJobLog log;
    JobCounts tally;
    auto committed = objects_.transact("jobs", [&](ObjectTxn& t) -> ObjectResult {
        reply.reset();
        log = {};
        tally = {};
        if (!scope.key.empty())
            if (auto rec = recorded_reply(t.raw(), scope, now_s)) {
                reply = NextJobReply{rec->status, rec->job};
                return Json();
            }
        auto decided =
            decide_and_save(t, {scope.machine, scope.context, requested}, ctx, log, tally);
        if (!decided) return api::unexpected(decided.error());
        reply = decided.value();
        if (!scope.key.empty())
            record_reply(t.raw(), scope, {reply->status, reply->job},
                         now_s + static_cast<std::int64_t>(options_.idempotency_ttl_seconds));
        return Json();
    });
    if (!committed) return api::unexpected(committed.error());
    count(tally);
    if (!log.job.empty()) {
        // The job is durable: its log exists from now on (first line, then the engine's note).
        logs_.create(log.job, log.line.empty() ? std::string() : log.line + "\n");
    }
    return *reply;
}

api::Expected<NextJobReply, model::Error> JobEngine::decide_and_save(
    ObjectTxn& t, const JobRequest& request, const objects::WriteContext& ctx, NewJobLog& log,
    JobCounts& tally) {
    const std::string& machine_id = request.machine;
    auto found = t.get("machines", machine_id);
    if (!found)
        return api::unexpected(
            objects::invalid("jobs", "", {"Machine " + machine_id + " does not exist"}));
    const auto m = decode_as<model::Machine>(found.value());
    std::optional<model::Job> cj;
    if (!m.current_job.empty())
        if (auto j = t.get("jobs", m.current_job)) cj = decode_as<model::Job>(j.value());

    rules::NextJobDecision d = rules::decide_next_job(m, current_job_facts(m, cj), request.context);
    using rules::NextJobOutcome;
    switch (d.outcome) {
        case NextJobOutcome::NotRunnable:
        case NextJobOutcome::AlreadyRunning:
            return api::unexpected(objects::conflict("jobs", m.uuid, d.message));
        case NextJobOutcome::ContextMismatch:
            return NextJobReply{204, std::nullopt};
        case NextJobOutcome::ResumeIncomplete:
            return NextJobReply{202, model::encode(*cj)};
        default:
            break;
    }
    const auto ectx = engine_context(ctx);
    const std::string stamp = rules::format_rfc3339(now());
    bool cj_changed = false;
    if (d.fail_current_job && cj) {  // step 4: the list moved under an unfinished job
        if (cj->state == "running") erase_deadline(t.raw(), cj->uuid);
        tally_state_change(tally, cj->state, "failed");
        cj->state = "failed";
        cj->exit_state = "failed";
        if (cj->end_time.empty()) cj->end_time = stamp;
        cj_changed = true;
    }
    NextJobReply reply{204, std::nullopt};
    if (d.job) {
        model::Job job = std::move(*d.job);
        const bool for_agent = d.outcome == NextJobOutcome::NewJob;
        job.uuid = for_agent && !request.uuid.empty() ? request.uuid : objects::random_uuid();
        if (t.get("jobs", job.uuid))
            return api::unexpected(
                objects::conflict("jobs", job.uuid, "Job " + job.uuid + " already exists"));
        job.start_time = stamp;
        log = {job.uuid, d.log_line};
        if (d.outcome == NextJobOutcome::ActionJob) {
            // spec 2.3 step 6: action entries run server plugins; drover has none, so the action
            // fails like a failing plugin would (v48-doc: 204, machine not Runnable).
            job.state = "failed";
            job.exit_state = "failed";
            d.machine.runnable = false;
            log.line = "No plugin provides " + job.task + " for machine " + m.uuid;
        }
        if (model::is_final(model::parse_job_state(job.state).value_or(model::JobState::Created)))
            job.end_time = stamp;
        auto created = t.create("jobs", model::encode(job), ectx);
        if (!created) return as_error(created);
        ++tally.created;
        tally_state_change(tally, "", job.state);
        if (cj && cj->current) {
            cj->current = false;
            cj_changed = true;
        }
        d.machine.current_job = job.uuid;
        d.machine_changed = true;
        if (d.outcome == NextJobOutcome::NewJob || d.outcome == NextJobOutcome::ChrootJob)
            reply = NextJobReply{201, created.value()};
    }
    if (cj_changed)
        if (auto saved = t.replace("jobs", cj->uuid, model::encode(*cj), ectx); !saved)
            return as_error(saved);
    if (d.machine_changed)
        if (auto saved = t.replace("machines", m.uuid, model::encode(d.machine), ectx); !saved)
            return as_error(saved);
    return reply;
}

ObjectResult JobEngine::update_job(const std::string& id, const Json& body, bool is_patch,
                                   const objects::WriteContext& ctx) {
    JobCounts tally;
    auto result = objects_.transact("jobs", [&](ObjectTxn& t) -> ObjectResult {
        tally = {};
        auto old = t.get("jobs", id);
        if (!old) return old;
        auto changed = is_patch ? t.patch("jobs", id, body, ctx) : t.replace("jobs", id, body, ctx);
        if (!changed) return changed;
        if (auto effects = after_job_change(t, old.value(), changed.value(), tally); !effects)
            return effects;
        return changed;
    });
    if (result) count(tally);
    return result;
}

JobCounts JobEngine::counts() const {
    return {created_.load(std::memory_order_relaxed), finished_.load(std::memory_order_relaxed),
            failed_.load(std::memory_order_relaxed)};
}

void JobEngine::count(const JobCounts& tally) {
    created_.fetch_add(tally.created, std::memory_order_relaxed);
    finished_.fetch_add(tally.finished, std::memory_order_relaxed);
    failed_.fetch_add(tally.failed, std::memory_order_relaxed);
}

ObjectResult JobEngine::after_job_change(ObjectTxn& t, const Json& old_json, const Json& now_json,
                                         JobCounts& tally) {
    const auto old = decode_as<model::Job>(old_json);
    const auto job = decode_as<model::Job>(now_json);
    if (old.state == job.state) return now_json;
    tally_state_change(tally, old.state, job.state);
    if (old.state == "running") erase_deadline(t.raw(), job.uuid);
    if (job.state == "running") arm_deadline(t.raw(), job, now());
    if (job.state != "failed") return now_json;
    // v48-doc: a job that fails takes its machine out of the Runnable set, when it is the job the
    // machine is on (failing an old job must not stop a machine that moved on).
    auto found = t.get("machines", job.machine);
    if (!found) return now_json;
    auto m = decode_as<model::Machine>(found.value());
    if (m.current_job != job.uuid || !m.runnable) return now_json;
    m.runnable = false;
    auto saved = t.replace("machines", m.uuid, model::encode(m), engine_context({}));
    if (!saved) return saved;
    return now_json;
}

ObjectResult JobEngine::remove_job(const std::string& id, const objects::WriteContext& ctx) {
    auto removed = objects_.transact("jobs", [&](ObjectTxn& t) -> ObjectResult {
        auto r = t.remove("jobs", id, ctx);
        if (r) erase_deadline(t.raw(), r.value()["Uuid"].get<std::string>());
        return r;
    });
    if (removed) logs_.remove(removed.value()["Uuid"].get<std::string>());
    return removed;
}

ObjectResult JobEngine::remove_machine(const std::string& id, const objects::WriteContext& ctx) {
    return objects_.transact("machines", [&](ObjectTxn& t) -> ObjectResult {
        auto removed = t.remove("machines", id, ctx);
        if (!removed) return removed;
        const auto m = decode_as<model::Machine>(removed.value());
        forget_machine(t.raw(), m.uuid);
        if (m.current_job.empty()) return removed;
        auto found = t.get("jobs", m.current_job);
        if (!found) return removed;
        auto cj = decode_as<model::Job>(found.value());
        if (!cj.current) return removed;
        cj.current = false;
        auto saved = t.replace("jobs", cj.uuid, model::encode(cj), engine_context(ctx));
        if (!saved) return saved;
        return removed;
    });
}

}  // namespace drover::jobs
