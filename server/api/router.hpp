// droverd's single request entry point: every request is authenticated and authorised here, in
// one place (spec 6.1, issue 7), and only then dispatched by path to the object routes (spec
// 6.2), the param sub-resources (spec 6.3), the event stream (spec 6.6) and the misc endpoints,
// /metrics included; the few public paths (/healthz, the dashboard's files at /ui/) are decided
// here too. Every answered request is counted and logged here (server/ops), with its route
// template and principal.
#pragma once
#include <functional>
#include <string>

#include "common/security/claims.hpp"
#include "server/api/job_routes.hpp"
#include "server/api/request_observer.hpp"
#include "server/http/http_server.hpp"

namespace drover::objects {
class ObjectService;
}
namespace drover::events {
class EventBus;
}
namespace drover::security {
class SecurityService;
}

namespace drover::api_routes {

struct RouterOptions {
    std::string default_boot_env = "local";
    std::string version;
    int api_port = 0;
    // GET /metrics without credentials; otherwise it needs `list` on scope `metrics` (admins).
    bool metrics_public = false;
    // The metrics of the rest of the server, after the router's own request metrics.
    std::function<void(ops::Exposition&)> write_metrics;
};

class Router {
  public:
    Router(objects::ObjectService& objects, events::EventBus& events, JobServices jobs,
           security::SecurityService& security, RouterOptions options);
    void handle(const http::Request& req, http::Response& res);

  private:
    // Sets `principal` to the caller's log name once authenticated.
    void serve(const http::Request& req, http::Response& res, std::string& principal_name);
    void serve_metrics(const http::Request& req, http::Response& res) const;
    void serve_health(const http::Request& req, http::Response& res) const;
    void dispatch(const std::string& prefix, const std::string& tail,
                  const security::Principal& principal, bool decode, const http::Request& req,
                  http::Response& res, const objects::WriteContext& ctx);

    objects::ObjectService& objects_;
    events::EventBus& events_;
    JobServices jobs_;
    security::SecurityService& security_;
    RouterOptions options_;
    RequestObserver observer_;
};

}  // namespace drover::api_routes
