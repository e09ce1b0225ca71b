// Ships a job's output to `PUT /jobs/<uuid>/log` (spec 5.7, made lossless): every byte is first
// appended to a spool file in the agent's state dir, then sent in chunks of at most 64 KiB or
// after at most 1 s, each with X-Log-Offset. The server's X-Log-Size is the acknowledgement, so a
// server restart or a lost response resumes exactly where the server's durable log ends: no byte
// is lost or sent twice. A spool left by a crashed agent is shipped by the next start.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "agent/client/api_client.hpp"

namespace drover::agent {

class LogShipper {
  public:
    // Background: a thread of its own ships while the job runs (the agent's long actions).
    // OnFlush: no thread; flush() ships on the caller's thread over the caller's connection
    // (the fleet simulator's in-process actions, whose log is whole before anything ships).
    enum class Shipping { Background, OnFlush };

    // Opens (or resumes) the spool `<spool_dir>/<job>.spool` and starts shipping. The base offset
    // is the server's log size when the spool is first created.
    LogShipper(client::ClientOptions client, std::string job, const std::string& spool_dir,
               bool echo_to_stdout);
    // The same, over `api`: borrowed for OnFlush (not used after the shipper is gone), copied
    // into a connection of the shipper's own for Background.
    LogShipper(client::ApiClient& api, std::string job, const std::string& spool_dir,
               bool echo_to_stdout, Shipping shipping);
    ~LogShipper();
    LogShipper(const LogShipper&) = delete;
    LogShipper& operator=(const LogShipper&) = delete;

    // Appends to the spool (and the agent's stdout when echoing). Thread-safe.
    void write(std::string_view bytes);
    // Ships everything written so far; true once the server acknowledged all of it, false when
    // `max_wait` passed first. On true the spool is removed when the shipper is destroyed.
    bool flush(std::chrono::milliseconds max_wait);
    std::uint64_t acknowledged() const;
    // OnFlush: ship over `api` from now on (a driver that moved the agent to another thread's
    // connection since the shipper was made).
    void ship_over(client::ApiClient& api);
    // Ships with this token from the next request on (the agent renewed its own). Thread-safe.
    void use_token(std::string token);

    // Ships and removes every spool a previous agent run left in `spool_dir`.
    static void ship_leftovers(const client::ClientOptions& client, const std::string& spool_dir);

  private:
    void open_spool(const std::string& spool_dir);
    bool flush_here(std::chrono::milliseconds max_wait);
    void run();
    bool ship_some();
    void adopt_token();
    bool learn_base();
    std::optional<std::uint64_t> server_size();

    std::optional<client::ApiClient> own_client_;
    client::ApiClient* client_;
    std::string job_;
    std::string path_;
    bool echo_;
    int fd_ = -1;
    std::uint64_t header_bytes_ = 0;       // the spool's first line
    std::uint64_t base_ = 0;               // the log offset of the spool's first byte
    std::atomic<bool> base_known_{false};  // false: the server was unreachable when it began
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::uint64_t written_ = 0;  // bytes in the spool after the header
    std::uint64_t acked_ = 0;    // log offset the server has durably
    bool stopping_ = false;
    bool flushing_ = false;
    std::string new_token_;  // for client_, taken by the thread that ships next
    std::thread thread_;
};

}  // namespace drover::agent
