// The Transport seam that TLS will use, run under the real loop: a fake transport that keeps
// input inside itself (as OpenSSL keeps decrypted records), hands it out a few bytes at a time,
// sometimes needs the socket writable before it can read, and writes in short pieces.
#include <algorithm>
#include <cstring>

#include "server/http/event_loop.hpp"
#include "server/http/listener.hpp"
#include "tests/server/http_test_support.hpp"

using namespace drover::http;
using namespace drover::http::test;

namespace {

class BufferingTransport final : public Transport {
  public:
    explicit BufferingTransport(UniqueFd socket) : inner_(make_tcp_transport(std::move(socket))) {}
    int fd() const override { return inner_->fd(); }

    IoResult read(char* buffer, std::size_t size) override {
        if (++reads_ % 3 == 0) return {IoStatus::WantWrite, 0};  // "renegotiating"
        if (held_.empty()) {
            char chunk[65536];
            IoResult r = inner_->read(chunk, sizeof chunk);
            if (r.status != IoStatus::Ok) return r;
            held_.append(chunk, r.bytes);
        }
        std::size_t n = std::min({size, held_.size(), std::size_t{5}});
        std::memcpy(buffer, held_.data(), n);
        held_.erase(0, n);
        return {IoStatus::Ok, n};
    }
    IoResult write(const char* data, std::size_t size) override {
        if (++writes_ % 2 == 0) return {IoStatus::WantWrite, 0};  // forces the EPOLLOUT path
        return inner_->write(data, std::min(size, std::size_t{7}));
    }
    bool has_buffered_input() const override { return !held_.empty(); }
    void shutdown_write() override { inner_->shutdown_write(); }

  private:
    std::unique_ptr<Transport> inner_;
    std::string held_;
    unsigned reads_ = 0;
    unsigned writes_ = 0;
};

// An EventLoop on 127.0.0.1:0 whose connections use BufferingTransport.
class LoopHarness {
  public:
    explicit LoopHarness(Handler handler) {
        shared_.handler = std::move(handler);
        shared_.make_transport = [](UniqueFd s) {
            return std::make_unique<BufferingTransport>(std::move(s));
        };
        std::string error;
        UniqueFd listener = open_listener("127.0.0.1", 0, 128, error);
        REQUIRE(listener.valid());
        port_ = bound_port(listener.get());
        thread_ = std::thread(
            [this, l = std::move(listener)]() mutable { EventLoop(shared_, std::move(l)).run(); });
    }
    ~LoopHarness() {
        shared_.stopping = true;
        shared_.mailbox->wake();
        thread_.join();
    }
    std::uint16_t port() const { return port_; }

  private:
    LoopShared shared_;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

}  // namespace

TEST_CASE("input held inside the transport is read without a new epoll event",
          "[http][transport]") {
    LoopHarness loop([](const Request& req, Response& res) { res.body = req.path + req.body; });
    RawClient c(loop.port());
    std::string all;  // arrives in one socket read, so requests 2..10 live only in the transport
    for (int i = 0; i < 10; ++i)
        all += "POST /r" + std::to_string(i) + " HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody";
    REQUIRE(c.send_all(all));
    for (int i = 0; i < 10; ++i) {
        auto r = c.read_response();
        REQUIRE(r);
        CHECK(r->body == "/r" + std::to_string(i) + "body");
    }
}

TEST_CASE("a stream flows through a transport that writes in short pieces", "[http][transport]") {
    std::mutex mutex;
    std::shared_ptr<Stream> stream;
    std::atomic<int> closed{0};
    LoopHarness loop([&](const Request&, Response& res) {
        res.on_stream = [&](std::shared_ptr<Stream> s) {
            std::lock_guard lock(mutex);
            stream = std::move(s);
        };
        res.on_stream_closed = [&] { ++closed; };
    });
    RawClient c(loop.port());
    REQUIRE(c.send_all(get_request("/events")));
    REQUIRE(c.read_until("\r\n\r\n"));
    REQUIRE(wait_until([&] {
        std::lock_guard lock(mutex);
        return stream != nullptr;
    }));
    std::string expected;
    for (int i = 0; i < 100; ++i) {
        std::string frame = "data: " + std::to_string(i) + "\n\n";
        expected += frame;
        CHECK(stream->write(frame));
    }
    stream->finish();
    std::string got;
    while (c.fill()) {
    }
    CHECK(c.buffer() == expected);
    CHECK(wait_until([&] { return closed == 1; }));
}
