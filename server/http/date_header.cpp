#include "server/http/date_header.hpp"

#include <chrono>
#include <cstdint>
#include <string>

#include "common/api/http_date.hpp"

namespace drover::http {

std::string_view date_header_now() {
    thread_local std::int64_t formatted_second = -1;
    thread_local std::string value;
    const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    if (now != formatted_second) {
        value = api::format_http_date(now);
        formatted_second = now;
    }
    return value;
}

}  // namespace drover::http
