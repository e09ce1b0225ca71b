// The single thread that owns every socket: accepts, reads and parses requests, hands complete
// ones to the worker pool, writes responses and stream bytes, and enforces the idle and request
// timeouts. Nothing here blocks: slow handlers run on workers, slow clients wait in epoll.
// Invariants: connection ids are never reused, so a late completion for a closed connection is
// simply dropped; on_stream_closed runs exactly once for every stream whose on_stream ran.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

#include "common/posix/unique_fd.hpp"
#include "server/http/connection.hpp"
#include "server/http/http_server.hpp"
#include "server/http/mailbox.hpp"
#include "server/http/transport.hpp"
#include "server/http/worker_pool.hpp"

namespace drover::http {

using posix::UniqueFd;

// What the Server (any thread) and the loop share.
struct LoopShared {
    ServerOptions options;
    Handler handler;
    std::shared_ptr<Mailbox> mailbox = std::make_shared<Mailbox>();
    std::atomic<bool> stopping{false};
    std::atomic<std::uint64_t> connections_open{0};
    std::atomic<std::uint64_t> streams_open{0};
    std::atomic<std::uint64_t> requests_total{0};
    std::atomic<std::uint64_t> rejected_busy{0};
    // Wraps each accepted socket: plain TCP, or TLS when ServerOptions::tls is set. A null result
    // drops the connection.
    std::function<std::unique_ptr<Transport>(UniqueFd)> make_transport = make_tcp_transport;
};

class EventLoop {
  public:
    EventLoop(LoopShared& shared, UniqueFd listener);
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // Serves until shared.stopping is set, then drains (begin_drain) until every connection is
    // gone or shutdown_timeout_seconds have passed, then closes the rest and joins the workers.
    void run();

  private:
    // Functions returning bool return false when they closed the connection (it is then gone).
    void accept_all();
    void add_connection(UniqueFd socket, const std::string& remote_addr);
    void on_connection_event(Connection& c, std::uint32_t events);
    bool on_readable(Connection& c);
    bool process_input(Connection& c);
    bool become_idle(Connection& c);
    bool dispatch(Connection& c, ParsedRequest parsed);
    bool send_response(Connection& c, const Response& response, bool close_after);
    bool send_error(Connection& c, int status, const std::string& message);
    void on_mailbox();
    void complete(Connection& c, Response& response);
    void start_stream(Connection& c, Response& response);
    bool pump_stream(Connection& c);
    bool flush(Connection& c);
    bool after_output_drained(Connection& c);
    void begin_linger(Connection& c);
    void close(Connection& c);
    void update_interest(Connection& c, bool strict = false);
    void sweep_deadlines();
    void begin_drain();
    void shutdown();
    Connection* find(std::uint64_t id);

    LoopShared& shared_;
    const ServerOptions& options_;
    UniqueFd listener_;
    UniqueFd epoll_;
    UniqueFd reserve_fd_;  // spent to accept-and-close when out of descriptors (EMFILE)
    WorkerPool pool_;
    std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections_;
    std::uint64_t next_id_;
    Clock::time_point now_;
    Clock::time_point next_sweep_;
    bool draining_ = false;  // stop() seen: no listener, no new requests on idle connections
    Clock::time_point drain_deadline_;
};

}  // namespace drover::http
