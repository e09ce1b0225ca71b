#include "server/daemon.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>

#include <filesystem>
#include <iostream>
#include <mutex>

#include "server/api/router.hpp"
#include "server/events/event_bus.hpp"
#include "server/http/http_server.hpp"
#include "server/jobs/action_renderer.hpp"
#include "server/jobs/job_engine.hpp"
#include "server/jobs/job_log_store.hpp"
#include "server/jobs/job_sweeper.hpp"
#include "server/jobs/log_followers.hpp"
#include "server/objects/object_service.hpp"
#include "server/ops/log.hpp"
#include "server/ops/server_metrics.hpp"
#include "server/security/host_identity.hpp"
#include "server/security/param_cipher.hpp"
#include "server/security/security_service.hpp"
#include "server/security/self_signed.hpp"
#include "server/security/tls_context.hpp"
#include "server/store/store.hpp"

namespace drover::server {

struct Daemon::Impl {
    DaemonOptions options;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<objects::ObjectService> objects;
    std::unique_ptr<events::EventBus> bus;
    std::unique_ptr<jobs::JobLogStore> logs;
    std::unique_ptr<jobs::JobEngine> engine;
    std::unique_ptr<jobs::ActionRenderer> renderer;
    std::unique_ptr<jobs::LogFollowers> followers;
    std::unique_ptr<jobs::JobSweeper> sweeper;
    std::unique_ptr<security::SecurityService> security;
    std::unique_ptr<api_routes::Router> router;
    std::unique_ptr<http::Server> http;
    mutable std::mutex tls_mutex;  // reload() replaces tls while tls() may read it
    TlsStatus tls;
    std::shared_ptr<ssl_ctx_st> tls_context;
};

namespace {

// The address machines reach this server on, for .ApiURL: the listen address, or when listening
// on every interface, the first non-loopback IPv4 address (DRP picks the address facing the
// machine; one server-wide default plus --api-url covers the common single-network case).
std::string public_host(const std::string& listen_host) {
    if (listen_host != "0.0.0.0" && listen_host != "::" && !listen_host.empty())
        return listen_host.find(':') != std::string::npos ? "[" + listen_host + "]" : listen_host;
    std::string found = "127.0.0.1";
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return found;
    for (ifaddrs* i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
        char text[INET_ADDRSTRLEN] = {};
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, text,
                  sizeof text);
        if (std::string_view(text).substr(0, 4) != "127.") {
            found = text;
            break;
        }
    }
    freeifaddrs(list);
    return found;
}

struct LoadedTls {
    TlsStatus status;
    std::shared_ptr<ssl_ctx_st> context;
};

// The given pair, or the self-signed one in <data-dir>/tls (made when missing).
api::Expected<LoadedTls, std::string> load_tls(const std::string& data_dir,
                                               const ReloadOptions& files_given) {
    LoadedTls out;
    security::TlsFiles files{files_given.tls_cert_file, files_given.tls_key_file};
    if (files.cert_file.empty()) {
        files = security::self_signed_files(data_dir);
        auto made = security::ensure_self_signed(files, security::local_certificate_subject());
        if (!made)
            return api::unexpected("cannot make a self-signed TLS certificate: " + made.error());
        out.status.generated = made.value();
    }
    auto loaded = security::load_server_tls(files.cert_file, files.key_file);
    if (!loaded) return api::unexpected(loaded.error());
    out.status.enabled = true;
    out.status.cert_file = files.cert_file;
    out.status.key_file = files.key_file;
    out.status.fingerprint = loaded->fingerprint;
    out.context = loaded->context;
    return out;
}

}  // namespace

ReloadOptions reload_options(const DaemonOptions& options) {
    return {options.tls_cert_file, options.tls_key_file};
}

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
    for (auto& b : jobs::JobEngine::buckets())
        so.buckets.push_back(std::move(b));
    so.event_retention_count = d.options.event_retention_count;
    so.event_retention_seconds = d.options.event_retention_seconds;
    store::Status st;
    d.store = store::open_lmdb_store(so, st);
    if (!d.store) {
        error = st.message;
        return false;
    }
    // Secure params (issue 7) are sealed with <data-dir>/security/params.key, created here once.
    auto cipher = security::ParamCipher::load(d.options.data_dir + "/security");
    if (!cipher) {
        error = cipher.error();
        return false;
    }
    d.objects = std::make_unique<objects::ObjectService>(
        *d.store, std::make_shared<security::ParamCipher>(std::move(*cipher)));
    d.bus = std::make_unique<events::EventBus>(
        *d.store, events::EventBusOptions{d.options.heartbeat_seconds});
    if (auto b = d.objects->ensure_builtins(); !b.ok()) {
        error = "cannot create built-in objects: " + b.message;
        return false;
    }
    if (!start_tls(error)) return false;  // after the store: its lock makes us the only droverd
    http::ServerOptions ho;
    ho.tls = d.tls_context;
    ho.host = d.options.host;
    ho.port = d.options.port;
    ho.worker_threads = d.options.worker_threads;
    ho.max_body_bytes = d.options.max_body_bytes;
    ho.request_timeout_seconds = d.options.request_timeout_seconds;
    ho.shutdown_timeout_seconds = d.options.shutdown_timeout_seconds;
    // Requests are accepted only once run() starts, after the router exists.
    d.http = std::make_unique<http::Server>(
        ho, [&d](const http::Request& req, http::Response& res) { d.router->handle(req, res); });
    if (!d.http->bind(error)) return false;
    if (!start_security(error)) return false;
    if (!start_jobs(error)) return false;  // after bind: .ApiURL needs the bound port
    d.store->set_commit_listener([bus = d.bus.get(), followers = d.followers.get()](
                                     const std::vector<store::EventRecord>& ev) {
        bus->publish(ev);
        followers->on_commit(ev);
    });
    api_routes::RouterOptions ro;
    ro.default_boot_env = d.options.default_boot_env;
    ro.version = d.options.version;
    ro.metrics_public = d.options.metrics_public;
    ro.write_metrics = [&d](ops::Exposition& out) {
        ops::write_server_metrics({*d.store, *d.bus, *d.engine, *d.logs, *d.http}, out);
    };
    api_routes::JobServices services{*d.objects, *d.engine, *d.logs, *d.renderer, *d.followers};
    d.router = std::make_unique<api_routes::Router>(*d.objects, *d.bus, services, *d.security, ro);
    return true;
}

