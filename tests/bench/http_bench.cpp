// Load tool for server/http (not a test): trivial GET req/s over 16 and 256 keep-alive
// connections, then server memory with 10,000 idle event streams and the time to deliver one
// frame to all of them. The server runs in a forked child so its RSS is its own; the load
// generator (raw sockets, a few threads) shares the machine's cores with it.
// For a ratio measured in the same run, the same GET load also goes to cpp-httplib 0.11.4 with
// the fixes of ../shared/spec/measurements.md (nodelay, keep-alive count, backlog 4096), with a
// pool of 320 so that all 256 keep-alive connections are served at once (with 64, 192 of them
// starve: trap 3). Then the same GET load once more with droverd's per-request observation
// (api_routes::RequestObserver: route template, metrics, one logfmt line to stderr, which a
// thread of this process reads as journald would). Usage: http_bench [seconds-per-run=5]
// [streams=10000]
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "common/posix/unique_fd.hpp"
#include "server/api/request_observer.hpp"
#include "server/http/http_server.hpp"
#include "server/objects/collection.hpp"

using namespace drover::http;
using drover::posix::UniqueFd;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kBody = [] {
    std::string b = R"({"Name":"bench","Description":"a fixed body","Padding":")";
    b += std::string(200 - b.size() - 3, 'x');
    return b + "\"}\n";
}();

// --- the server (child process) ---

struct Streams {
    std::mutex mutex;
    std::vector<std::shared_ptr<Stream>> open;
};

void handle(Streams& streams, const Request& req, Response& res) {
    if (req.path == "/events") {
        res.headers.emplace("Content-Type", "text/event-stream");
        res.on_stream = [&streams](std::shared_ptr<Stream> s) {
            std::lock_guard lock(streams.mutex);
            streams.open.push_back(std::move(s));
        };
        return;
    }
    if (req.path == "/broadcast") {
        std::lock_guard lock(streams.mutex);
        for (auto& s : streams.open)
            s->write("data: ping\n\n");
    }
    res.headers.emplace("Content-Type", "application/json");
    res.body = kBody;
}

enum class Serve { Drover, DroverObserved, Httplib };

[[noreturn]] void run_server(int port_pipe, bool observed) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    Streams streams;
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    drover::api_routes::RequestObserver observer(drover::objects::object_prefixes());
    Server server(o, [&](const Request& q, Response& r) {
        auto started = Clock::now();
        handle(streams, q, r);
        if (observed) observer.observe(q, r, started, "-");
    });
    std::string error;
    if (!server.bind(error)) {
        std::fprintf(stderr, "bind: %s\n", error.c_str());
        std::_Exit(1);
    }
    std::uint16_t port = server.port();
    if (::write(port_pipe, &port, sizeof port) != sizeof port) std::_Exit(1);
    std::thread signals([&] {  // stop() from a signal-handling thread, as droverd will
        int sig = 0;
        sigwait(&set, &sig);
        server.stop();
    });
    server.run();
    signals.join();
    std::_Exit(0);
}

// The comparison: cpp-httplib serving the same body, configured as measurements.md advises.
[[noreturn]] void run_httplib_server(int port_pipe) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    httplib::Server svr;
    svr.new_task_queue = [] { return new httplib::ThreadPool(320); };
    svr.set_tcp_nodelay(true);
    svr.set_keep_alive_max_count(1u << 30);
    int listen_fd = -1;
    svr.set_socket_options([&](int s) {
        httplib::default_socket_options(s);
        listen_fd = s;
    });
    svr.Get("/item", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(kBody, "application/json");
    });
    int port = svr.bind_to_any_port("127.0.0.1");
    ::listen(listen_fd, 4096);  // the compiled library's backlog is 5
    std::uint16_t p = static_cast<std::uint16_t>(port);
    if (port <= 0 || ::write(port_pipe, &p, sizeof p) != sizeof p) std::_Exit(1);
    std::thread signals([&] {
        int sig = 0;
        sigwait(&set, &sig);
        svr.stop();
    });
    svr.listen_after_bind();
    signals.join();
    std::_Exit(0);
}

struct Child {
    pid_t pid = -1;
    std::uint16_t port = 0;
};

// Reads a child's stderr to its end, counting it (the journal's side of the pipe).
struct LogReader {
    int fd = -1;
    std::uint64_t bytes = 0, lines = 0;
    std::thread thread;

