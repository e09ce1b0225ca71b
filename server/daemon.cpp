#include "server/daemon.hpp"

#include <filesystem>
#include <iostream>

#include "server/api/router.hpp"
#include "server/events/event_bus.hpp"
#include "server/http/http_server.hpp"
#include "server/objects/object_service.hpp"
#include "server/store/store.hpp"

namespace drover::server {

struct Daemon::Impl {
    DaemonOptions options;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<objects::ObjectService> objects;
    std::unique_ptr<events::EventBus> bus;
    std::unique_ptr<api_routes::Router> router;
    std::unique_ptr<http::Server> http;
};

Daemon::Daemon(DaemonOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
}

Daemon::~Daemon() = default;

bool Daemon::start(std::string& error) {
    auto& d = *impl_;
    std::error_code ec;
    std::filesystem::create_directories(d.options.data_dir, ec);
    if (ec) {
        error = "cannot create data dir " + d.options.data_dir + ": " + ec.message();
        return false;
    }
    store::StoreOptions so;
    so.data_dir = d.options.data_dir;
    so.buckets = objects::ObjectService::buckets();
    so.event_retention_count = d.options.event_retention_count;
    so.event_retention_seconds = d.options.event_retention_seconds;
    store::Status st;
    d.store = store::open_lmdb_store(so, st);
    if (!d.store) {
        error = st.message;
        return false;
    }
    d.objects = std::make_unique<objects::ObjectService>(*d.store);
    d.bus = std::make_unique<events::EventBus>(
        *d.store, events::EventBusOptions{d.options.heartbeat_seconds});
    d.store->set_commit_listener(
        [bus = d.bus.get()](const std::vector<store::EventRecord>& ev) { bus->publish(ev); });
    if (auto b = d.objects->ensure_builtins(); !b.ok()) {
        error = "cannot create built-in objects: " + b.message;
        return false;
    }
    http::ServerOptions ho;
    ho.host = d.options.host;
    ho.port = d.options.port;
    ho.worker_threads = d.options.worker_threads;
    ho.max_body_bytes = d.options.max_body_bytes;
    api_routes::RouterOptions ro{d.options.default_boot_env, d.options.version, 0};
    d.router = std::make_unique<api_routes::Router>(*d.objects, *d.bus, ro);
    d.http = std::make_unique<http::Server>(
        ho, [r = d.router.get()](const http::Request& req, http::Response& res) {
            r->handle(req, res);
        });
    return d.http->bind(error);
}

std::uint16_t Daemon::port() const {
    return impl_->http ? impl_->http->port() : 0;
}

void Daemon::run() {
    impl_->http->run();
}

void Daemon::stop() {
    if (impl_->bus) impl_->bus->close_all();
    if (impl_->http) impl_->http->stop();
}

bool parse_listen(const std::string& listen, std::string& host, std::uint16_t& port) {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) return false;
    host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    try {
        std::size_t used = 0;
        int p = std::stoi(listen.substr(colon + 1), &used);
        if (used != listen.size() - colon - 1 || p < 0 || p > 65535) return false;
        port = static_cast<std::uint16_t>(p);
    } catch (...) {
        return false;
    }
    return !host.empty();
}

}  // namespace drover::server
