#include "server/api/request_observer.hpp"

#include "server/ops/request_log.hpp"

namespace drover::api_routes {

RequestObserver::RequestObserver(const std::vector<std::string>& object_prefixes)
    : routes_(object_prefixes), metrics_(routes_.names()) {}

void RequestObserver::observe(const http::Request& req, const http::Response& res,
                              std::chrono::steady_clock::time_point started,
                              std::string_view principal) {
    using Clock = std::chrono::steady_clock;
    const auto arrived = req.received == Clock::time_point{} ? started : req.received;
    const double seconds = std::chrono::duration<double>(Clock::now() - arrived).count();
    const std::size_t route = routes_.index_of(req.path);
    metrics_.record(route, res.status, seconds);
    ops::RequestRecord record;
    record.method = req.method;
    record.path = req.path;
    record.query = &req.query;
    record.route = routes_.names()[route];
    record.status = res.status;
    record.seconds = seconds;
    record.principal = principal;
    record.bytes_out = req.method == "HEAD" ? 0 : res.body.size();
    record.stream = static_cast<bool>(res.on_stream);
    ops::log_request(record);
}

}  // namespace drover::api_routes