    void start(int read_fd) {
        fd = read_fd;
        thread = std::thread([this] {
            char buf[65536];
            ssize_t n;
            while ((n = ::read(fd, buf, sizeof buf)) > 0) {
                bytes += static_cast<std::uint64_t>(n);
                lines += static_cast<std::uint64_t>(std::count(buf, buf + n, '\n'));
            }
            ::close(fd);
        });
    }
};

Child spawn(Serve what, LogReader* log = nullptr) {
    int fds[2];
    int logs[2];
    if (::pipe(fds) != 0 || (log && ::pipe(logs) != 0)) std::exit(1);
    Child c;
    c.pid = ::fork();
    if (c.pid == 0) {
        if (log) {
            ::dup2(logs[1], STDERR_FILENO);
            ::close(logs[0]);
            ::close(logs[1]);
        }
        if (what == Serve::Httplib) run_httplib_server(fds[1]);
        run_server(fds[1], what == Serve::DroverObserved);
    }
    if (log) {
        ::close(logs[1]);
        log->start(logs[0]);
    }
    if (::read(fds[0], &c.port, sizeof c.port) != sizeof c.port) std::exit(1);
    ::close(fds[0]);
    ::close(fds[1]);
    return c;
}

int stop_child(const Child& c) {
    ::kill(c.pid, SIGTERM);
    int status = 0;
    ::waitpid(c.pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// --- the load generator (parent process) ---

UniqueFd connect_to(std::uint16_t port) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return {};
    int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{30, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

struct Conn {
    UniqueFd fd;
    std::string buffer;
};

// Reads one response (head + Content-Length body) from c; false on error.
bool read_response(Conn& c) {
    char chunk[8192];
    for (;;) {
        std::size_t end = c.buffer.find("\r\n\r\n");
        if (end != std::string::npos) {
            std::size_t cl = c.buffer.find("Content-Length: ");
            std::size_t length =
                cl < end ? std::strtoul(c.buffer.c_str() + cl + 16, nullptr, 10) : 0;
            if (c.buffer.size() >= end + 4 + length) {
                c.buffer.erase(0, end + 4 + length);
                return true;
            }
        }
        ssize_t n = ::recv(c.fd.get(), chunk, sizeof chunk, 0);
        if (n <= 0) return false;
        c.buffer.append(chunk, static_cast<std::size_t>(n));
    }
}

// Each thread keeps one request outstanding on every one of its connections.
double get_rate(std::uint16_t port, int connections, int threads, int seconds) {
    const std::string request = "GET /item HTTP/1.1\r\nHost: bench\r\n\r\n";
    std::atomic<std::uint64_t> done{0};
    std::atomic<bool> failed{false};
    auto until = Clock::now() + std::chrono::seconds(seconds);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            std::vector<Conn> conns;
            for (int i = t; i < connections; i += threads)
                conns.push_back({connect_to(port), {}});
            std::uint64_t local = 0;
            while (Clock::now() < until && !failed) {
                for (auto& c : conns)
                    if (::send(c.fd.get(), request.data(), request.size(), MSG_NOSIGNAL) < 0)
                        failed = true;
                for (auto& c : conns)
                    if (read_response(c))
                        ++local;
                    else
                        failed = true;
            }
            done += local;
        });
    }
    auto start = Clock::now();
    for (auto& w : workers)
        w.join();
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (failed) std::fprintf(stderr, "warning: some requests failed\n");
    return static_cast<double>(done) / elapsed;
}

long status_kb(pid_t pid, const char* field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field, 0) == 0)
            return std::strtol(line.c_str() + std::strlen(field), nullptr, 10);
    return -1;
}

