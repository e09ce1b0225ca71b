#include "agent/fsm/log_shipper.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

namespace drover::agent {

namespace {

constexpr std::uint64_t kChunk = 64u << 10;
// The header's base is fixed-width so it can be filled in place once the server is reachable.
constexpr std::uint64_t kUnknownBase = std::numeric_limits<std::uint64_t>::max();

std::string header_for(const std::string& job, std::optional<std::uint64_t> base) {
    char digits[32];
    std::snprintf(digits, sizeof digits, "%020llu",
                  static_cast<unsigned long long>(base.value_or(kUnknownBase)));
    return "drover-spool " + job + " " + digits + "\n";
}
constexpr auto kMaxDelay = std::chrono::seconds(1);

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// "drover-spool <job> <base>\n"
bool read_header(const std::string& path, std::string& job, std::uint64_t& base,
                 std::uint64_t& header_bytes) {
    std::ifstream in(path);
    std::string line;
    if (!std::getline(in, line)) return false;
    header_bytes = line.size() + 1;
    char jb[128] = {};
    unsigned long long b = 0;
    if (std::sscanf(line.c_str(), "drover-spool %127s %llu", jb, &b) != 2) return false;
    job = jb;
    base = b;
    return true;
}

}  // namespace

LogShipper::LogShipper(client::ClientOptions client, std::string job, const std::string& spool_dir,
                       bool echo_to_stdout)
    : own_client_(std::move(client)),
      client_(&*own_client_),
      job_(std::move(job)),
      echo_(echo_to_stdout) {
    open_spool(spool_dir);
    thread_ = std::thread([this] { run(); });
}

LogShipper::LogShipper(client::ApiClient& api, std::string job, const std::string& spool_dir,
                       bool echo_to_stdout, Shipping shipping)
    : client_(&api), job_(std::move(job)), echo_(echo_to_stdout) {
    if (shipping == Shipping::Background) {
        own_client_.emplace(api.options());
        client_ = &*own_client_;
    }
    open_spool(spool_dir);
    if (shipping == Shipping::Background) thread_ = std::thread([this] { run(); });
}

void LogShipper::open_spool(const std::string& spool_dir) {
    std::filesystem::create_directories(spool_dir);
    path_ = spool_dir + "/" + job_ + ".spool";
    std::string existing_job;
    if (read_header(path_, existing_job, base_, header_bytes_) && existing_job == job_) {
        written_ = std::filesystem::file_size(path_) - header_bytes_;
        base_known_ = base_ != kUnknownBase;
        if (!base_known_) base_ = 0;
        // A resumed spool: the server may hold more of it than the last run knew.
        acked_ = base_known_ ? std::max(base_, server_size().value_or(base_)) : 0;
    } else {
        auto size = server_size();
        base_known_ = size.has_value();
        base_ = size.value_or(0);
        acked_ = base_;
        std::string header = header_for(job_, size);
        header_bytes_ = header.size();
        int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd >= 0) {
            write_all(fd, header);
            ::close(fd);
        }
    }
    fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
}

LogShipper::~LogShipper() {
    bool complete = false;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        complete = acked_ >= base_ + written_;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
    if (complete) std::filesystem::remove(path_);  // otherwise the next start ships the rest
}

void LogShipper::write(std::string_view bytes) {
    if (bytes.empty()) return;
    if (echo_) {
        std::fwrite(bytes.data(), 1, bytes.size(), stdout);
        std::fflush(stdout);
    }
    std::lock_guard lock(mutex_);
    if (fd_ >= 0 && write_all(fd_, bytes)) written_ += bytes.size();
    if (written_ + base_ - acked_ >= kChunk) wake_.notify_all();
}

std::uint64_t LogShipper::acknowledged() const {
    std::lock_guard lock(mutex_);
    return acked_;
}

void LogShipper::ship_over(client::ApiClient& api) {
    if (!thread_.joinable()) client_ = &api;
}

void LogShipper::use_token(std::string token) {
    std::lock_guard lock(mutex_);
    new_token_ = std::move(token);
}

// client_ is only ever used by the thread that ships, so that thread is the one to change it.
void LogShipper::adopt_token() {
    std::string token;
    {
        std::lock_guard lock(mutex_);
        token.swap(new_token_);
    }
    if (!token.empty()) client_->set_token(token);
}

