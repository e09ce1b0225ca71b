#include "tests/bench/fleet/stream_hub.hpp"

#include <netdb.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <mutex>
#include <queue>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "tests/bench/fleet/stream_hub_wire.hpp"

namespace drover::fleet {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Connects in flight (connect sent, head not yet here): a burst of 10,000 adds reaches droverd's
// listen backlog at this pace instead of overflowing it into SYN retransmits of a second each.
constexpr std::size_t kMaxOpening = 256;
constexpr auto kOpenTimeout = 10s;  // connect to 200 head
constexpr auto kFirstBackoff = 50ms;
constexpr auto kMaxBackoff = 5s;
constexpr std::size_t kMaxHeadBytes = 16 * 1024;
constexpr std::uint64_t kWakeTag = ~std::uint64_t{0};

class Fd {
  public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Fd& operator=(Fd&& o) noexcept {
        reset(std::exchange(o.fd_, -1));
        return *this;
    }
    ~Fd() { reset(); }
    void reset(int fd = -1) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }

  private:
    int fd_;
};

// Off: disconnect()ed. Waiting: a backoff or the server's `retry:` before the next attempt.
// Queued: ready to connect when the pace allows. Connecting: TCP connect and request write.
// Head: waiting for the answer head. Streaming: SSE frames arrive.
enum class Phase { Off, Waiting, Queued, Connecting, Head, Streaming };

struct Stream {
    std::string uuid, token;
    Fd fd;
    Phase phase = Phase::Queued;
    std::uint32_t attempt = 0;  // epoll events and timers of an older attempt are stale
    bool opened_before = false;
    std::optional<std::uint64_t> last_id;
    std::string request;  // bytes still to send, then the head received so far
    std::size_t sent = 0;
    wire::SseReader sse;
    int retry_ms = 1000;
    Clock::duration backoff = kFirstBackoff;
    bool told_to_resume = false;  // a resume frame came: the close after it is no error
};

struct Command {
    enum Kind { Add, Disconnect, Reconnect } kind;
    std::size_t index;
    std::string uuid, token;
};

// A backoff's end (for a Waiting stream) or an open attempt's deadline (Connecting or Head).
struct Timer {
    Clock::time_point at;
    std::size_t index;
    std::uint32_t attempt;
    bool deadline;
    bool operator>(const Timer& o) const { return at > o.at; }
};

std::uint64_t tag(std::size_t index, std::uint32_t attempt) {
    return (std::uint64_t{attempt} << 32) | static_cast<std::uint32_t>(index);
}

void raise_descriptor_limit() {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max) return;
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
}

sockaddr_storage resolve(const HubOptions& o, socklen_t& length) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    std::string port = std::to_string(o.port);
    if (int rc = getaddrinfo(o.host.c_str(), port.c_str(), &hints, &found); rc != 0)
        throw std::runtime_error("StreamHub: cannot resolve " + o.host + ": " + gai_strerror(rc));
    sockaddr_storage address{};
    std::memcpy(&address, found->ai_addr, found->ai_addrlen);
    length = found->ai_addrlen;
    freeaddrinfo(found);
    return address;
}

}  // namespace

struct StreamHub::Impl {
    Impl(HubOptions o, FrameHandler handler);
    ~Impl();
    // Queues a command for the hub thread; an Add gets its index here, in queue order.
    std::size_t post(Command command);

    HubOptions options;
    FrameHandler on_frame;
    sockaddr_storage address{};
    socklen_t address_length = 0;
    Fd epoll, wake;

    std::mutex mutex;  // guards the fields up to `stopping`
    std::vector<Command> commands;
    std::size_t next_index = 0;
    bool stopping = false;

    std::atomic<std::size_t> streaming{0};
    std::atomic<std::uint64_t> frames{0}, connects{0}, errors{0};

