// droverd: reads its settings (flags, then DROVER_* variables, then the config file, then the
// defaults: server/config/layered_config.hpp), starts the Daemon, reloads its TLS certificate on
// SIGHUP and stops gracefully on SIGTERM or SIGINT.
#include <pthread.h>
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <iostream>
#include <optional>
#include <thread>

#include "server/config/layered_config.hpp"
#include "server/daemon.hpp"
#include "server/ops/backup.hpp"
#include "server/ops/log.hpp"

namespace {

using drover::ops::Level;
using drover::ops::Log;
using drover::server::Daemon;
using drover::server::DaemonOptions;

constexpr const char* kDefaultConfigFile = "/etc/drover/droverd.conf";

// What droverd was asked to do: serve, or one of the data dir commands.
enum class Command { Serve, Backup, Restore };

// What the options write to; `listen` and `admin_password` end up in `opts`.
struct Settings {
    DaemonOptions opts;
    std::string listen = "0.0.0.0:8092";
    std::string admin_password;
    std::string log_level = "info";
    Command command = Command::Serve;
    std::string archive;  // backup and restore: the file
};

// `droverd backup FILE` and `droverd restore FILE`, with the data dir of the configuration.
struct DataDirCommands {
    CLI::App* backup;
    CLI::App* restore;
};

DataDirCommands add_data_dir_commands(CLI::App& app, Settings& settings) {
    CLI::App* backup = app.add_subcommand(
        "backup",
        "Write a consistent copy of the data dir (store, job logs, keys) to FILE; safe "
        "while droverd runs");
    backup->add_option("file", settings.archive, "The backup file (mode 0600: it holds the keys)")
        ->required();
    CLI::App* restore = app.add_subcommand(
        "restore", "Unpack a backup FILE into the data dir, which must be missing or empty");
    restore->add_option("file", settings.archive, "A file written by droverd backup")->required();
    backup->fallthrough();
    restore->fallthrough();
    return {backup, restore};
}

int run_data_dir_command(const Settings& s) {
    bool is_backup = s.command == Command::Backup;
    const std::string& dir = s.opts.data_dir;
    drover::ops::BackupSummary summary;
    std::string error = is_backup
                            ? drover::ops::backup_data_dir(dir, s.archive, DROVER_VERSION, summary)
                            : drover::ops::restore_data_dir(s.archive, dir, summary);
    if (!error.empty()) {
        Log(Level::Error, is_backup ? "backup failed" : "restore failed").field("error", error);
        return 1;
    }
    std::cout << "droverd: " << (is_backup ? "backed up " : "restored ") << dir
              << (is_backup ? " to " : " from ") << s.archive << " (" << summary.jobs << " jobs, "
              << summary.job_logs << " job logs, " << summary.archive_bytes << " bytes)\n";
    return 0;
}

void add_options(CLI::App& app, Settings& settings) {
    DaemonOptions& opts = settings.opts;
    std::string& listen = settings.listen;
    std::string& admin_password = settings.admin_password;
    app.add_option("--data-dir", opts.data_dir, "Data directory (created if missing)")
        ->capture_default_str();
    app.add_option("--listen", listen, "Address and port to serve the API on")
        ->capture_default_str();
    app.add_option("--workers", opts.worker_threads, "HTTP worker threads")->capture_default_str();
    app.add_option("--max-body-bytes", opts.max_body_bytes, "Largest request body accepted")
        ->capture_default_str();
    app.add_option("--request-timeout-seconds", opts.request_timeout_seconds,
                   "Seconds a request has, from its first byte, to arrive whole")
        ->check(CLI::PositiveNumber)
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
                   "URL machines reach the API on (.ApiURL); default https://<address>:<port>");
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
    app.add_option("--shutdown-timeout-seconds", opts.shutdown_timeout_seconds,
                   "On SIGTERM/SIGINT, how long requests in flight and closing streams get")
        ->capture_default_str();
    app.add_option("--log-level", settings.log_level,
                   "Least severe log entries written to stderr (reloaded on SIGHUP)")
        ->check(CLI::IsMember({"error", "warn", "info", "debug"}))
        ->capture_default_str();
    app.add_flag("--metrics-public", opts.metrics_public,
                 "Serve GET /metrics to anyone, without credentials (default: admins only)");
}

// Checks what one option cannot check alone; the reason when the settings cannot be used.
std::optional<std::string> complete(Settings& s) {
    if (!s.admin_password.empty()) s.opts.admin_password = s.admin_password;
    if (!drover::server::parse_listen(s.listen, s.opts.host, s.opts.port))
        return "--listen must be HOST:PORT, got " + s.listen;
    if (s.opts.tls_cert_file.empty() != s.opts.tls_key_file.empty())
        return "--tls-cert and --tls-key go together";
    if (s.opts.insecure_http && !s.opts.tls_cert_file.empty())
        return "--insecure-http serves no TLS: drop it or --tls-cert/--tls-key";
    return std::nullopt;
}

