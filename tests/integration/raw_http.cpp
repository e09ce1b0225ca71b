#include "raw_http.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <stdexcept>

namespace drover::testing {

namespace {

using Clock = std::chrono::steady_clock;

bool header_says_close(const std::string& head) {
    std::string lower;
    for (char c : head)
        lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return lower.find("\r\nconnection: close") != std::string::npos;
}

std::size_t content_length_of(const std::string& head) {
    std::string lower;
    for (char c : head)
        lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    auto at = lower.find("\r\ncontent-length:");
    if (at == std::string::npos) return 0;
    return std::strtoull(lower.c_str() + at + 17, nullptr, 10);
}

// Waits for `fd` to be readable until `until`; false on timeout.
bool readable_by(int fd, Clock::time_point until) {
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
        pollfd p{fd, POLLIN, 0};
        int n = poll(&p, 1, static_cast<int>(std::max<long long>(left.count(), 0)));
        if (n > 0) return true;
        if (n == 0 || errno != EINTR) return false;
    }
}

}  // namespace

std::string raw_request(std::string_view method, std::string_view target, std::string_view token,
                        std::string_view body, std::string_view content_type,
                        long long content_length) {
    std::string out;
    out.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    if (!token.empty()) out.append("Authorization: Bearer ").append(token).append("\r\n");
    if (!content_type.empty()) out.append("Content-Type: ").append(content_type).append("\r\n");
    long long length = content_length >= 0 ? content_length : static_cast<long long>(body.size());
    if (length > 0 || !body.empty())
        out.append("Content-Length: ").append(std::to_string(length)).append("\r\n");
    out.append("\r\n").append(body);
    return out;
}

RawConnection::RawConnection(int port, std::chrono::seconds deadline)
    : port_(port), deadline_(deadline) {}

RawConnection::~RawConnection() {
    disconnect();
}

void RawConnection::connect_now() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        disconnect();
        throw std::runtime_error("connect to droverd failed");
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void RawConnection::disconnect() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
}

bool RawConnection::send_bytes(std::string_view bytes) {
    if (fd_ < 0) connect_now();
    while (!bytes.empty()) {
        ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

RawReply RawConnection::exchange(std::string_view request) {
    RawReply reply;
    // A server that answers early (413, 431) may close before the rest is taken: not an error.
    send_bytes(request);
    const auto until = Clock::now() + deadline_;
    std::string in;
    char buf[16384];
    for (;;) {
        auto end_of_head = in.find("\r\n\r\n");
        if (end_of_head != std::string::npos) {
            std::string head = in.substr(0, end_of_head + 2);
            std::size_t want = content_length_of(head);
            if (in.size() >= end_of_head + 4 + want) {
                reply.head = head;
                reply.body = in.substr(end_of_head + 4, want);
                reply.status = std::atoi(head.c_str() + head.find(' ') + 1);
                reply.closes = header_says_close(head);
                break;
            }
        }
        if (!readable_by(fd_, until)) break;
        ssize_t n = recv(fd_, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            reply.closes = true;
            break;
        }
        in.append(buf, static_cast<std::size_t>(n));
    }
    if (reply.closes || reply.status == 0) disconnect();
    return reply;
}

bool RawConnection::closed_within(std::chrono::milliseconds wait) {
    if (fd_ < 0) return true;
    const auto until = Clock::now() + wait;
    char buf[4096];
    while (readable_by(fd_, until)) {
        ssize_t n = recv(fd_, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            disconnect();
            return true;
        }
    }
    return false;
}

}  // namespace drover::testing