    // The hub thread's own state.
    std::deque<Stream> streams;
    std::deque<std::size_t> ready;
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers;
    std::size_t opening = 0;        // streams Connecting or in Head
    std::uint64_t newest_seen = 0;  // the highest event id any stream has received
    std::vector<char> read_buffer = std::vector<char>(64 * 1024);
    std::thread thread;

    void run();
    bool take_commands();
    void apply(Command& c);
    void fire_timers();
    void open_ready();
    int wait_ms() const;
    void open(std::size_t i);
    void on_io(std::size_t i, std::uint32_t events);
    void finish_connect(std::size_t i);
    void send_request(std::size_t i);
    void read(std::size_t i);
    void take_head(std::size_t i);
    void take_frame(std::size_t i, const wire::SseFrame& frame);
    void close(std::size_t i, Phase next);
    void fail(std::size_t i);
    void retry_after(std::size_t i, Clock::duration delay);
    std::string request_for(const Stream& s) const;
};

StreamHub::Impl::Impl(HubOptions o, FrameHandler handler)
    : options(std::move(o)), on_frame(std::move(handler)) {
    raise_descriptor_limit();
    address = resolve(options, address_length);
    epoll.reset(epoll_create1(EPOLL_CLOEXEC));
    wake.reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!epoll || !wake) throw std::runtime_error("StreamHub: no epoll or eventfd");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeTag;
    epoll_ctl(epoll.get(), EPOLL_CTL_ADD, wake.get(), &ev);
    thread = std::thread([this] { run(); });
}

StreamHub::Impl::~Impl() {
    {
        std::lock_guard lock(mutex);
        stopping = true;
    }
    std::uint64_t one = 1;
    (void)!::write(wake.get(), &one, sizeof one);
    thread.join();
}

std::size_t StreamHub::Impl::post(Command command) {
    std::size_t index = command.index;
    bool was_empty;
    {
        std::lock_guard lock(mutex);
        if (command.kind == Command::Add) index = command.index = next_index++;
        was_empty = commands.empty();
        commands.push_back(std::move(command));
    }
    // The loop reads the eventfd before it takes the queue, so one write per batch suffices.
    if (!was_empty) return index;
    std::uint64_t one = 1;
    (void)!::write(wake.get(), &one, sizeof one);
    return index;
}

void StreamHub::Impl::run() {
    std::array<epoll_event, 512> events;
    for (;;) {
        int n = epoll_wait(epoll.get(), events.data(), static_cast<int>(events.size()), wait_ms());
        for (int k = 0; k < n; ++k) {
            std::uint64_t t = events[k].data.u64;
            if (t == kWakeTag) {
                if (!take_commands()) return;
                continue;
            }
            std::size_t i = static_cast<std::uint32_t>(t);
            if (streams[i].fd && streams[i].attempt == (t >> 32)) on_io(i, events[k].events);
        }
        fire_timers();
        open_ready();
    }
}

// False when the hub is stopping.
bool StreamHub::Impl::take_commands() {
    std::uint64_t count;
    (void)!::read(wake.get(), &count, sizeof count);
    std::vector<Command> taken;
    {
        std::lock_guard lock(mutex);
        if (stopping) return false;
        taken.swap(commands);
    }
    for (auto& c : taken)
        apply(c);
    return true;
}

void StreamHub::Impl::apply(Command& c) {
    if (c.kind == Command::Add) {
        Stream& s = streams.emplace_back();  // post() numbered the adds in queue order
        s.uuid = std::move(c.uuid);
        s.token = std::move(c.token);
        ready.push_back(c.index);
        return;
    }
    if (c.index >= streams.size()) return;
    if (c.kind == Command::Disconnect) return close(c.index, Phase::Off);
    close(c.index, Phase::Queued);
    streams[c.index].backoff = kFirstBackoff;
    ready.push_back(c.index);
}

