// Load tool for droverd's TLS (not a test): new connections per second (TCP connect, handshake,
// one GET, close) and keep-alive GET req/s over 1 and 16 connections, each over TLS 1.3, TLS
// 1.2 and plain TCP against the same server/http code. The server runs in a forked child with
// droverd's self-signed ECDSA P-256 certificate; the load generator (blocking OpenSSL clients,
// 2 threads) shares the machine's cores with it, so both sides' crypto is in the numbers.
// Last, the server's memory per idle keep-alive connection. Usage: tls_bench [seconds-per-run=5]
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/http/http_server.hpp"
#include "common/posix/unique_fd.hpp"
#include "server/security/self_signed.hpp"
#include "server/security/tls_context.hpp"

using namespace drover;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kBody = [] {
    std::string b = R"({"Name":"bench","Description":"a fixed body","Padding":")";
    b += std::string(200 - b.size() - 3, 'x');
    return b + "\"}\n";
}();

// --- the server (child process) ---

[[noreturn]] void run_server(int port_pipe, const security::TlsFiles* files) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    http::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    if (files) {
        auto tls = security::load_server_tls(files->cert_file, files->key_file);
        if (!tls) {
            std::fprintf(stderr, "tls: %s\n", tls.error().c_str());
            std::_Exit(1);
        }
        o.tls = tls->context;
    }
    http::Server server(o, [](const http::Request&, http::Response& res) {
        res.headers.emplace("Content-Type", "application/json");
        res.body = kBody;
    });
    std::string error;
    if (!server.bind(error)) std::_Exit(1);
    std::uint16_t port = server.port();
    if (::write(port_pipe, &port, sizeof port) != sizeof port) std::_Exit(1);
    std::thread signals([&] {
        int sig = 0;
        sigwait(&set, &sig);
        server.stop();
    });
    server.run();
    signals.join();
    std::_Exit(0);
}

struct Child {
    pid_t pid = -1;
    std::uint16_t port = 0;
};

Child spawn(const security::TlsFiles* files) {
    int fds[2];
    if (::pipe(fds) != 0) std::exit(1);
    Child c;
    c.pid = ::fork();
    if (c.pid == 0) run_server(fds[1], files);
    if (::read(fds[0], &c.port, sizeof c.port) != sizeof c.port) std::exit(1);
    ::close(fds[0]);
    ::close(fds[1]);
    return c;
}

void stop_child(const Child& c) {
    ::kill(c.pid, SIGTERM);
    int status = 0;
    ::waitpid(c.pid, &status, 0);
}

// --- the load generator (parent process) ---

enum class Mode { Plain, Tls13, Tls12 };

const char* name(Mode m) {
    return m == Mode::Plain ? "plain TCP" : m == Mode::Tls13 ? "TLS 1.3  " : "TLS 1.2  ";
}

struct CtxFree {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
    void operator()(SSL* s) const { SSL_free(s); }
};

std::unique_ptr<SSL_CTX, CtxFree> client_context(Mode m) {
    std::unique_ptr<SSL_CTX, CtxFree> ctx(SSL_CTX_new(TLS_client_method()));
    int version = m == Mode::Tls12 ? TLS1_2_VERSION : TLS1_3_VERSION;
    SSL_CTX_set_min_proto_version(ctx.get(), version);
    SSL_CTX_set_max_proto_version(ctx.get(), version);
    // Every connection is a full handshake, as an agent's httplib client makes them.
    SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET);
    return ctx;
}

