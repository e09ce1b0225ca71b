// Per-connection buffers and I/O (see connection.hpp).
#include "server/http/connection.hpp"

#include <sys/epoll.h>

namespace drover::http {
namespace {
constexpr std::size_t kReadChunk = 64 * 1024;
}

Connection::Connection(std::uint64_t id, std::unique_ptr<Transport> transport,
                       std::string remote_addr, ParserLimits limits)
    : id_(id),
      transport_(std::move(transport)),
      remote_addr_(std::move(remote_addr)),
      parser_(limits) {}

IoStatus Connection::read_some() {
    // A stack buffer, not in_.resize(): 10,000 idle connections must not each keep 64 KiB.
    char chunk[kReadChunk];
    IoResult r = transport_->read(chunk, sizeof chunk);
    if (r.status == IoStatus::Ok) in_.append(chunk, r.bytes);
    read_wants_write_ = r.status == IoStatus::WantWrite;
    return r.status;
}

IoStatus Connection::discard_input() {
    char scratch[16 * 1024];
    for (;;) {
        IoResult r = transport_->read(scratch, sizeof scratch);
        read_wants_write_ = r.status == IoStatus::WantWrite;
        if (r.status != IoStatus::Ok) return r.status;
    }
}

void Connection::queue_output(std::string bytes) {
    if (!has_output()) {
        out_ = std::move(bytes);
        out_offset_ = 0;
    } else {
        out_ += bytes;
    }
}

std::string& Connection::output() {
    if (out_offset_ > 0) {
        out_.erase(0, out_offset_);
        out_offset_ = 0;
    }
    return out_;
}

FlushResult Connection::flush() {
    while (has_output()) {
        IoResult r = transport_->write(out_.data() + out_offset_, unsent());
        if (r.status == IoStatus::Ok) {
            out_offset_ += r.bytes;
        } else if (r.status == IoStatus::WantWrite || r.status == IoStatus::WantRead) {
            write_wants_read_ = r.status == IoStatus::WantRead;
            return FlushResult::Pending;
        } else {
            return FlushResult::Failed;
        }
    }
    write_wants_read_ = false;
    // Give back the memory of a large response; keep small buffers for the next one.
    if (out_.capacity() > kReadChunk) std::string().swap(out_);
    out_.clear();
    out_offset_ = 0;
    return FlushResult::Done;
}

std::uint32_t Connection::wanted_events() const {
    std::uint32_t out = has_output() ? std::uint32_t{EPOLLOUT} : 0u;
    std::uint32_t events = 0;
    switch (state) {
        case ConnState::Reading:
            events = EPOLLIN | out;
            break;
        // Input waits in the kernel until we answer.
        case ConnState::Processing:
            events = out;
            break;
        case ConnState::Writing:
            events = out;
            break;
        case ConnState::Streaming:
        case ConnState::Lingering:
            events = EPOLLIN | EPOLLRDHUP | out;
            break;
    }
    if (read_wants_write_ && (events & EPOLLIN)) events |= EPOLLOUT;
    if (write_wants_read_ && has_output()) events |= EPOLLIN;
    return events;
}

}  // namespace drover::http
