// What droverd records about every request it answers: a count by route template and status,
// the duration histogram (server/ops/request_metrics), and one info log line
// (server/ops/request_log). The router calls it once per request; the HTTP benchmark calls the
// same code to measure its cost.
#pragma once
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "server/api/route_templates.hpp"
#include "server/http/http_server.hpp"
#include "server/ops/request_metrics.hpp"

namespace drover::api_routes {

class RequestObserver {
  public:
    explicit RequestObserver(const std::vector<std::string>& object_prefixes);

    // The duration runs from req.received (or `started`, when the request did not come through
    // the loop) to now; `principal` is "-" for anonymous requests.
    void observe(const http::Request& req, const http::Response& res,
                 std::chrono::steady_clock::time_point started, std::string_view principal);
    void write(ops::Exposition& out) const { metrics_.write(out); }

  private:
    RouteTemplates routes_;
    ops::RequestMetrics metrics_;
};

}  // namespace drover::api_routes
