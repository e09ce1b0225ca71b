// The epoll loop (see event_loop.hpp). Level-triggered: each readable connection gets one read
// per wake-up, which keeps a fast sender from starving the others.
#include "server/http/event_loop.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "server/http/response_writer.hpp"

namespace drover::http {
namespace {

constexpr std::uint64_t kListenerKey = 1;
constexpr std::uint64_t kMailboxKey = 2;
constexpr std::uint64_t kFirstConnectionId = 16;
constexpr int kMaxEvents = 256;
constexpr int kAcceptsPerWake = 256;  // then let established connections have a turn
// Deadlines are checked this often: timeouts are whole seconds, so a quarter second of slack
// is fine, and scanning 20,000 connections four times a second costs well under 1% of a core.
constexpr auto kSweepInterval = std::chrono::milliseconds(250);
// After a response that ends the connection, how long we keep draining a client still sending
// (so it reads our answer instead of a reset).
constexpr auto kMaxLinger = std::chrono::seconds(2);

std::string format_address(const sockaddr_storage& addr) {
    char text[INET6_ADDRSTRLEN] = "";
    if (addr.ss_family == AF_INET)
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(addr).sin_addr, text,
                    sizeof text);
    else if (addr.ss_family == AF_INET6)
        ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr, text,
                    sizeof text);
    return text;
}

const char* error_type(int status) {
    switch (status) {
        case 411:
            return "LengthRequired";
        case 413:
            return "TooLarge";
        case 431:
            return "HeadersTooLarge";
        case 501:
            return "NotImplemented";
        case 505:
            return "VersionNotSupported";
        default:
            return "BadRequest";
    }
}

// Handlers must not throw across the interface; if one does anyway, the client gets a 500.
void run_handler(const Handler& handler, const Request& request, Response& response) {
    try {
        handler(request, response);
    } catch (...) {
        response = error_response(500, "InternalError", "request handler failed");
    }
}

UniqueFd open_reserve_fd() {
    return UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
}

}  // namespace

EventLoop::EventLoop(LoopShared& shared, UniqueFd listener)
    : shared_(shared),
      options_(shared.options),
      listener_(std::move(listener)),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      reserve_fd_(open_reserve_fd()),
      pool_(shared.options.worker_threads, shared.options.max_queued_requests),
      next_id_(kFirstConnectionId),
      now_(Clock::now()),
      next_sweep_(now_ + kSweepInterval) {}

EventLoop::~EventLoop() = default;

void EventLoop::run() {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kListenerKey;
    bool ok = epoll_.valid() && ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, listener_.get(), &ev) == 0;
    ev.data.u64 = kMailboxKey;
    ok = ok && ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, shared_.mailbox->fd(), &ev) == 0;
    std::vector<epoll_event> events(kMaxEvents);
    while (ok) {
        if (!draining_ && shared_.stopping.load()) begin_drain();
        if (draining_ && (connections_.empty() || Clock::now() >= drain_deadline_)) break;
        int n = ::epoll_wait(epoll_.get(), events.data(), kMaxEvents,
                             static_cast<int>(kSweepInterval.count()));
        if (n < 0 && errno != EINTR) break;
        now_ = Clock::now();
        for (int i = 0; i < n; ++i) {
            std::uint64_t key = events[i].data.u64;
            if (key == kListenerKey)
                accept_all();
            else if (key == kMailboxKey)
                on_mailbox();
            else if (Connection* c = find(key))
                on_connection_event(*c, events[i].events);
        }
        if (now_ >= next_sweep_) {
            sweep_deadlines();
            next_sweep_ = now_ + kSweepInterval;
        }
    }
    shutdown();
}

Connection* EventLoop::find(std::uint64_t id) {
    auto it = connections_.find(id);
    return it == connections_.end() ? nullptr : it->second.get();
}

