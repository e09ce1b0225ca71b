// Helpers for the HTTP server tests: a server on 127.0.0.1:0 running in a background thread,
// and a raw-socket client that can send exactly the bytes a test needs (garbage, pipelines,
// trickles). Generous timeouts only prevent hangs; no test passes or fails on timing.
// Tests that use cpp-httplib's client are tagged [httplib]: Debian's libcpp-httplib.so is not
// built with ThreadSanitizer and crashes in pthread_join under it, so TSan runs use ~[httplib].
#pragma once
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

#include "server/http/http_server.hpp"
#include "common/posix/unique_fd.hpp"

namespace drover::http::test {

using posix::UniqueFd;

// Polls `done` until true or `limit` passes; returns its last value.
template <class F>
bool wait_until(F done, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

class TestServer {
  public:
    TestServer(ServerOptions options, Handler handler)
        : server_(loopback(std::move(options)), std::move(handler)) {
        std::string error;
        REQUIRE(server_.bind(error));
        thread_ = std::thread([this] { server_.run(); });
    }
    ~TestServer() { stop(); }
    void stop() {
        server_.stop();
        if (thread_.joinable()) thread_.join();
    }
    Server& server() { return server_; }
    std::uint16_t port() const { return server_.port(); }

  private:
    static ServerOptions loopback(ServerOptions o) {
        o.host = "127.0.0.1";
        o.port = 0;
        return o;
    }
    Server server_;
    std::thread thread_;
};

struct RawResponse {
    int status = 0;
    std::string head;
    std::string body;
    // The value of the first header called `name` (case-insensitive), or "" when absent.
    std::string header(const std::string& name) const {
        std::size_t pos = 0;
        while ((pos = head.find("\r\n", pos)) != std::string::npos) {
            pos += 2;
            std::size_t colon = head.find(':', pos);
            std::size_t eol = head.find("\r\n", pos);
            if (colon == std::string::npos || colon > eol) continue;
            if (strcasecmp(head.substr(pos, colon - pos).c_str(), name.c_str()) == 0) {
                std::size_t v = head.find_first_not_of(' ', colon + 1);
                return head.substr(v, eol - v);
            }
        }
        return "";
    }
};

class RawClient {
  public:
    explicit RawClient(std::uint16_t port, int timeout_seconds = 20)
        : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        timeval tv{timeout_seconds, 0};
        ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd_.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }
    bool connected() const { return connected_; }
    int fd() const { return fd_.get(); }
    void close() { fd_.reset(); }

    bool send_all(const std::string& bytes) {
        std::size_t sent = 0;
        while (sent < bytes.size()) {
            ssize_t n = ::send(fd_.get(), bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return false;
            sent += static_cast<std::size_t>(n);
        }
        return true;
    }

    // Reads more bytes into the buffer; false on close, error or timeout.
    bool fill() {
        char chunk[16384];
        ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
        if (n <= 0) return false;
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    // Reads until `marker` is buffered; returns everything up to and including it.
    std::optional<std::string> read_until(const std::string& marker) {
        std::size_t at;
        while ((at = buffer_.find(marker)) == std::string::npos)
            if (!fill()) return std::nullopt;
        std::string out = buffer_.substr(0, at + marker.size());
        buffer_.erase(0, at + marker.size());
        return out;
    }

    // One response framed by Content-Length (no body read for HEAD).
    std::optional<RawResponse> read_response(bool head_only = false) {
        auto head = read_until("\r\n\r\n");
        if (!head) return std::nullopt;
        RawResponse r;
        r.head = *head;
        r.status = std::atoi(head->substr(9, 3).c_str());
        std::string length = r.header("Content-Length");
        std::size_t n = head_only || length.empty() ? 0 : std::stoul(length);
        while (buffer_.size() < n)
            if (!fill()) return std::nullopt;
        r.body = buffer_.substr(0, n);
        buffer_.erase(0, n);
        return r;
    }

    // True when the server closes the connection (EOF or reset), discarding any data.
    bool wait_closed() {
        char chunk[4096];
        for (;;) {
            ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
            if (n == 0) return true;
            if (n < 0) return errno == ECONNRESET;  // EAGAIN here is the receive timeout
        }
    }

    std::string& buffer() { return buffer_; }

  private:
    UniqueFd fd_;
    bool connected_ = false;
    std::string buffer_;
};

inline std::string get_request(const std::string& path, const std::string& extra = "") {
    return "GET " + path + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
}

}  // namespace drover::http::test
