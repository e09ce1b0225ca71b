// Server: the public face of the loop. bind() opens the port (and raises the fd limit), run()
// drives an EventLoop on the calling thread, stop() flips an atomic and writes an eventfd, both
// async-signal-safe.
#include "server/http/http_server.hpp"

#include <cerrno>
#include <cstring>
#include <mutex>

#include "server/http/event_loop.hpp"
#include "server/http/listener.hpp"
#include "server/http/tls_transport.hpp"

namespace drover::http {

struct Server::Impl {
    LoopShared shared;
    UniqueFd listener;
    std::uint16_t port = 0;
    // The context for new TLS connections, replaced by set_tls(). Each SSL takes its own
    // reference to its context, so a replaced one lives on exactly as long as its connections.
    std::mutex tls_mutex;
    std::shared_ptr<ssl_ctx_st> tls;

    std::shared_ptr<ssl_ctx_st> current_tls() {
        std::lock_guard lock(tls_mutex);
        return tls;
    }
};

Server::Server(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
    if (options.tls) {
        impl_->tls = std::move(options.tls);
        impl_->shared.make_transport = [impl = impl_.get()](UniqueFd socket) {
            return make_tls_transport(std::move(socket), impl->current_tls().get());
        };
    }
    impl_->shared.options = std::move(options);
    impl_->shared.handler = std::move(handler);
}

Server::~Server() = default;

bool Server::bind(std::string& error) {
    if (!impl_->shared.mailbox->valid()) {
        error = std::string("eventfd: ") + std::strerror(errno);
        return false;
    }
    raise_fd_limit();
    const ServerOptions& o = impl_->shared.options;
    impl_->listener = open_listener(o.host, o.port, o.listen_backlog, error);
    if (!impl_->listener.valid()) return false;
    impl_->port = bound_port(impl_->listener.get());
    return true;
}

std::uint16_t Server::port() const {
    return impl_->port;
}

void Server::run() {
    if (!impl_->listener.valid()) return;
    EventLoop loop(impl_->shared, std::move(impl_->listener));
    loop.run();
}

void Server::stop() {
    impl_->shared.stopping.store(true);
    impl_->shared.mailbox->wake();
}

bool Server::set_tls(std::shared_ptr<ssl_ctx_st> context) {
    std::lock_guard lock(impl_->tls_mutex);
    if (!impl_->tls || !context) return false;
    impl_->tls = std::move(context);
    return true;
}

Server::Stats Server::stats() const {
    const LoopShared& s = impl_->shared;
    return {s.connections_open.load(), s.streams_open.load(), s.requests_total.load(),
            s.rejected_busy.load()};
}

}  // namespace drover::http
