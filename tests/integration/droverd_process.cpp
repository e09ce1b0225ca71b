#include "droverd_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace drover::testing {

DroverdProcess::DroverdProcess(std::vector<std::string> extra_args, Scheme scheme,
                               AdminPassword admin)
    : extra_args_(std::move(extra_args)), scheme_(scheme), admin_(admin) {
    char tmpl[] = "/tmp/droverd-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    data_dir_ = tmpl;
    start();
}

DroverdProcess::DroverdProcess(DataDir dir, std::vector<std::string> extra_args)
    : extra_args_(std::move(extra_args)),
      scheme_(Scheme::Http),
      admin_(AdminPassword::Given),
      data_dir_(std::move(dir.path)),
      owns_data_dir_(false) {
    start();
}

DroverdProcess::~DroverdProcess() {
    stop();
    std::error_code ec;
    if (owns_data_dir_) std::filesystem::remove_all(data_dir_, ec);
}

void DroverdProcess::start(bool same_port) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    std::string listen = "127.0.0.1:" + std::to_string(same_port ? port_ : 0);
    std::vector<std::string> args{DROVERD_PATH, "--data-dir", data_dir_, "--listen", listen};
    // Tests want a heartbeat soon; a caller that sets its own (the fleet simulator) keeps it.
    if (std::find(extra_args_.begin(), extra_args_.end(), "--heartbeat-seconds") ==
        extra_args_.end()) {
        args.push_back("--heartbeat-seconds");
        args.push_back("1");
    }
    if (scheme_ == Scheme::Http) args.push_back("--insecure-http");
    if (admin_ == AdminPassword::Given) {
        args.push_back("--admin-password");
        args.push_back(kAdminPassword);
    }
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    // Our environment, but without $DROVER_ADMIN_PASSWORD when droverd is to generate one.
    std::vector<char*> envp;
    for (char** e = environ; *e; ++e)
        if (admin_ == AdminPassword::Given ||
            std::string_view(*e).rfind("DROVER_ADMIN_PASSWORD=", 0) != 0)
            envp.push_back(*e);
    envp.push_back(nullptr);
    std::fflush(nullptr);  // or the child repeats our buffered output
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ == 0) {
        // A test that crashes takes its droverd with it: an orphan would hold the test's output
        // pipe open, and ctest would wait for it until the timeout (start() runs on a test's
        // main thread, whose exit is the process's).
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        // droverd starts with no signal blocked, whatever its parent blocks (drover-fleet blocks
        // SIGTERM and SIGINT in every thread).
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        dup2(out[1], STDERR_FILENO);
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        execve(argv[0], argv.data(), envp.data());
        _exit(127);
    }
    close(out[1]);
    // Lines up to `level=info msg="listening on 127.0.0.1:<port>" ...` (TLS lines come before).
    startup_lines_.clear();
    {
        std::lock_guard lock(log_mutex_);
        log_lines_.clear();
    }
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1) {
        if (c != '\n') {
            line += c;
            continue;
        }
        startup_lines_.push_back(line);
        keep_log(line);
        if (line.find("listening on ") != std::string::npos) break;
        line.clear();
    }
    std::string last = startup_lines_.empty() ? line : startup_lines_.back();
    auto colon = last.find("listening on 127.0.0.1:");
    if (colon == std::string::npos) {
        close(out[0]);
        throw std::runtime_error("droverd did not start: " + last);
    }
    port_ = std::atoi(last.c_str() + colon + 23);
    log_reader_ = std::thread([this, fd = out[0]] { read_log(fd); });
    admin_token_.clear();
    admin_token();  // now, on one thread: tests hand clients to many
}

std::string DroverdProcess::endpoint() const {
    return std::string(scheme_ == Scheme::Https ? "https" : "http") +
           "://127.0.0.1:" + std::to_string(port_);
}

void DroverdProcess::keep_log(std::string line) {
    if (line.rfind("level=info ", 0) != 0 && line.rfind("level=debug ", 0) != 0)
        std::fprintf(stderr, "%s\n", line.c_str());
    std::lock_guard lock(log_mutex_);
    if (keep_log_lines_) log_lines_.push_back(std::move(line));
}

void DroverdProcess::read_log(int fd) {
    std::string pending;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
        pending.append(buf, static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
        for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
            keep_log(pending.substr(0, nl));
            pending.erase(0, nl + 1);
        }
    }
    if (!pending.empty()) keep_log(pending);
    close(fd);
}