// One client connection, plain or TLS, with blocking I/O.
class Conn {
  public:
    Conn(std::uint16_t port, SSL_CTX* ctx) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
        int one = 1;
        ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (!ctx) {
            ok_ = true;
            return;
        }
        ssl_.reset(SSL_new(ctx));
        SSL_set_fd(ssl_.get(), fd_.get());
        ok_ = SSL_connect(ssl_.get()) == 1;
    }
    bool ok() const { return ok_; }

    bool send(const std::string& bytes) {
        if (ssl_) return SSL_write(ssl_.get(), bytes.data(), static_cast<int>(bytes.size())) > 0;
        return ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL) > 0;
    }

    // One response framed by Content-Length.
    bool read_response() {
        char chunk[8192];
        for (;;) {
            std::size_t end = buffer_.find("\r\n\r\n");
            if (end != std::string::npos) {
                std::size_t cl = buffer_.find("Content-Length: ");
                std::size_t length =
                    cl < end ? std::strtoul(buffer_.c_str() + cl + 16, nullptr, 10) : 0;
                if (buffer_.size() >= end + 4 + length) {
                    buffer_.erase(0, end + 4 + length);
                    return true;
                }
            }
            int n = ssl_ ? SSL_read(ssl_.get(), chunk, sizeof chunk)
                         : static_cast<int>(::recv(fd_.get(), chunk, sizeof chunk, 0));
            if (n <= 0) return false;
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }

  private:
    posix::UniqueFd fd_;
    std::unique_ptr<SSL, SslFree> ssl_;
    std::string buffer_;
    bool ok_ = false;
};

const std::string kGet = "GET /item HTTP/1.1\r\nHost: bench\r\n\r\n";
const std::string kGetClose = "GET /item HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n";

long rss_kb(pid_t pid) {
    FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/status").c_str(), "r");
    if (!f) return -1;
    char line[256];
    long kb = -1;
    while (std::fgets(line, sizeof line, f))
        if (std::strncmp(line, "VmRSS:", 6) == 0) kb = std::strtol(line + 6, nullptr, 10);
    std::fclose(f);
    return kb;
}

// User + system CPU seconds the process has used.
double cpu_seconds(pid_t pid) {
    FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
    if (!f) return 0;
    char text[1024] = {};
    std::size_t n = std::fread(text, 1, sizeof text - 1, f);
    std::fclose(f);
    const char* p = std::strrchr(text, ')');  // fields 14 and 15 follow the command name
    unsigned long utime = 0, stime = 0;
    if (n == 0 || !p ||
        std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) !=
            2)
        return 0;
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct Rate {
    double per_second = 0;
    double server_cpu_us = 0;  // server CPU per connection
};

// New connections per second: connect, handshake, one GET, close; `threads` in parallel.
Rate connection_rate(const Child& server, Mode m, int threads, int seconds) {
    const std::uint16_t port = server.port;
    const double cpu_before = cpu_seconds(server.pid);
    auto ctx = m == Mode::Plain ? nullptr : client_context(m);
    std::atomic<std::uint64_t> done{0};
    std::atomic<std::uint64_t> failed{0};
    auto until = Clock::now() + std::chrono::seconds(seconds);
    std::vector<std::thread> workers;
    auto start = Clock::now();
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&] {
            while (Clock::now() < until) {
                Conn c(port, ctx.get());
                if (c.ok() && c.send(kGetClose) && c.read_response())
                    ++done;
                else
                    ++failed;
                ERR_clear_error();
            }
        });
    for (auto& w : workers)
        w.join();
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (failed)
        std::fprintf(stderr, "warning: %llu connections failed\n",
                     static_cast<unsigned long long>(failed.load()));
    double cpu = cpu_seconds(server.pid) - cpu_before;
    return {static_cast<double>(done) / elapsed, done ? cpu * 1e6 / static_cast<double>(done) : 0};
}