void StreamHub::Impl::fire_timers() {
    auto now = Clock::now();
    while (!timers.empty() && timers.top().at <= now) {
        Timer t = timers.top();
        timers.pop();
        Stream& s = streams[t.index];
        if (s.attempt != t.attempt) continue;
        if (!t.deadline && s.phase == Phase::Waiting) {
            s.phase = Phase::Queued;
            ready.push_back(t.index);
        } else if (t.deadline && (s.phase == Phase::Connecting || s.phase == Phase::Head)) {
            fail(t.index);  // no 200 head in kOpenTimeout
        }
    }
}

void StreamHub::Impl::open_ready() {
    while (opening < kMaxOpening && !ready.empty()) {
        std::size_t i = ready.front();
        ready.pop_front();
        if (streams[i].phase == Phase::Queued) open(i);
    }
}

int StreamHub::Impl::wait_ms() const {
    if (timers.empty()) return -1;
    auto left = timers.top().at - Clock::now();
    if (left <= Clock::duration::zero()) return 0;
    return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
}

void StreamHub::Impl::open(std::size_t i) {
    Stream& s = streams[i];
    ++s.attempt;
    // A stream with no event yet resumes after the newest event the hub had seen before its
    // first request: those were published before it subscribed, so none of them is owed to it.
    if (!s.opened_before && !s.last_id && newest_seen > 0) s.last_id = newest_seen;
    s.opened_before = true;
    s.fd.reset(socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!s.fd) return fail(i);
    s.phase = Phase::Connecting;
    ++opening;
    if (connect(s.fd.get(), reinterpret_cast<const sockaddr*>(&address), address_length) != 0 &&
        errno != EINPROGRESS)
        return fail(i);  // ECONNREFUSED (droverd restarting), EAGAIN (no local ports): back off
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLIN;
    ev.data.u64 = tag(i, s.attempt);
    if (epoll_ctl(epoll.get(), EPOLL_CTL_ADD, s.fd.get(), &ev) != 0) return fail(i);
    timers.push({Clock::now() + kOpenTimeout, i, s.attempt, true});
}

void StreamHub::Impl::on_io(std::size_t i, std::uint32_t events) {
    switch (streams[i].phase) {
        case Phase::Connecting:
            if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) finish_connect(i);
            return;
        case Phase::Head:
        case Phase::Streaming:
            return read(i);
        default:
            return;
    }
}

