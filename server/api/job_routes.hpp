// spec 6.4: the job endpoints (POST /jobs next-job selection, job edits, purge, actions, logs)
// and the machine endpoints the job engine owns (delete, dry-run render). Plain GETs of jobs go
// through the generic object routes.
#pragma once
#include <string>

#include "server/http/http_server.hpp"
#include "server/objects/collection.hpp"

namespace drover::objects {
class ObjectService;
}
namespace drover::jobs {
class JobEngine;
class JobLogStore;
class ActionRenderer;
class LogFollowers;
}  // namespace drover::jobs

namespace drover::api_routes {

struct JobServices {
    objects::ObjectService& objects;
    jobs::JobEngine& engine;
    jobs::JobLogStore& logs;
    jobs::ActionRenderer& renderer;
    jobs::LogFollowers& followers;
};

// Everything under /api/v3/jobs; `rest` is the path after it. `decode` (issue 7): rendered
// actions see secure param values in clear (the router sets it when the caller may read them).
void handle_jobs(JobServices& jobs, const std::string& rest, const http::Request& req,
                 http::Response& res, const objects::WriteContext& ctx, bool decode);
// DELETE /machines/<id> and GET /machines/<id>/render (`decode` as for handle_jobs); false when
// `rest` is neither.
bool handle_machine_job_routes(JobServices& jobs, const std::string& rest, const http::Request& req,
                               http::Response& res, const objects::WriteContext& ctx, bool decode);
// GET/HEAD/PUT /jobs/<id>/log (resumable upload, ranges, follow).
void handle_job_log(JobServices& jobs, const std::string& id, const http::Request& req,
                    http::Response& res);

}  // namespace drover::api_routes
