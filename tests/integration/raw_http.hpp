// HTTP over a raw loopback socket, for requests no client library would send: invalid UTF-8 or NUL
// in the request line, unknown methods, a Content-Length beyond the server's limit, a head sent one
// byte at a time. Every read has a deadline, so a server that hangs fails the test instead of
// hanging it.
#pragma once
#include <chrono>
#include <string>
#include <string_view>

namespace drover::testing {

struct RawReply {
    int status = 0;  // 0: no complete answer before the deadline or the close
    std::string head;
    std::string body;
    bool closes = false;  // the server said Connection: close (or closed)
};

// The bytes of one request with a Content-Length matching `body` (unless `content_length` says
// otherwise) and, when `token` is set, the admin's bearer credentials.
std::string raw_request(std::string_view method, std::string_view target, std::string_view token,
                        std::string_view body = "",
                        std::string_view content_type = "application/json",
                        long long content_length = -1);

// A keep-alive connection to 127.0.0.1:port that reconnects after the server closed it.
class RawConnection {
  public:
    RawConnection(int port, std::chrono::seconds deadline);
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    // Sends the whole request and reads one answer (head and Content-Length body).
    RawReply exchange(std::string_view request);
    // Sends bytes without reading; false when the server has closed the connection.
    bool send_bytes(std::string_view bytes);
    // True when the server closed the connection (EOF or reset) within `wait`; any answer bytes
    // are discarded.
    bool closed_within(std::chrono::milliseconds wait);

  private:
    void connect_now();
    void disconnect();

    int port_;
    std::chrono::seconds deadline_;
    int fd_ = -1;
};

}  // namespace drover::testing