bool Daemon::start_security(std::string& error) {
    auto& d = *impl_;
    security::SecurityOptions so;
    so.data_dir = d.options.data_dir;
    so.token_ttl_seconds = d.options.token_ttl_seconds;
    so.infinite_token_ttl_seconds = d.options.infinite_token_ttl_seconds;
    auto opened = security::SecurityService::open(*d.objects, so);
    if (!opened) {
        error = opened.error();
        return false;
    }
    d.security = std::move(opened.value());
    auto admin = d.security->bootstrap_admin(d.options.admin_password);
    if (!admin) {
        error = "cannot create user admin: " + admin.error();
        return false;
    }
    if (admin->generated_password)  // shown once; the file stays for whoever missed it
        ops::Log(ops::Level::Info, "created user admin with password")
            .field("password", *admin->generated_password)
            .field("password_file", admin->password_file);
    else if (admin->created)
        ops::Log(ops::Level::Info, "created user admin with the given password");
    return true;
}

bool Daemon::start_tls(std::string& error) {
    auto& d = *impl_;
    if (d.options.insecure_http) return true;
    auto loaded = load_tls(d.options.data_dir, reload_options(d.options));
    if (!loaded) {
        error = loaded.error();
        return false;
    }
    d.tls = loaded->status;
    d.tls_context = loaded->context;
    return true;
}

bool Daemon::reload(const ReloadOptions& options, std::string& error) {
    auto& d = *impl_;
    TlsStatus before = tls();
    if (!before.enabled) return true;  // plain HTTP stays plain until a restart
    auto loaded = load_tls(d.options.data_dir, options);
    if (!loaded) {
        error = "kept the TLS certificate with fingerprint " + before.fingerprint + ": " +
                loaded.error();
        return false;
    }
    d.http->set_tls(loaded->context);
    std::lock_guard lock(d.tls_mutex);
    d.tls = loaded->status;
    d.tls_context = loaded->context;
    return true;
}

bool Daemon::start_jobs(std::string& error) {
    auto& d = *impl_;
    std::error_code ec;
    std::string log_dir = d.options.data_dir + "/logs";
    std::filesystem::create_directories(log_dir, ec);
    if (ec) {
        error = "cannot create log dir " + log_dir + ": " + ec.message();
        return false;
    }
    d.logs = std::make_unique<jobs::JobLogStore>(
        jobs::JobLogOptions{log_dir, d.options.job_log_max_bytes});
    jobs::JobEngineOptions eo;
    eo.idempotency_ttl_seconds = d.options.idempotency_ttl_seconds;
    eo.timeout_grace_seconds = d.options.job_timeout_grace_seconds;
    d.engine = std::make_unique<jobs::JobEngine>(*d.objects, *d.logs, eo);
    jobs::RenderSettings rs;
    std::string base = (d.tls.enabled ? "https://" : "http://") + public_host(d.options.host) +
                       ":" + std::to_string(d.http->port());
    rs.api_url = d.options.api_url.empty() ? base : d.options.api_url;
    rs.provisioner_url = d.options.provisioner_url.empty() ? base : d.options.provisioner_url;
    rs.info = {{"Version", d.options.version}, {"Arch", "amd64"}, {"Os", "linux"}};
    rs.tokens_for = [security = d.security.get()](const model::Machine& m) {
        return security->token_source(m);
    };
    d.renderer = std::make_unique<jobs::ActionRenderer>(*d.objects, rs);
    d.followers = std::make_unique<jobs::LogFollowers>(
        *d.logs, [objects = d.objects.get()](const std::string& job) {
            auto j = objects->get("jobs", job);
            if (!j) return true;
            std::string state = j.value().value("State", "");
            return state == "finished" || state == "failed";
        });
    d.sweeper = std::make_unique<jobs::JobSweeper>(
        *d.engine, std::chrono::milliseconds(d.options.job_sweep_interval_ms));
    return true;
}

std::uint16_t Daemon::port() const {
    return impl_->http ? impl_->http->port() : 0;
}

TlsStatus Daemon::tls() const {
    std::lock_guard lock(impl_->tls_mutex);
    return impl_->tls;
}

void Daemon::run() {
    impl_->http->run();
}

void Daemon::stop() {
    impl_->sweeper.reset();
    // The event streams' last frames are queued before the server starts closing, so they are
    // flushed; the server then ends every stream (job log follows resume with a Range request).
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
