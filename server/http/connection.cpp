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
    return r.status;
}

IoStatus Connection::discard_input() {
    char scratch[16 * 1024];
    for (;;) {
        IoResult r = transport_->read(scratch, sizeof scratch);
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
            return FlushResult::Pending;
        } else {
            return FlushResult::Failed;
        }
    }
    // Give back the memory of a large response; keep small buffers for the next one.
    if (out_.capacity() > kReadChunk) std::string().swap(out_);
    out_.clear();
    out_offset_ = 0;
    return FlushResult::Done;
}

std::uint32_t Connection::wanted_events() const {
    std::uint32_t out = has_output() ? std::uint32_t{EPOLLOUT} : 0u;
    switch (state) {
        case ConnState::Reading:
            return EPOLLIN | out;
        case ConnState::Processing:
            return out;  // input waits in the kernel until we answer
        case ConnState::Writing:
            return out;
        case ConnState::Streaming:
        case ConnState::Lingering:
            return EPOLLIN | EPOLLRDHUP | out;
    }
    return 0;
}

}  // namespace drover::http
