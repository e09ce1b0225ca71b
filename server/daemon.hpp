// droverd assembled: the store, the object service, the event bus and the HTTP server wired
// together, with start-up (data dir, built-ins) and an orderly stop. main.cpp only parses flags.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace drover::server {

struct DaemonOptions {
    std::string data_dir = "/var/lib/drover";
    std::string host = "0.0.0.0";
    std::uint16_t port = 8092;
    std::size_t worker_threads = 16;
    std::size_t max_body_bytes = 16u << 20;
    // A request must arrive whole this long after its first byte (slowloris), or it is cut off.
    int request_timeout_seconds = 30;
    std::size_t event_retention_count = 100000;
    std::uint64_t event_retention_seconds = 3600;
    int heartbeat_seconds = 10;
    std::string default_boot_env = "local";
    std::string version;
    // Render data (spec 7.2): .ApiURL and .ProvisionerURL. Empty: https://<address>:<port> (http://
    // with insecure_http), with
    // the listen address, or this host's first non-loopback IPv4 address when listening on all.
    std::string api_url;
    std::string provisioner_url;
    std::uint64_t job_log_max_bytes = std::uint64_t{64} << 20;
    std::uint64_t idempotency_ttl_seconds = 3600;
    std::uint64_t job_timeout_grace_seconds = 60;
    std::uint64_t job_sweep_interval_ms = 5000;
    // First start only: the password of user admin (else a random one, written to
    // <data-dir>/initial-admin-password and printed once).
    std::optional<std::string> admin_password;
    std::int64_t token_ttl_seconds = 3600;
    std::int64_t infinite_token_ttl_seconds = 365 * 24 * 3600;
    // HTTPS unless insecure_http. With neither file given, a self-signed certificate in
    // <data-dir>/tls, generated on first start (server/security/self_signed.hpp).
    bool insecure_http = false;
    std::string tls_cert_file;  // both or neither
    std::string tls_key_file;
    // stop(): how long requests in flight and closing streams get before the rest is cut off.
    int shutdown_timeout_seconds = 10;
    // GET /metrics for anyone, credentials or not (else admins only).
    bool metrics_public = false;
};

// What reload() (SIGHUP) applies without a restart, from the configuration as re-read then; every
// other setting takes effect at the next start.
struct ReloadOptions {
    std::string tls_cert_file;  // empty: the self-signed pair in <data-dir>/tls
    std::string tls_key_file;
};

ReloadOptions reload_options(const DaemonOptions& options);

// What start() did about TLS, for the start-up lines.
struct TlsStatus {
    bool enabled = false;
    bool generated = false;  // a self-signed pair was made in this start
    std::string cert_file;
    std::string key_file;
    std::string fingerprint;  // SHA-256 of the certificate, "AB:CD:..."
};

class Daemon {
  public:
    explicit Daemon(DaemonOptions options);
    ~Daemon();
    // Opens the store and binds the port; false with `error` set when either fails.
    bool start(std::string& error);
    std::uint16_t port() const;
    TlsStatus tls() const;
    // Serves until stop() (from any thread, e.g. a signal waiter).
    void run();
    // Graceful (http::Server::stop): event streams end with a frame saying where to resume, log
    // follows end after what their logs hold, requests in flight are answered; run() returns
    // once they are done or after shutdown_timeout_seconds.
    void stop();
    // Re-reads the TLS certificate and key (the given files or the self-signed pair): new
    // connections get the new pair, open ones keep theirs. False with `error` set, and the
    // previous certificate kept, when the new pair does not load. Thread-safe.
    bool reload(const ReloadOptions& options, std::string& error);

  private:
    bool start_jobs(std::string& error);
    bool start_security(std::string& error);
    bool start_tls(std::string& error);
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// "host:port" -> parts; false when malformed.
bool parse_listen(const std::string& listen, std::string& host, std::uint16_t& port);

}  // namespace drover::server
