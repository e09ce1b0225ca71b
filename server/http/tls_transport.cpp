// The OpenSSL transport (see tls_transport.hpp).
#include "server/http/tls_transport.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <string_view>

namespace drover::http {
namespace {

// --- a socket BIO that sends with MSG_NOSIGNAL (OpenSSL's own uses write(2)) ---

int socket_of(BIO* bio) {
    return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio)));
}

int bio_write(BIO* bio, const char* data, int size) {
    BIO_clear_retry_flags(bio);
    for (;;) {
        ssize_t n = ::send(socket_of(bio), data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
        if (n >= 0) return static_cast<int>(n);
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_write(bio);
        return -1;
    }
}

int bio_read(BIO* bio, char* buffer, int size) {
    BIO_clear_retry_flags(bio);
    for (;;) {
        ssize_t n = ::recv(socket_of(bio), buffer, static_cast<std::size_t>(size), 0);
        if (n == 0) BIO_set_flags(bio, BIO_FLAGS_IN_EOF);
        if (n >= 0) return static_cast<int>(n);
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_read(bio);
        return -1;
    }
}

long bio_ctrl(BIO* bio, int command, long, void*) {
    switch (command) {
        case BIO_CTRL_FLUSH:  // nothing is buffered here
            return 1;
        case BIO_CTRL_EOF:  // tells OpenSSL a zero-byte read was the peer's EOF
            return BIO_test_flags(bio, BIO_FLAGS_IN_EOF) != 0;
        default:
            return 0;
    }
}

struct BioMethodFree {
    void operator()(BIO_METHOD* m) const { BIO_meth_free(m); }
};

const BIO_METHOD* socket_method() {
    static const std::unique_ptr<BIO_METHOD, BioMethodFree> method = [] {
        std::unique_ptr<BIO_METHOD, BioMethodFree> m(
            BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "drover socket"));
        if (m) {
            BIO_meth_set_write(m.get(), bio_write);
            BIO_meth_set_read(m.get(), bio_read);
            BIO_meth_set_ctrl(m.get(), bio_ctrl);
        }
        return m;
    }();
    return method.get();
}

// --- the transport ---

struct SslFree {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslPtr = std::unique_ptr<SSL, SslFree>;

constexpr std::string_view kPlainHttpAnswer =
    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 44\r\n"
    "Connection: close\r\n\r\nThis port speaks HTTPS: use an https:// URL\n";
static_assert(kPlainHttpAnswer.size() - kPlainHttpAnswer.find("\r\n\r\n") - 4 == 44);

int clamp(std::size_t size) {
    return size > INT_MAX ? INT_MAX : static_cast<int>(size);
}

class TlsTransport final : public Transport {
  public:
    TlsTransport(UniqueFd socket, SslPtr ssl) : socket_(std::move(socket)), ssl_(std::move(ssl)) {}

    int fd() const override { return socket_.get(); }

    IoResult read(char* buffer, std::size_t size) override {
        ERR_clear_error();  // SSL_get_error reads this thread's queue
        int n = SSL_read(ssl_.get(), buffer, clamp(size));
        if (n > 0) return {IoStatus::Ok, static_cast<std::size_t>(n)};
        return failure(n);
    }

    IoResult write(const char* data, std::size_t size) override {
        ERR_clear_error();
        int n = SSL_write(ssl_.get(), data, clamp(size));
        if (n > 0) return {IoStatus::Ok, static_cast<std::size_t>(n)};
        return failure(n);
    }

    bool has_buffered_input() const override { return SSL_has_pending(ssl_.get()) == 1; }

    bool established() const override { return SSL_is_init_finished(ssl_.get()) == 1; }

    void shutdown_write() override {
        if (established()) {
            ERR_clear_error();
            SSL_shutdown(ssl_.get());  // close_notify, best effort: the socket is closing anyway
            ERR_clear_error();
        }
        ::shutdown(socket_.get(), SHUT_WR);
    }

  private:
    IoResult failure(int result) {
        switch (SSL_get_error(ssl_.get(), result)) {
            case SSL_ERROR_WANT_READ:
                return {IoStatus::WantRead, 0};
            case SSL_ERROR_WANT_WRITE:
                return {IoStatus::WantWrite, 0};
            case SSL_ERROR_ZERO_RETURN:  // close_notify, or EOF (SSL_OP_IGNORE_UNEXPECTED_EOF)
                return {IoStatus::Closed, 0};
            case SSL_ERROR_SSL:
                if (!established() && ERR_GET_REASON(ERR_peek_error()) == SSL_R_HTTP_REQUEST)
                    answer_plain_http();
                break;
            default:
                break;
        }
        ERR_clear_error();
        return {IoStatus::Error, 0};
    }

    // "GET / HTTP/1.1" arrived where a ClientHello belongs: say so in plain text, best effort.
    void answer_plain_http() {
        ::send(socket_.get(), kPlainHttpAnswer.data(), kPlainHttpAnswer.size(),
               MSG_NOSIGNAL | MSG_DONTWAIT);
    }

    UniqueFd socket_;
    SslPtr ssl_;
};

}  // namespace

std::unique_ptr<Transport> make_tls_transport(UniqueFd socket, ssl_ctx_st* context) {
    const BIO_METHOD* method = socket_method();
    SslPtr ssl(method ? SSL_new(context) : nullptr);
    BIO* bio = ssl ? BIO_new(method) : nullptr;
    if (!bio) return nullptr;
    BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(socket.get())));
    BIO_set_init(bio, 1);
    SSL_set_bio(ssl.get(), bio, bio);  // the SSL owns the BIO from here
    // The loop retries a write with its buffer moved or grown (a stream appends while a record is
    // pending) and is happy with partial writes; idle connections give their buffers back.
    SSL_set_mode(ssl.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                SSL_MODE_RELEASE_BUFFERS);
    SSL_set_accept_state(ssl.get());
    return std::make_unique<TlsTransport>(std::move(socket), std::move(ssl));
}

}  // namespace drover::http