// The settings, or nullopt with `exit_code` set once help, the version, --print-config or an
// error has been written.
std::optional<Settings> read_settings(const std::vector<std::string>& args, int& exit_code) {
    Settings settings;
    settings.opts.version = DROVER_VERSION;
    CLI::App app{"droverd: the drover provisioning server", "droverd"};
    app.set_version_flag("--version", DROVER_VERSION);
    add_options(app, settings);
    DataDirCommands commands = add_data_dir_commands(app, settings);
    auto outcome = drover::server::config::parse_layered(app, args, {"DROVER", kDefaultConfigFile});
    std::cout << outcome.out << std::flush;
    std::cerr << outcome.err << std::flush;
    exit_code = outcome.exit_code;
    if (!outcome.run) return std::nullopt;
    if (commands.backup->parsed()) settings.command = Command::Backup;
    if (commands.restore->parsed()) settings.command = Command::Restore;
    if (auto problem = complete(settings)) {
        Log(Level::Error, *problem);
        exit_code = 2;
        return std::nullopt;
    }
    return settings;
}

void log_tls(const drover::server::TlsStatus& tls) {
    if (tls.generated)
        Log(Level::Info, "generated a self-signed TLS certificate")
            .field("cert", tls.cert_file)
            .field("key", tls.key_file);
    if (tls.enabled) Log(Level::Info, "TLS certificate SHA-256 fingerprint: " + tls.fingerprint);
}

// The level named by --log-level (validated by the option's check).
void apply_log_level(const Settings& settings) {
    drover::ops::set_log_level(drover::ops::parse_level(settings.log_level).value_or(Level::Info));
}

// SIGHUP: the configuration is read again (flags still win) and what can change while running
// is applied; a configuration that does not read changes nothing.
void reload(Daemon& daemon, const std::vector<std::string>& args) {
    int ignored = 0;
    auto settings = read_settings(args, ignored);
    if (!settings) {
        Log(Level::Error, "SIGHUP: configuration not reloaded");
        return;
    }
    apply_log_level(*settings);
    std::string error;
    if (!daemon.reload(drover::server::reload_options(settings->opts), error)) {
        Log(Level::Error, "SIGHUP: TLS not reloaded").field("error", error);
        return;
    }
    Log(Level::Info, "SIGHUP: configuration reloaded").field("log_level", settings->log_level);
    log_tls(daemon.tls());
}

// Signals are taken by one waiting thread, so no handler runs inside the server's code. It returns
// on SIGTERM or SIGINT, or when main() says the server has stopped (`stopped`, then a SIGTERM).
void handle_signals(Daemon& daemon, sigset_t signals, const std::vector<std::string>& args,
                    int shutdown_timeout_seconds, const std::atomic<bool>& stopped) {
    for (;;) {
        int sig = 0;
        if (sigwait(&signals, &sig) != 0) continue;
        if (stopped.load()) return;
        if (sig == SIGHUP) {
            reload(daemon, args);
        } else if (sig == SIGTERM || sig == SIGINT) {
            Log(Level::Info, "stopping")
                .field("signal", sig == SIGTERM ? "SIGTERM" : "SIGINT")
                .field("timeout_seconds", shutdown_timeout_seconds);
            daemon.stop();
            return;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    int exit_code = 0;
    auto settings = read_settings(args, exit_code);
    if (!settings) return exit_code;
    if (settings->command != Command::Serve) return run_data_dir_command(*settings);
    apply_log_level(*settings);
    const DaemonOptions& opts = settings->opts;
    if (opts.insecure_http)
        Log(Level::Warn,
            "serving plain HTTP without TLS (--insecure-http); for tests and local demos only");

    // Blocked before any thread starts, so every thread inherits the mask and only the waiter
    // takes these signals.
    sigset_t signals;
    sigemptyset(&signals);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGPIPE})
        sigaddset(&signals, sig);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    Daemon daemon(opts);
    std::string error;
    if (!daemon.start(error)) {
        Log(Level::Error, "cannot start").field("error", error);
        return 1;
    }
    log_tls(daemon.tls());
    Log(Level::Info, "listening on " + opts.host + ":" + std::to_string(daemon.port()))
        .field("version", DROVER_VERSION)
        .field("scheme", daemon.tls().enabled ? "https" : "http")
        .field("data_dir", opts.data_dir);
    std::atomic<bool> stopped{false};
    std::thread waiter(handle_signals, std::ref(daemon), signals, std::cref(args),
                       opts.shutdown_timeout_seconds, std::cref(stopped));
    daemon.run();
    // The waiter is joined, not left running: a SIGHUP reload gives it OpenSSL state, and a thread
    // still freeing that at exit() races OPENSSL_cleanup (LeakSanitizer caught it as a leak). The
    // signal wakes a waiter still in sigwait(); one that has already returned never sees it.
    stopped.store(true);
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    Log(Level::Info, "stopped");
    return 0;
}
