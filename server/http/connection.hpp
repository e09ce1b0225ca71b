// One client connection as the loop sees it: its transport, unread input, unsent output and
// where it is in the request/response cycle. Only the loop thread touches a Connection.
// Invariants: at most one request per connection is with the workers (Processing), so responses
// to pipelined requests leave in request order; input is not read while a response is pending.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "server/http/request_parser.hpp"
#include "server/http/stream.hpp"
#include "server/http/transport.hpp"

namespace drover::http {

using Clock = std::chrono::steady_clock;

enum class ConnState {
    Reading,     // waiting for (the rest of) a request
    Processing,  // a worker has the request
    Writing,     // sending a response
    Streaming,   // an event stream: output only, until finish(), client close or stop
    Lingering,   // response sent with "close": write side shut, draining input until EOF
};

enum class FlushResult { Done, Pending, Failed };

class Connection {
  public:
    Connection(std::uint64_t id, std::unique_ptr<Transport> transport, std::string remote_addr,
               ParserLimits limits);

    std::uint64_t id() const { return id_; }
    int fd() const { return transport_->fd(); }
    Transport& transport() { return *transport_; }
    const std::string& remote_addr() const { return remote_addr_; }

    // Reads once (up to 64 KiB) into input(); level-triggered epoll calls again if more waits.
    IoStatus read_some();
    // Reads and drops everything available; Closed/Error mean the peer has gone.
    IoStatus discard_input();
    std::string& input() { return in_; }
    RequestParser& parser() { return parser_; }

    void queue_output(std::string bytes);
    // The unsent output, compacted so callers may append to it.
    std::string& output();
    bool has_output() const { return out_offset_ < out_.size(); }
    std::size_t unsent() const { return out_.size() - out_offset_; }
    FlushResult flush();

    // The epoll events this connection needs in its current state, plus the opposite direction
    // when the transport said so (TLS: a read may need the socket writable and vice versa).
    std::uint32_t wanted_events() const;
    bool read_blocked_on_write() const { return read_wants_write_; }
    bool write_blocked_on_read() const { return write_wants_read_; }

    ConnState state = ConnState::Reading;
    Clock::time_point deadline = Clock::time_point::max();
    bool request_started = false;  // some bytes of the current request have arrived
    bool handshaking = false;      // the transport is not established yet (TLS)
    bool keep_alive = true;        // of the request being answered
    bool head_only = false;
    bool close_after = false;  // the response being written ends the connection
    std::uint32_t registered_events = 0;
    std::shared_ptr<StreamImpl> stream;
    bool stream_finishing = false;  // finish() was called: close once the output is flushed
    std::function<void()> on_stream_closed;

  private:
    const std::uint64_t id_;
    std::unique_ptr<Transport> transport_;
    std::string remote_addr_;
    RequestParser parser_;
    std::string in_;
    std::string out_;
    std::size_t out_offset_ = 0;
    bool read_wants_write_ = false;
    bool write_wants_read_ = false;
};

}  // namespace drover::http