// Keep-alive GET req/s: each thread keeps one request outstanding on each of its connections.
Rate keepalive_rate(const Child& server, Mode m, int connections, int threads, int seconds) {
    const std::uint16_t port = server.port;
    auto ctx = m == Mode::Plain ? nullptr : client_context(m);
    std::atomic<std::uint64_t> done{0};
    std::atomic<bool> failed{false};
    std::vector<std::thread> workers;
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            std::vector<std::unique_ptr<Conn>> conns;
            for (int i = t; i < connections; i += threads)
                conns.push_back(std::make_unique<Conn>(port, ctx.get()));
            ++ready;
            while (!go)
                std::this_thread::yield();
            auto until = Clock::now() + std::chrono::seconds(seconds);
            std::uint64_t local = 0;
            while (Clock::now() < until && !failed) {
                for (auto& c : conns)
                    if (!c->send(kGet)) failed = true;
                for (auto& c : conns)
                    if (c->read_response())
                        ++local;
                    else
                        failed = true;
            }
            done += local;
        });
    while (ready < threads)  // handshakes are not part of this number
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const double cpu_before = cpu_seconds(server.pid);
    auto start = Clock::now();
    go = true;
    for (auto& w : workers)
        w.join();
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (failed) std::fprintf(stderr, "warning: some requests failed\n");
    double cpu = cpu_seconds(server.pid) - cpu_before;
    return {static_cast<double>(done) / elapsed, done ? cpu * 1e6 / static_cast<double>(done) : 0};
}

// Server memory per idle keep-alive connection (handshake done, one request answered).
void idle_memory(const Child& server, Mode m, int count) {
    auto ctx = m == Mode::Plain ? nullptr : client_context(m);
    long before = rss_kb(server.pid);
    std::vector<std::unique_ptr<Conn>> conns;
    for (int i = 0; i < count; ++i) {
        conns.push_back(std::make_unique<Conn>(server.port, ctx.get()));
        if (!conns.back()->ok() || !conns.back()->send(kGet) || !conns.back()->read_response()) {
            std::fprintf(stderr, "idle connection %d failed\n", i);
            return;
        }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    long after = rss_kb(server.pid);
    std::printf("%s %d idle keep-alive connections: server RSS +%.1f MB (%.1f KB each)\n", name(m),
                count, (after - before) / 1024.0, static_cast<double>(after - before) / count);
}

}  // namespace

int main(int argc, char** argv) {
    int seconds = argc > 1 ? std::atoi(argv[1]) : 5;
    std::signal(SIGPIPE, SIG_IGN);  // the blocking clients write through OpenSSL's socket BIO
    char dir[] = "/tmp/drover-tls-bench-XXXXXX";
    if (!::mkdtemp(dir)) return 1;
    security::TlsFiles files = security::self_signed_files(dir);
    security::CertificateSubject subject{"localhost", {"localhost"}, {"127.0.0.1"}};
    if (!security::ensure_self_signed(files, subject)) return 1;

    std::printf("drover TLS bench: %u cores (shared with the load generator), %d s per run\n",
                std::thread::hardware_concurrency(), seconds);
    Child tls = spawn(&files);
    Child plain = spawn(nullptr);
    for (Mode m : {Mode::Plain, Mode::Tls13, Mode::Tls12}) {
        Rate r = connection_rate(m == Mode::Plain ? plain : tls, m, 2, seconds);
        std::printf(
            "%s new connections (connect, handshake, GET, close), 2 threads: %7.0f /s, "
            "server CPU %.0f us each\n",
            name(m), r.per_second, r.server_cpu_us);
    }
    for (int connections : {1, 16}) {
        for (Mode m : {Mode::Plain, Mode::Tls13, Mode::Tls12}) {
            Rate r = keepalive_rate(m == Mode::Plain ? plain : tls, m, connections,
                                    connections == 1 ? 1 : 2, seconds);
            std::printf(
                "%s keep-alive GET (200-byte JSON), %2d connections: %7.0f req/s, server CPU "
                "%.1f us each\n",
                name(m), connections, r.per_second, r.server_cpu_us);
        }
    }
    for (Mode m : {Mode::Plain, Mode::Tls13})
        idle_memory(m == Mode::Plain ? plain : tls, m, 2000);
    stop_child(tls);
    stop_child(plain);
    std::filesystem::remove_all(dir);
    return 0;
}
