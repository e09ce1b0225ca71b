// Plain TCP transport: non-blocking recv/send, EINTR retried, SIGPIPE suppressed per call.
#include "server/http/transport.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace drover::http {
namespace {

class TcpTransport final : public Transport {
  public:
    explicit TcpTransport(UniqueFd socket) : socket_(std::move(socket)) {}

    int fd() const override { return socket_.get(); }

    IoResult read(char* buffer, std::size_t size) override {
        for (;;) {
            ssize_t n = ::recv(socket_.get(), buffer, size, 0);
            if (n > 0) return {IoStatus::Ok, static_cast<std::size_t>(n)};
            if (n == 0) return {IoStatus::Closed, 0};
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoStatus::WantRead, 0};
            return {IoStatus::Error, 0};
        }
    }

    IoResult write(const char* data, std::size_t size) override {
        for (;;) {
            // MSG_NOSIGNAL: a vanished client must be an error result, not a process-killing
            // SIGPIPE.
            ssize_t n = ::send(socket_.get(), data, size, MSG_NOSIGNAL);
            if (n >= 0) return {IoStatus::Ok, static_cast<std::size_t>(n)};
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoStatus::WantWrite, 0};
            return {IoStatus::Error, 0};
        }
    }

    void shutdown_write() override { ::shutdown(socket_.get(), SHUT_WR); }

  private:
    UniqueFd socket_;
};

}  // namespace

std::unique_ptr<Transport> make_tcp_transport(UniqueFd socket) {
    return std::make_unique<TcpTransport>(std::move(socket));
}

}  // namespace drover::http