void EventLoop::accept_all() {
    for (int i = 0; i < kAcceptsPerWake; ++i) {
        sockaddr_storage addr{};
        socklen_t len = sizeof addr;
        int fd = ::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&addr), &len,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if ((errno == EMFILE || errno == ENFILE) && reserve_fd_.valid()) {
                // Out of descriptors: the pending connection would keep the listener readable
                // and spin the loop. Free the reserve, accept it, close it, take the reserve
                // back.
                reserve_fd_.reset();
                UniqueFd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
                reserve_fd_ = open_reserve_fd();
                continue;
            }
            return;  // EAGAIN: accepted everything queued
        }
        UniqueFd socket(fd);
        if (connections_.size() >= options_.max_connections) continue;  // closed: over limit
        int one = 1;
        // Responses and stream frames are written whole; Nagle would only delay them.
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        add_connection(std::move(socket), format_address(addr));
    }
}

void EventLoop::add_connection(UniqueFd socket, const std::string& remote_addr) {
    std::uint64_t id = next_id_++;
    ParserLimits limits{options_.max_header_bytes, options_.max_body_bytes};
    std::unique_ptr<Transport> transport = shared_.make_transport(std::move(socket));
    if (!transport) return;
    auto c = std::make_unique<Connection>(id, std::move(transport), remote_addr, limits);
    // A TLS handshake is part of getting the first request: it gets the request timeout, so a
    // client that connects and says nothing is gone as soon as a slow request would be.
    c->handshaking = !c->transport().established();
    c->deadline = now_ + std::chrono::seconds(c->handshaking ? options_.request_timeout_seconds
                                                             : options_.idle_timeout_seconds);
    epoll_event ev{};
    ev.events = c->wanted_events();
    ev.data.u64 = id;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, c->fd(), &ev) != 0) return;
    c->registered_events = ev.events;
    connections_.emplace(id, std::move(c));
    ++shared_.connections_open;
}

void EventLoop::on_connection_event(Connection& c, std::uint32_t events) {
    if (events & EPOLLERR) return close(c);
    if (c.state == ConnState::Streaming) {
        // A stream's client has nothing more to say; input means it went away (or misbehaves).
        if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) {
            IoStatus s = c.discard_input();
            if (s == IoStatus::Closed || s == IoStatus::Error || (events & (EPOLLRDHUP | EPOLLHUP)))
                return close(c);
        }
        if ((events & EPOLLOUT) || ((events & EPOLLIN) && c.write_blocked_on_read()))
            pump_stream(c);
        return;
    }
    if (c.state == ConnState::Lingering) {
        if (c.discard_input() != IoStatus::WantRead) close(c);
        return;
    }
    if (events & EPOLLHUP) return close(c);
    bool writable = (events & EPOLLOUT) || ((events & EPOLLIN) && c.write_blocked_on_read());
    if (writable && c.has_output() && !flush(c)) return;
    bool readable = (events & EPOLLIN) || ((events & EPOLLOUT) && c.read_blocked_on_write());
    if (!readable) return;
    if (c.state == ConnState::Reading)
        on_readable(c);
    else
        update_interest(c, /*strict=*/true);  // input while busy: now stop listening for it
}

bool EventLoop::on_readable(Connection& c) {
    // A TLS transport may hold decrypted bytes that epoll cannot see: keep reading while it does.
    do {
        IoStatus s = c.read_some();
        if (s == IoStatus::Closed || s == IoStatus::Error) {
            close(c);
            return false;
        }
        if (c.handshaking && c.transport().established()) {
            c.handshaking = false;  // now an ordinary idle connection until its request starts
            c.deadline = now_ + std::chrono::seconds(options_.idle_timeout_seconds);
        }
        if (s != IoStatus::Ok) {
            update_interest(c);
            return true;
        }
        if (!process_input(c)) return false;
    } while (c.state == ConnState::Reading && c.transport().has_buffered_input());
    return true;
}

bool EventLoop::become_idle(Connection& c) {
    if (draining_) {  // no new requests once stopping
        close(c);
        return false;
    }
    c.request_started = false;
    c.deadline = now_ + std::chrono::seconds(options_.idle_timeout_seconds);
    update_interest(c);
    return true;
}

