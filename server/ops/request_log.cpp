#include "server/ops/request_log.hpp"

namespace drover::ops {

std::string loggable_query(const std::multimap<std::string, std::string>& query) {
    std::string out;
    for (const auto& [key, value] : query) {
        if (!out.empty()) out += '&';
        out += key;
        out += '=';
        out += key == "token" ? "REDACTED" : value;
    }
    return out;
}

LogEntry request_entry(const RequestRecord& r) {
    LogEntry e(Level::Info, "request");
    e.field("method", r.method).field("path", r.path);
    if (r.query && !r.query->empty()) e.field("query", loggable_query(*r.query));
    e.field("route", r.route)
        .field("status", r.status)
        .field("duration_ms", r.seconds * 1000.0)
        .field("principal", r.principal)
        .field("bytes", r.bytes_out);
    if (r.stream) e.field("stream", "true");
    return e;
}

void log_request(const RequestRecord& r) {
    if (log_enabled(Level::Info)) write_log(request_entry(r));
}

}  // namespace drover::ops
