// droverd's HTTP/1.1 server: one epoll loop owns every socket (accept, read, write, idle
// timeouts, event streams); complete requests are handed to a bounded worker pool. Long-lived
// streams never hold a worker thread, so 10,000 open event streams cost memory, not threads.
// Invariants: a full worker queue answers 503 at once; no request waits unboundedly; the port
// is bound without SO_REUSEPORT, so a second server on the same port fails to start.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

struct ssl_ctx_st;  // OpenSSL's SSL_CTX (server/security builds it)

namespace drover::http {

// Header names compare case-insensitively.
struct CaseInsensitiveLess {
    bool operator()(const std::string& a, const std::string& b) const;
};
using Headers = std::multimap<std::string, std::string, CaseInsensitiveLess>;

struct Request {
    std::string method;
    std::string target;                             // as sent: path plus query
    std::string path;                               // percent-decoded path, without the query
    std::multimap<std::string, std::string> query;  // decoded, in order
    Headers headers;
    std::string body;
    std::string remote_addr;
    // When the loop had the whole request (before it waited for a worker); for request durations.
    std::chrono::steady_clock::time_point received{};

    const std::string* header(const std::string& name) const;
    const std::string* query_value(const std::string& name) const;  // the first one
};

// A server-pushed byte stream on one connection (Server-Sent Events). Thread-safe; writes are
// buffered up to a limit and flushed by the loop.
class Stream {
  public:
    virtual ~Stream() = default;
    // Queues bytes; false when the stream is closed or the bytes would exceed the buffer limit
    // (a consumer that has fallen behind): the caller should then finish it.
    virtual bool write(std::string bytes) = 0;
    // Flushes what is queued, then closes the connection.
    virtual void finish() = 0;
    // Queues `last_bytes` even past the buffer limit (a short goodbye, such as telling a consumer
    // that fell behind where to resume), then finishes.
    virtual void finish_with(std::string last_bytes) = 0;
    virtual bool is_open() const = 0;
};

struct Response {
    int status = 200;
    Headers headers;
    std::string body;
    // When set, the response head is sent without a Content-Length and the connection becomes a
    // stream: `on_stream` is called once with it (from the loop thread; do not block there).
    // `body`, if any, is sent first (outside the stream's buffer limit).
    std::function<void(std::shared_ptr<Stream>)> on_stream;
    // Called when a streamed connection closes (client gone, finish(), or server stop).
    std::function<void()> on_stream_closed;
};

using Handler = std::function<void(const Request&, Response&)>;

struct ServerOptions {
    std::string host = "0.0.0.0";
    std::uint16_t port = 8092;  // 0 = pick a free port
    int listen_backlog = 4096;
    std::size_t worker_threads = 8;
    std::size_t max_queued_requests = 4096;      // beyond: 503
    std::size_t max_body_bytes = 16u << 20;      // beyond: 413
    std::size_t max_header_bytes = 64u << 10;    // beyond: 431
    std::size_t stream_buffer_bytes = 1u << 20;  // per stream
    int idle_timeout_seconds = 60;               // keep-alive connections without a request
    int request_timeout_seconds = 30;            // a request must arrive whole within this
    std::size_t max_connections = 20000;
    // After stop(): how long requests in progress and finishing streams have before the rest is
    // closed (a handler already running is still waited for).
    int shutdown_timeout_seconds = 10;
    // Set: every connection speaks TLS with this context (tls_transport.hpp). Null: plain HTTP.
    std::shared_ptr<ssl_ctx_st> tls;
};

class Server {
  public:
    // The handler is the single entry point for every request (routing, authentication and
    // authorisation live above this class, in one place).
    Server(ServerOptions options, Handler handler);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and listens; returns false with `error` set when the address is in use or invalid.
    bool bind(std::string& error);
    std::uint16_t port() const;  // the bound port (useful with port 0)
    // Runs the loop until stop(); returns after every connection is closed and workers joined.
    void run();
    // Thread-safe; safe to call from a signal-handling thread. Graceful: the listener closes at
    // once, idle connections are closed, requests already arriving or running are answered (with
    // Connection: close) and streams are finished, so bytes written to them before stop() are
    // flushed; after shutdown_timeout_seconds whatever is left is closed.
    void stop();
    // Connections accepted from now on use `context`; open ones keep the one they started with.
    // Thread-safe. False (and nothing changes) when the server was built without TLS.
    bool set_tls(std::shared_ptr<ssl_ctx_st> context);

    struct Stats {
        std::uint64_t connections_open = 0;
        std::uint64_t streams_open = 0;
        std::uint64_t requests_total = 0;
        std::uint64_t rejected_busy = 0;  // 503s from a full queue
    };
    Stats stats() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace drover::http