bool EventLoop::process_input(Connection& c) {
    if (c.input().empty() && !c.parser().in_body()) return become_idle(c);
    if (!c.request_started) {
        // The request timeout runs from its first byte: a client trickling a byte at a time
        // (slowloris) is cut off when the whole request has not arrived in time.
        c.request_started = true;
        c.deadline = now_ + std::chrono::seconds(options_.request_timeout_seconds);
    }
    switch (c.parser().parse(c.input())) {
        case ParseState::Complete:
            return dispatch(c, c.parser().take());
        case ParseState::Failed:
            return send_error(c, c.parser().error_status(), c.parser().error_message());
        case ParseState::NeedMore:
            break;
    }
    if (c.parser().take_continue_request()) {
        c.queue_output("HTTP/1.1 100 Continue\r\n\r\n");
        return flush(c);
    }
    update_interest(c);
    return true;
}

bool EventLoop::dispatch(Connection& c, ParsedRequest parsed) {
    ++shared_.requests_total;
    c.keep_alive = parsed.keep_alive;
    c.head_only = parsed.head_only;
    c.state = ConnState::Processing;
    c.deadline = Clock::time_point::max();  // a slow handler is not the client's fault
    c.request_started = false;
    parsed.request.remote_addr = c.remote_addr();
    parsed.request.received = now_;
    auto job = [handler = &shared_.handler, mailbox = shared_.mailbox, id = c.id(),
                request = std::move(parsed.request)] {
        Completion done{id, {}};
        run_handler(*handler, request, done.response);
        mailbox->post_completion(std::move(done));
    };
    if (!pool_.try_submit(std::move(job))) {
        ++shared_.rejected_busy;
        return send_response(c, busy_response(), !c.keep_alive);
    }
    update_interest(c);
    return true;
}

bool EventLoop::send_response(Connection& c, const Response& response, bool close_after) {
    c.close_after = close_after || wants_close(response) || shared_.stopping.load();
    c.queue_output(serialize_response(response, c.head_only, !c.close_after));
    c.state = ConnState::Writing;
    c.deadline = now_ + std::chrono::seconds(options_.idle_timeout_seconds);
    return flush(c);
}

bool EventLoop::send_error(Connection& c, int status, const std::string& message) {
    // The rest of the input cannot be framed any more: answer, then close.
    c.head_only = false;
    return send_response(c, error_response(status, error_type(status), message), true);
}

void EventLoop::on_mailbox() {
    shared_.mailbox->acknowledge();
    for (Completion& done : shared_.mailbox->take_completions()) {
        Connection* c = find(done.connection_id);
        if (c && c->state == ConnState::Processing) complete(*c, done.response);
    }
    for (std::uint64_t id : shared_.mailbox->take_streams()) {
        Connection* c = find(id);
        if (c && c->state == ConnState::Streaming) pump_stream(*c);
    }
}

void EventLoop::complete(Connection& c, Response& response) {
    if (response.on_stream && !c.head_only)
        start_stream(c, response);
    else
        send_response(c, response, !c.keep_alive);
}

void EventLoop::start_stream(Connection& c, Response& response) {
    c.queue_output(serialize_stream_head(response));
    c.state = ConnState::Streaming;
    c.deadline = Clock::time_point::max();
    c.stream = std::make_shared<StreamImpl>(c.id(), options_.stream_buffer_bytes, shared_.mailbox);
    c.on_stream_closed = std::move(response.on_stream_closed);
    ++shared_.streams_open;
    try {
        response.on_stream(c.stream);
    } catch (...) {
        c.stream->finish();  // a failed subscription ends the stream rather than the server
    }
    if (draining_) c.stream->finish();  // what on_stream queued is sent, then it ends
    // on_stream can only queue bytes or finish(); the connection is still ours to pump.
    pump_stream(c);
}

bool EventLoop::pump_stream(Connection& c) {
    if (c.stream->drain_into(c.output()) && !c.stream_finishing) {
        c.stream_finishing = true;
        // A client that never reads must not keep a finished stream open forever.
        c.deadline = now_ + std::chrono::seconds(options_.idle_timeout_seconds);
    }
    if (!flush(c)) return false;
    c.stream->set_unsent(c.unsent());
    return true;
}

bool EventLoop::flush(Connection& c) {
    switch (c.flush()) {
        case FlushResult::Failed:
            close(c);
            return false;
        case FlushResult::Pending:
            if (c.state == ConnState::Writing)
                c.deadline = now_ + std::chrono::seconds(options_.idle_timeout_seconds);
            update_interest(c);
            return true;
        case FlushResult::Done:
            break;
    }
    return after_output_drained(c);
}

