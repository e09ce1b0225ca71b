#include "server/ops/server_metrics.hpp"

#include "server/events/event_bus.hpp"
#include "server/http/http_server.hpp"
#include "server/jobs/job_engine.hpp"
#include "server/jobs/job_log_store.hpp"
#include "server/store/store.hpp"

namespace drover::ops {
namespace {

void write_jobs(const jobs::JobEngine& engine, const jobs::JobLogStore& logs, Exposition& out) {
    jobs::JobCounts jobs = engine.counts();
    out.counter("drover_jobs_created_total", "Jobs created by POST /jobs", jobs.created);
    out.counter("drover_jobs_finished_total", "Jobs that reached state finished", jobs.finished);
    out.counter("drover_jobs_failed_total",
                "Jobs that reached state failed (agent, superseded, action entry or timeout)",
                jobs.failed);
    out.counter("drover_job_log_bytes_written_total", "Bytes appended to job logs",
                logs.bytes_appended());
}

void write_store(const store::Store& store, Exposition& out) {
    store::StoreStats stats = store.stats();
    out.family("drover_store_commit_batch_size", "histogram",
               "Writes committed together in one LMDB transaction and fsync (group commit)");
    out.histogram("drover_store_commit_batch_size", {}, stats.commit_writers);
    out.family("drover_store_commit_duration_seconds", "histogram",
               "Time from a batch's transaction start to its durable commit");
    out.histogram("drover_store_commit_duration_seconds", {}, stats.commit_seconds);
    out.gauge("drover_store_data_file_bytes", "Size of the LMDB data file",
              static_cast<double>(stats.data_file_bytes));
}

}  // namespace

void write_server_metrics(const ServerMetricSources& from, Exposition& out) {
    http::Server::Stats http = from.http.stats();
    out.gauge("drover_http_connections_open", "Open client connections",
              static_cast<double>(http.connections_open));
    out.counter("drover_http_rejected_busy_total",
                "Requests answered 503 at once because the worker queue was full",
                http.rejected_busy);
    out.gauge("drover_event_streams_open", "Open event streams (GET /api/v3/events)",
              static_cast<double>(from.bus.open_streams()));
    out.counter("drover_events_published_total", "Events committed and handed to the event bus",
                from.bus.events_published());
    write_jobs(from.engine, from.logs, out);
    write_store(from.store, out);
}

}  // namespace drover::ops