void bench_streams(pid_t server, std::uint16_t port, int count) {
    long rss_before = status_kb(server, "VmRSS:");
    std::vector<Conn> streams;
    streams.reserve(count);
    const std::string request = "GET /events HTTP/1.1\r\nHost: bench\r\n\r\n";
    for (int i = 0; i < count; ++i) {
        streams.push_back({connect_to(port), {}});
        if (!streams.back().fd.valid() ||
            ::send(streams.back().fd.get(), request.data(), request.size(), MSG_NOSIGNAL) < 0) {
            std::fprintf(stderr, "stream %d: connect/send failed\n", i);
            return;
        }
    }
    char chunk[4096];
    for (auto& s : streams)  // the response heads
        while (s.buffer.find("\r\n\r\n") == std::string::npos) {
            ssize_t n = ::recv(s.fd.get(), chunk, sizeof chunk, 0);
            if (n <= 0) return;
            s.buffer.append(chunk, static_cast<std::size_t>(n));
        }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    long rss_after = status_kb(server, "VmRSS:");
    std::printf(
        "%d idle streams: server RSS %.1f MB (%.1f MB before; %.1f KB per stream), "
        "server threads %ld\n",
        count, rss_after / 1024.0, rss_before / 1024.0,
        static_cast<double>(rss_after - rss_before) / count, status_kb(server, "Threads:"));
    Conn plain{connect_to(port), {}};
    auto t0 = Clock::now();
    const std::string get = "GET /item HTTP/1.1\r\nHost: bench\r\n\r\n";
    for (int i = 0; i < 1000; ++i) {
        ::send(plain.fd.get(), get.data(), get.size(), MSG_NOSIGNAL);
        read_response(plain);
    }
    double per = std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / 1000;
    std::printf("  one connection's GET round trip while they are open: %.0f us average\n", per);
    const std::string broadcast = "GET /broadcast HTTP/1.1\r\nHost: bench\r\n\r\n";
    t0 = Clock::now();
    ::send(plain.fd.get(), broadcast.data(), broadcast.size(), MSG_NOSIGNAL);
    read_response(plain);  // the handler has queued the frame on every stream
    double queued_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    int got = 0;
    for (auto& s : streams) {
        while (s.buffer.find("data: ping\n\n") == std::string::npos) {
            ssize_t n = ::recv(s.fd.get(), chunk, sizeof chunk, 0);
            if (n <= 0) break;
            s.buffer.append(chunk, static_cast<std::size_t>(n));
        }
        got += s.buffer.find("data: ping\n\n") != std::string::npos;
    }
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    std::printf(
        "  one frame to all %d streams: queued by the handler in %.1f ms, read by the last "
        "client after %.1f ms (%d got it)\n",
        count, queued_ms, ms, got);
}

}  // namespace

int main(int argc, char** argv) {
    int seconds = argc > 1 ? std::atoi(argv[1]) : 5;
    int stream_count = argc > 2 ? std::atoi(argv[2]) : 10000;
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    Child ours = spawn(Serve::Drover);
    LogReader log;
    Child observed = spawn(Serve::DroverObserved, &log);
    std::printf("drover http bench: %u cores (shared with the load generator), %d s per run\n",
                std::thread::hardware_concurrency(), seconds);
    double rates[3] = {};
    const int counts[3] = {1, 16, 256};
    // Plain and observed back to back per connection count, so both see the same machine load.
    for (int i = 0; i < 3; ++i) {
        int threads = counts[i] == 1 ? 1 : 2;
        rates[i] = get_rate(ours.port, counts[i], threads, seconds);
        std::printf(
            "drover:  trivial GET (200-byte JSON), %3d keep-alive connections: %7.0f req/s\n",
            counts[i], rates[i]);
        double rate = get_rate(observed.port, counts[i], threads, seconds);
        std::printf(
            "drover + request metrics and log line,  %3d keep-alive connections: %7.0f req/s "
            "(%.2f of plain)\n",
            counts[i], rate, rate / rates[i]);
    }
    stop_child(observed);
    log.thread.join();
    std::printf("  request log: %llu lines, %.1f MB, read from a pipe by this process\n",
                static_cast<unsigned long long>(log.lines), static_cast<double>(log.bytes) / 1e6);
    bench_streams(ours.pid, ours.port, stream_count);
    int code = stop_child(ours);
    std::printf("drover server stopped by SIGTERM (stop() from its signal thread): exit %d\n",
                code);
    Child theirs = spawn(Serve::Httplib);
    for (int i = 0; i < 3; ++i) {
        double rate = get_rate(theirs.port, counts[i], counts[i] == 1 ? 1 : 2, seconds);
        std::printf(
            "httplib: trivial GET (200-byte JSON), %3d keep-alive connections: %7.0f req/s "
            "(drover/httplib %.2f)\n",
            counts[i], rate, rates[i] / rate);
    }
    stop_child(theirs);
    return 0;
}
