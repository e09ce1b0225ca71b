// Starts the real droverd binary for integration tests: a temp data dir, 127.0.0.1 with port 0
// (the kernel picks a free one; droverd logs it), SIGTERM or SIGKILL on demand, and restart on
// the same data dir. The HTTP client is cpp-httplib's, as any DRP client would be. Plain HTTP
// (--insecure-http) unless a test asks for HTTPS, which droverd serves by default. A test may give
// its own data dir (a file system it mounted); droverd then leaves it in place. droverd's log
// (stderr) is kept for the tests to read; its warnings, errors and anything not in logfmt (a
// sanitizer's report) are passed on to the test's stderr, its info lines are not.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace drover::testing {

// Every test droverd's user admin has this password (--admin-password on first start).
inline constexpr const char* kAdminPassword = "drover-test-admin";
// What child processes (the CLI, the agent) get in their environment to log in as admin.
inline const std::string kAdminKey = std::string("admin:") + kAdminPassword;
enum class Scheme { Http, Https };

// How user admin gets its password on first start: --admin-password kAdminPassword, or none, so
// droverd generates one into <data-dir>/initial-admin-password (read back by admin_password()).
enum class AdminPassword { Given, Generated };

// A data dir the test made and owns (e.g. a small tmpfs it mounted), instead of a temp dir.
struct DataDir {
    std::string path;
};

class DroverdProcess {
  public:
    explicit DroverdProcess(std::vector<std::string> extra_args = {}, Scheme scheme = Scheme::Http,
                            AdminPassword admin = AdminPassword::Given);
    DroverdProcess(std::vector<std::string> extra_args, AdminPassword admin)
        : DroverdProcess(std::move(extra_args), Scheme::Http, admin) {}
    DroverdProcess(DataDir dir, std::vector<std::string> extra_args);
    ~DroverdProcess();
    DroverdProcess(const DroverdProcess&) = delete;
    DroverdProcess& operator=(const DroverdProcess&) = delete;

    // Starts droverd; with same_port, on the port it had before (agents keep their endpoint).
    void start(bool same_port = false);
    void stop();   // SIGTERM, wait
    void kill9();  // SIGKILL, wait
    void send_signal(int signal);
    // Waits for droverd to exit: its exit status, or -1 when a signal ended it. After
    // `hang_guard` it is killed and nullopt returned.
    std::optional<int> wait_exit(std::chrono::seconds hang_guard);
    void restart() {
        stop();
        start();
    }

    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    const std::string& data_dir() const { return data_dir_; }
    std::string endpoint() const;  // "http://127.0.0.1:<port>" or "https://..."
    // The log of the last start, up to and including the "listening on" line.
    const std::vector<std::string>& startup_lines() const { return startup_lines_; }
    // The certificate fingerprint droverd logged at its last start ("" when it logged none): the
    // rest of the quoted msg, `level=info msg="TLS certificate SHA-256 fingerprint: AB:CD:..."`.
    std::string logged_fingerprint() const;
    // Stops keeping log lines (still read, so droverd never blocks on its stderr): a long load
    // run logs a line per request.
    void forget_log() {
        std::lock_guard lock(log_mutex_);
        keep_log_lines_ = false;
        log_lines_.clear();
    }
    // Every log line of the last start so far.
    std::vector<std::string> log_lines() const;
    // With Https, it accepts any certificate.
    // kAdminPassword, or the generated one from <data-dir>/initial-admin-password.
    std::string admin_password() const;
    // A client logged in as admin with a token (one password check per droverd, not per request:
    // scrypt costs tens of milliseconds by design). With Https, it accepts any certificate.
    std::unique_ptr<httplib::Client> client() const;
    // A client with no credentials at all.
    std::unique_ptr<httplib::Client> anonymous_client() const;
    std::string admin_token() const;
    // A token for `machine` (GET /machines/<uuid>/token), as an agent would be given.
    std::string machine_token(const std::string& machine) const;

  private:
    void keep_log(std::string line);
    void read_log(int fd);

    std::vector<std::string> extra_args_;
    Scheme scheme_;
    std::vector<std::string> startup_lines_;
    AdminPassword admin_;
    std::string data_dir_;
    bool owns_data_dir_ = true;
    pid_t pid_ = -1;
    int port_ = 0;
    mutable std::string admin_token_;
    std::thread log_reader_;  // reads the log after start-up until droverd exits
    mutable std::mutex log_mutex_;
    bool keep_log_lines_ = true;
    std::vector<std::string> log_lines_;
};

// JSON body helpers over httplib: they return the status and the parsed body (null if none).
struct Reply {
    int status = 0;
    nlohmann::json body;
    httplib::Headers headers;
};
Reply call(httplib::Client& c, const std::string& method, const std::string& path,
           const nlohmann::json* body = nullptr);
inline Reply get(httplib::Client& c, const std::string& path) {
    return call(c, "GET", path);
}
inline Reply post(httplib::Client& c, const std::string& path, const nlohmann::json& b) {
    return call(c, "POST", path, &b);
}
inline Reply put(httplib::Client& c, const std::string& path, const nlohmann::json& b) {
    return call(c, "PUT", path, &b);
}
inline Reply patch(httplib::Client& c, const std::string& path, const nlohmann::json& b) {
    return call(c, "PATCH", path, &b);
}
inline Reply del(httplib::Client& c, const std::string& path) {
    return call(c, "DELETE", path);
}

// A reply whose body is bytes, not JSON: job logs, and bodies a test must see exactly.
struct BytesReply {
    int status = 0;  // 0 when no reply came
    std::string body;
    httplib::Headers headers;
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? "<none>" : it->second;
    }
    std::size_t count(const std::string& name) const { return headers.count(name); }
    nlohmann::json json_body() const { return nlohmann::json::parse(body, nullptr, false); }
};
BytesReply call_bytes(httplib::Client& c, const std::string& method, const std::string& path,
                      const httplib::Headers& headers = {}, const std::string& body = "");

}  // namespace drover::testing
