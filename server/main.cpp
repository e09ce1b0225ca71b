// droverd: parses flags, starts the Daemon, and stops it cleanly on SIGTERM or SIGINT.
#include <CLI/CLI.hpp>
#include <csignal>
#include <thread>

#include "server/daemon.hpp"
#include "server/ops/log.hpp"

namespace {

// A command-line mistake: one error line, exit status 2.
int usage_error(const std::string& message) {
    drover::ops::Log(drover::ops::Level::Error, message);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    drover::server::DaemonOptions opts;
    opts.version = DROVER_VERSION;
    std::string listen = "0.0.0.0:8092";
    CLI::App app{"droverd: the drover provisioning server", "droverd"};
    app.set_version_flag("--version", DROVER_VERSION);
    app.add_option("--data-dir", opts.data_dir, "Data directory (created if missing)")
        ->capture_default_str();
    app.add_option("--listen", listen, "Address and port to serve the API on")
        ->capture_default_str();
    app.add_option("--workers", opts.worker_threads, "HTTP worker threads")->capture_default_str();
    app.add_option("--max-body-bytes", opts.max_body_bytes, "Largest request body accepted")
        ->capture_default_str();
    app.add_option("--event-retention-count", opts.event_retention_count,
                   "Events kept for resuming streams")
        ->capture_default_str();
    app.add_option("--event-retention-seconds", opts.event_retention_seconds,
                   "Longest an event is kept")
        ->capture_default_str();
    app.add_option("--heartbeat-seconds", opts.heartbeat_seconds, "Event stream heartbeat interval")
        ->capture_default_str();
    app.add_option("--default-bootenv", opts.default_boot_env, "BootEnv of new machines")
        ->capture_default_str();
    app.add_option("--api-url", opts.api_url,
                   "URL machines reach the API on (.ApiURL); default http://<address>:<port>");
    app.add_option("--provisioner-url", opts.provisioner_url,
                   "URL machines fetch files from (.ProvisionerURL); default the API URL");
    app.add_option("--job-log-max-bytes", opts.job_log_max_bytes,
                   "Per-job log size kept (head and tail beyond it)")
        ->capture_default_str();
    app.add_option("--idempotency-ttl-seconds", opts.idempotency_ttl_seconds,
                   "How long a POST /jobs Idempotency-Key is remembered")
        ->capture_default_str();
    app.add_option("--job-timeout-grace-seconds", opts.job_timeout_grace_seconds,
                   "Grace after a task's Meta.timeout before the server fails its job")
        ->capture_default_str();
    app.add_option("--job-sweep-interval-ms", opts.job_sweep_interval_ms,
                   "How often overdue jobs are looked for")
        ->capture_default_str();
    std::string admin_password;
    app.add_option("--admin-password", admin_password,
                   "First start only: user admin's password ($DROVER_ADMIN_PASSWORD; default "
                   "random, written to <data-dir>/initial-admin-password)")
        ->envname("DROVER_ADMIN_PASSWORD");
    app.add_option("--token-ttl-seconds", opts.token_ttl_seconds,
                   "Lifetime of tokens without ?ttl= (and of .GenerateToken)")
        ->capture_default_str();
    app.add_option("--infinite-token-ttl-seconds", opts.infinite_token_ttl_seconds,
                   "Lifetime of .GenerateInfiniteToken, and the longest ?ttl=")
        ->capture_default_str();
    app.add_option("--tls-cert", opts.tls_cert_file,
                   "PEM certificate (chain) to serve HTTPS with, with --tls-key; default a "
                   "self-signed one made in <data-dir>/tls on first start");
    app.add_option("--tls-key", opts.tls_key_file, "PEM private key of --tls-cert");
    app.add_flag("--insecure-http", opts.insecure_http,
                 "Serve plain HTTP without TLS (tests and local demos only)");
    std::string log_level = "info";
    app.add_option("--log-level", log_level, "Least severe log entries written to stderr")
        ->check(CLI::IsMember({"error", "warn", "info", "debug"}))
        ->capture_default_str();
    app.add_flag("--metrics-public", opts.metrics_public,
                 "Serve GET /metrics to anyone, without credentials (default: admins only)");
    CLI11_PARSE(app, argc, argv);
    using drover::ops::Level;
    using drover::ops::Log;
    drover::ops::set_log_level(drover::ops::parse_level(log_level).value_or(Level::Info));
    if (!admin_password.empty()) opts.admin_password = admin_password;
    if (!drover::server::parse_listen(listen, opts.host, opts.port))
        return usage_error("--listen must be HOST:PORT, got " + listen);
    if (opts.tls_cert_file.empty() != opts.tls_key_file.empty())
        return usage_error("--tls-cert and --tls-key go together");
    if (opts.insecure_http && !opts.tls_cert_file.empty())
        return usage_error("--insecure-http serves no TLS: drop it or --tls-cert/--tls-key");
    if (opts.insecure_http)
        Log(Level::Warn,
            "serving plain HTTP without TLS (--insecure-http); for tests and local demos only");

    // Signals are handled by one waiting thread, so no handler runs inside the server's code.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    drover::server::Daemon daemon(opts);
    std::string error;
    if (!daemon.start(error)) {
        Log(Level::Error, "cannot start").field("error", error);
        return 1;
    }
    const drover::server::TlsStatus& tls = daemon.tls();
    if (tls.generated)
        Log(Level::Info, "generated a self-signed TLS certificate")
            .field("cert", tls.cert_file)
            .field("key", tls.key_file);
    if (tls.enabled) Log(Level::Info, "TLS certificate SHA-256 fingerprint: " + tls.fingerprint);
    Log(Level::Info, "listening on " + opts.host + ":" + std::to_string(daemon.port()))
        .field("version", DROVER_VERSION)
        .field("scheme", tls.enabled ? "https" : "http")
        .field("data_dir", opts.data_dir);
    std::thread waiter([&] {
        for (;;) {
            int sig = 0;
            sigwait(&signals, &sig);
            if (sig == SIGPIPE) continue;
            Log(Level::Info, "stopping").field("signal", sig);
            daemon.stop();
            return;
        }
    });
    daemon.run();
    waiter.detach();
    return 0;
}