bool LogShipper::flush(std::chrono::milliseconds max_wait) {
    if (!thread_.joinable()) return flush_here(max_wait);
    std::unique_lock lock(mutex_);
    flushing_ = true;
    wake_.notify_all();
    bool done = wake_.wait_for(lock, max_wait, [&] { return acked_ >= base_ + written_; });
    flushing_ = false;
    return done;
}

bool LogShipper::flush_here(std::chrono::milliseconds max_wait) {
    auto end = std::chrono::steady_clock::now() + max_wait;
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (acked_ >= base_ + written_) return true;
        }
        if (ship_some()) continue;
        if (std::chrono::steady_clock::now() >= end) return false;
        // The server answered with an error: try again shortly, not in a tight loop.
        std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(
            end - std::chrono::steady_clock::now(), std::chrono::milliseconds(100)));
    }
}

std::optional<std::uint64_t> LogShipper::server_size() {
    auto r = client_->send({"HEAD", "/api/v3/jobs/" + job_ + "/log", "", "", {}});
    if (!r || r->status != 200) return std::nullopt;
    return std::strtoull(r->header("x-log-size").c_str(), nullptr, 10);
}

// A spool started while the server was unreachable learns where its bytes go on first contact:
// the server's log has none of them yet.
bool LogShipper::learn_base() {
    auto size = server_size();
    if (!size) return false;
    std::lock_guard lock(mutex_);
    base_ = *size;
    acked_ = base_;
    base_known_ = true;
    int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        std::string header = header_for(job_, base_);
        ::pwrite(fd, header.data(), header.size(), 0);
        ::close(fd);
    }
    return true;
}

void LogShipper::run() {
    std::unique_lock lock(mutex_);
    auto oldest_unsent = std::chrono::steady_clock::now();
    for (;;) {
        wake_.wait_for(lock, kMaxDelay, [&] {
            std::uint64_t pending = base_ + written_ - acked_;
            return stopping_ || (pending > 0 && flushing_) || pending >= kChunk;
        });
        std::uint64_t pending = base_ + written_ - acked_;
        if (pending == 0) {
            if (stopping_) return;
            oldest_unsent = std::chrono::steady_clock::now();
            continue;
        }
        bool due = stopping_ || flushing_ || pending >= kChunk ||
                   std::chrono::steady_clock::now() - oldest_unsent >= kMaxDelay;
        if (!due) continue;
        lock.unlock();
        bool progressed = ship_some();
        lock.lock();
        wake_.notify_all();
        if (progressed) continue;
        if (stopping_) return;  // the spool stays for the next start
        // The server answered with an error: try again later, not in a tight loop.
        wake_.wait_for(lock, kMaxDelay, [&] { return stopping_; });
    }
}

// One chunk from the acknowledged offset on; the answer's X-Log-Size moves the offset, whether
// the server appended (204), already had it (204) or has less than we thought (409).
bool LogShipper::ship_some() {
    adopt_token();
    if (!base_known_ && !learn_base()) return false;
    std::uint64_t from, end;
    {
        std::lock_guard lock(mutex_);
        from = acked_;
        end = std::min(base_ + written_, from + kChunk);
    }
    std::string chunk(end - from, '\0');
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    ssize_t n =
        ::pread(fd, chunk.data(), chunk.size(), static_cast<off_t>(header_bytes_ + (from - base_)));
    ::close(fd);
    if (n != static_cast<ssize_t>(chunk.size())) return false;
    client::Request req{"PUT",
                        "/api/v3/jobs/" + job_ + "/log",
                        std::move(chunk),
                        "application/octet-stream",
                        {{"X-Log-Offset", std::to_string(from)}}};
    auto r = client_->send(req);
    if (!r || (r->status != 204 && r->status != 409)) return false;
    std::uint64_t size = std::strtoull(r->header("x-log-size").c_str(), nullptr, 10);
    std::lock_guard lock(mutex_);
    acked_ = std::max(base_, std::min(size, base_ + written_));
    return acked_ != from;
}

void LogShipper::ship_leftovers(const client::ClientOptions& client, const std::string& dir) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.path().extension() != ".spool") continue;
        std::string job;
        std::uint64_t base = 0, header = 0;
        if (!read_header(entry.path().string(), job, base, header)) {
            std::filesystem::remove(entry.path(), ec);
            continue;
        }
        LogShipper shipper(client, job, dir, false);
        shipper.flush(std::chrono::seconds(30));
    }
}

}  // namespace drover::agent