void StreamHub::Impl::finish_connect(std::size_t i) {
    Stream& s = streams[i];
    if (s.request.empty() && s.sent == 0) {  // the connect itself just finished
        int error = 0;
        socklen_t len = sizeof error;
        if (getsockopt(s.fd.get(), SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0)
            return fail(i);
        s.request = request_for(s);
    }
    send_request(i);
}

void StreamHub::Impl::send_request(std::size_t i) {
    Stream& s = streams[i];
    while (s.sent < s.request.size()) {
        ssize_t n =
            ::send(s.fd.get(), s.request.data() + s.sent, s.request.size() - s.sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EAGAIN) return;  // EPOLLOUT comes again
        if (n <= 0) return fail(i);
        s.sent += static_cast<std::size_t>(n);
    }
    std::string().swap(s.request);  // from here on it holds the answer head
    s.sent = 0;
    s.phase = Phase::Head;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tag(i, s.attempt);
    if (epoll_ctl(epoll.get(), EPOLL_CTL_MOD, s.fd.get(), &ev) != 0) fail(i);
}

std::string StreamHub::Impl::request_for(const Stream& s) const {
    // As agent/client/event_wakeups asks: its own machine's events, with the machine's token.
    std::string r = "GET /api/v3/events?filter=machines.%2A." + s.uuid + " HTTP/1.1\r\nHost: ";
    r += options.host + ":" + std::to_string(options.port);
    r += "\r\nAuthorization: Bearer " + s.token;
    r += "\r\nAccept: text/event-stream\r\n";
    if (s.last_id) r += "Last-Event-ID: " + std::to_string(*s.last_id) + "\r\n";
    r += "\r\n";
    return r;
}

void StreamHub::Impl::read(std::size_t i) {
    Stream& s = streams[i];
    ssize_t n = ::recv(s.fd.get(), read_buffer.data(), read_buffer.size(), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
        // The server ended the stream: after a resume frame (shutdown, slow consumer) that is
        // the protocol, and the stream comes back after the server's `retry:`.
        if (s.phase == Phase::Streaming && s.told_to_resume)
            return retry_after(i, std::chrono::milliseconds(s.retry_ms));
        return fail(i);
    }
    std::string_view bytes(read_buffer.data(), static_cast<std::size_t>(n));
    if (s.phase == Phase::Head) {
        s.request.append(bytes);
        return take_head(i);
    }
    s.sse.feed(bytes, [&](const wire::SseFrame& frame) { take_frame(i, frame); });
}

void StreamHub::Impl::take_head(std::size_t i) {
    Stream& s = streams[i];
    auto head = wire::parse_answer_head(s.request);
    if (!head) {
        if (s.request.size() > kMaxHeadBytes) fail(i);
        return;
    }
    if (head->status == 410) s.last_id.reset();  // events gone: start over at the next event
    if (head->status != 200 || head->chunked) return fail(i);
    std::string rest = s.request.substr(head->size);
    std::string().swap(s.request);
    s.phase = Phase::Streaming;
    --opening;
    s.backoff = kFirstBackoff;
    s.told_to_resume = false;
    s.sse.reset();
    ++streaming;
    ++connects;
    if (!rest.empty()) s.sse.feed(rest, [&](const wire::SseFrame& frame) { take_frame(i, frame); });
}

void StreamHub::Impl::take_frame(std::size_t i, const wire::SseFrame& frame) {
    Stream& s = streams[i];
    if (frame.retry_ms) s.retry_ms = *frame.retry_ms;
    std::optional<std::chrono::system_clock::time_point> committed;
    if (frame.event == "resume") {
        if (auto id = wire::resume_point(frame.data)) s.last_id = id;
        s.told_to_resume = true;
    } else if (frame.id) {
        s.last_id = frame.id;
        newest_seen = std::max(newest_seen, *frame.id);
        if (frame.has_data) committed = wire::commit_time(frame.data);
    }
    ++frames;
    on_frame(i, committed);
}

// Closes the stream's connection, if any, and puts it in `next`.
void StreamHub::Impl::close(std::size_t i, Phase next) {
    Stream& s = streams[i];
    if (s.phase == Phase::Connecting || s.phase == Phase::Head) --opening;
    if (s.phase == Phase::Streaming) --streaming;
    s.fd.reset();  // closing removes it from the epoll set
    std::string().swap(s.request);
    s.sent = 0;
    s.sse.reset();
    s.phase = next;
}

void StreamHub::Impl::fail(std::size_t i) {
    ++errors;
    Stream& s = streams[i];
    auto delay = s.backoff;
    s.backoff = std::min<Clock::duration>(s.backoff * 2, kMaxBackoff);
    retry_after(i, delay);
}

void StreamHub::Impl::retry_after(std::size_t i, Clock::duration delay) {
    close(i, Phase::Waiting);
    timers.push({Clock::now() + delay, i, streams[i].attempt, false});
}

StreamHub::StreamHub(HubOptions options, FrameHandler on_frame)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(on_frame))) {}

StreamHub::~StreamHub() = default;

std::size_t StreamHub::add(const std::string& machine_uuid, const std::string& bearer_token) {
    return impl_->post({Command::Add, 0, machine_uuid, bearer_token});
}

void StreamHub::disconnect(std::size_t index) {
    impl_->post({Command::Disconnect, index, {}, {}});
}

void StreamHub::reconnect(std::size_t index) {
    impl_->post({Command::Reconnect, index, {}, {}});
}

std::size_t StreamHub::connected() const {
    return impl_->streaming.load();
}

StreamHub::Counters StreamHub::counters() const {
    return {impl_->frames.load(), impl_->connects.load(), impl_->errors.load()};
}

}  // namespace drover::fleet
