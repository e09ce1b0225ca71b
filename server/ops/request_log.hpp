// The one info-level line per HTTP request: method, path, query (credentials redacted), route
// template, status, duration, principal and response bytes. Streamed responses (event streams,
// log follows) are logged when the stream starts, with stream=true and the bytes sent before it.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "server/ops/log.hpp"

namespace drover::ops {

struct RequestRecord {
    std::string_view method;
    std::string_view path;
    const std::multimap<std::string, std::string>* query = nullptr;  // decoded
    std::string_view route;
    int status = 0;
    double seconds = 0;
    std::string_view principal;  // a user's name, "machine:<uuid>", or "-" (anonymous)
    std::uint64_t bytes_out = 0;
    bool stream = false;
};

// The query as "k=v&k2=v2" with every `token` value (a bearer token or user:password, spec 6.1)
// replaced by "REDACTED".
std::string loggable_query(const std::multimap<std::string, std::string>& query);

LogEntry request_entry(const RequestRecord& r);
// Writes request_entry(r) when info is enabled (formats nothing otherwise).
void log_request(const RequestRecord& r);

}  // namespace drover::ops