std::string DroverdProcess::logged_fingerprint() const {
    const std::string marker = "TLS certificate SHA-256 fingerprint: ";
    for (const auto& line : startup_lines_) {
        auto at = line.find(marker);
        if (at == std::string::npos) continue;
        std::string rest = line.substr(at + marker.size());
        return rest.substr(0, rest.find('"'));
    }
    return "";
}

std::vector<std::string> DroverdProcess::log_lines() const {
    std::lock_guard lock(log_mutex_);
    return log_lines_;
}

namespace {

void wait_for(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace

void DroverdProcess::stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    wait_for(pid_);
    pid_ = -1;
    if (log_reader_.joinable()) log_reader_.join();  // droverd's exit ended its log
}

void DroverdProcess::kill9() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    wait_for(pid_);
    pid_ = -1;
    if (log_reader_.joinable()) log_reader_.join();
}

void DroverdProcess::send_signal(int signal) {
    if (pid_ > 0) kill(pid_, signal);
}

std::optional<int> DroverdProcess::wait_exit(std::chrono::seconds hang_guard) {
    if (pid_ <= 0) return std::nullopt;
    auto give_up = std::chrono::steady_clock::now() + hang_guard;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > give_up) {
            kill9();
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    if (log_reader_.joinable()) log_reader_.join();  // droverd's exit ended its log
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::unique_ptr<httplib::Client> DroverdProcess::anonymous_client() const {
    auto c = std::make_unique<httplib::Client>(endpoint());
    c->enable_server_certificate_verification(false);
    c->set_read_timeout(30, 0);
    c->set_keep_alive(true);
    c->set_tcp_nodelay(true);
    return c;
}

std::string DroverdProcess::admin_password() const {
    if (admin_ == AdminPassword::Given) return kAdminPassword;
    std::ifstream in(data_dir_ + "/initial-admin-password");
    std::string password;
    std::getline(in, password);
    if (password.empty())
        throw std::runtime_error("no password in " + data_dir_ + "/initial-admin-password");
    return password;
}

namespace {

// A failed answer in an exception's words: the status and body, or why there was none.
std::string answer_of(const httplib::Result& r) {
    return r ? std::to_string(r->status) + " " + r->body
             : "no answer (" + httplib::to_string(r.error()) + ")";
}

}  // namespace

std::string DroverdProcess::admin_token() const {
    if (!admin_token_.empty()) return admin_token_;
    auto c = anonymous_client();
    c->set_basic_auth("admin", admin_password().c_str());
    auto r = c->Get("/api/v3/users/admin/token?ttl=86400");
    if (!r || r->status != 200) throw std::runtime_error("cannot log in as admin: " + answer_of(r));
    admin_token_ = nlohmann::json::parse(r->body)["Token"].get<std::string>();
    return admin_token_;
}

std::string DroverdProcess::machine_token(const std::string& machine) const {
    auto c = client();
    auto r = c->Get(("/api/v3/machines/" + machine + "/token?ttl=86400").c_str());
    if (!r || r->status != 200)
        throw std::runtime_error("no token for machine " + machine + ": " + answer_of(r));
    return nlohmann::json::parse(r->body)["Token"].get<std::string>();
}

std::unique_ptr<httplib::Client> DroverdProcess::client() const {
    auto c = anonymous_client();
    c->set_bearer_token_auth(admin_token().c_str());
    return c;
}

Reply call(httplib::Client& c, const std::string& method, const std::string& path,
           const nlohmann::json* body) {
    httplib::Request req;
    req.method = method;
    req.path = path;
    if (body) {
        req.body = body->dump();
        req.set_header("Content-Type", "application/json");
    }
    auto res = c.send(req);
    Reply r;
    if (!res) return r;
    r.status = res->status;
    r.headers = res->headers;
    if (!res->body.empty()) r.body = nlohmann::json::parse(res->body, nullptr, false);
    return r;
}

BytesReply call_bytes(httplib::Client& c, const std::string& method, const std::string& path,
                      const httplib::Headers& headers, const std::string& body) {
    httplib::Request req;
    req.method = method;
    req.path = path;
    req.headers = headers;
    req.body = body;
    auto res = c.send(req);
    if (!res) return {};
    return {res->status, res->body, res->headers};
}

}  // namespace drover::testing
