// The Stream handed to on_stream: any thread may write; bytes wait here until the loop moves them
// to the socket. The bound covers everything not yet accepted by the kernel (queued here plus
// taken by the loop but unsent), so a consumer that stops reading cannot grow memory past
// stream_buffer_bytes. Invariant: once closed (client gone, finish() flushed, server stopped),
// write() returns false forever.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "server/http/http_server.hpp"
#include "server/http/mailbox.hpp"

namespace drover::http {

class StreamImpl final : public Stream {
  public:
    StreamImpl(std::uint64_t connection_id, std::size_t limit, std::shared_ptr<Mailbox> mailbox);

    bool write(std::string bytes) override;
    void finish() override;
    void finish_with(std::string last_bytes) override;
    bool is_open() const override;

    // Loop side. Appends queued bytes to `out`; returns true when finish() was requested.
    bool drain_into(std::string& out);
    // Bytes the loop holds that the socket has not taken yet (counted against the limit).
    void set_unsent(std::size_t bytes);
    void mark_closed();

  private:
    // Tells the loop this stream has work, once until the loop drains it.
    void notify_locked(std::unique_lock<std::mutex>& lock);

    const std::uint64_t connection_id_;
    const std::size_t limit_;
    const std::shared_ptr<Mailbox> mailbox_;
    mutable std::mutex mutex_;
    std::string pending_;
    std::size_t unsent_ = 0;
    bool open_ = true;
    bool finishing_ = false;
    bool posted_ = false;  // a note for this stream is in the mailbox
};

}  // namespace drover::http
