// The `Date` header of every answer (RFC 9110 6.6.1: an origin server with a clock must send
// one). Clients read the server's clock from it (the agent judges its token's expiry by it, issue
// 10). Formatted at most once a second per thread: answers are written on the epoll thread.
#pragma once
#include <string_view>

namespace drover::http {

// The value for now, e.g. "Sun, 06 Nov 1994 08:49:37 GMT"; valid until the thread's next call.
std::string_view date_header_now();

}  // namespace drover::http