bool EventLoop::after_output_drained(Connection& c) {
    if (c.state == ConnState::Writing) {
        if (c.close_after || draining_) {
            begin_linger(c);
            return true;
        }
        c.state = ConnState::Reading;
        c.head_only = false;
        if (!process_input(c)) return false;  // a pipelined request may already be waiting
        if (c.state == ConnState::Reading && c.transport().has_buffered_input())
            return on_readable(c);
        return true;
    }
    if (c.state == ConnState::Streaming && c.stream_finishing) {
        close(c);
        return false;
    }
    update_interest(c);
    return true;
}

void EventLoop::begin_linger(Connection& c) {
    c.transport().shutdown_write();
    c.state = ConnState::Lingering;
    c.input().clear();
    c.deadline = now_ + std::min<Clock::duration>(
                            kMaxLinger, std::chrono::seconds(options_.request_timeout_seconds));
    update_interest(c);
}

void EventLoop::update_interest(Connection& c, bool strict) {
    std::uint32_t want = c.wanted_events();
    // Processing and Writing do not read, but dropping EPOLLIN and adding it back would cost two
    // epoll_ctl calls per request. It stays registered until input actually arrives while busy
    // (a pipelined request, a hang-up); on_connection_event then asks for the strict update.
    bool busy = c.state == ConnState::Processing || c.state == ConnState::Writing;
    if (want == c.registered_events ||
        (!strict && busy && want == (c.registered_events & ~std::uint32_t{EPOLLIN})))
        return;
    epoll_event ev{};
    ev.events = want;
    ev.data.u64 = c.id();
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c.fd(), &ev);
    c.registered_events = want;
}

void EventLoop::close(Connection& c) {
    auto it = connections_.find(c.id());
    std::unique_ptr<Connection> owned = std::move(it->second);
    connections_.erase(it);
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, owned->fd(), nullptr);
    --shared_.connections_open;
    if (owned->stream) {
        owned->stream->mark_closed();
        --shared_.streams_open;
        if (owned->on_stream_closed) {
            try {
                owned->on_stream_closed();
            } catch (...) {
                // Nothing sensible to do: the stream is gone either way.
            }
        }
    }
}

void EventLoop::sweep_deadlines() {
    std::vector<std::uint64_t> expired;
    for (const auto& [id, c] : connections_)
        if (c->deadline <= now_) expired.push_back(id);
    for (std::uint64_t id : expired)
        if (Connection* c = find(id)) close(*c);
}

// Stopping gracefully: new connections are refused (the listener is closed first), idle ones
// closed; requests already arriving or with the workers are answered with Connection: close, and
// streams are finished, so what their owners queued before stop() (a final event) is flushed.
void EventLoop::begin_drain() {
    draining_ = true;
    drain_deadline_ = Clock::now() + std::chrono::seconds(options_.shutdown_timeout_seconds);
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, listener_.get(), nullptr);
    listener_.reset();
    std::vector<std::uint64_t> idle;
    for (const auto& [id, c] : connections_) {
        if (c->state == ConnState::Streaming)
            c->stream->finish();
        else if (c->state == ConnState::Reading && !c->request_started)
            idle.push_back(id);
    }
    for (std::uint64_t id : idle)
        close(*find(id));
}

// After the drain (or its deadline): whatever is left is closed.
void EventLoop::shutdown() {
    listener_.reset();
    std::vector<std::uint64_t> ids;
    for (const auto& [id, c] : connections_)
        if (c->state != ConnState::Processing) ids.push_back(id);
    for (std::uint64_t id : ids)
        close(*find(id));
    // Running handlers finish; their answers get one non-blocking write attempt each.
    pool_.stop();
    shared_.mailbox->acknowledge();
    for (Completion& done : shared_.mailbox->take_completions()) {
        Connection* c = find(done.connection_id);
        if (!c || done.response.on_stream) continue;
        c->queue_output(serialize_response(done.response, c->head_only, false));
        c->flush();
    }
    shared_.mailbox->take_streams();
    while (!connections_.empty())
        close(*connections_.begin()->second);
}

}  // namespace drover::http
