#include "agent/client/event_stream.hpp"

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "agent/client/sigpipe_guard.hpp"
#include "agent/client/tls_verify.hpp"

namespace drover::client {

struct EventStream::Impl {
    ClientOptions options;
    std::string path;
    mutable std::mutex mutex;
    std::condition_variable changed;
    std::uint64_t seen = 0;  // events, plus one per reconnect (anything may have changed)
    std::string last_id;
    std::string pending;  // bytes of an incomplete SSE frame
    bool connected = false;
    httplib::Client* active = nullptr;  // the request in flight, for stop() to interrupt
    std::atomic<bool> stopping{false};
    std::thread reader;

    void bump() {
        {
            std::lock_guard lock(mutex);
            ++seen;
        }
        changed.notify_all();
    }

    // Consumes complete frames from `pending`; each frame with data is one event.
    void parse_frames() {
        for (;;) {
            auto end = pending.find("\n\n");
            if (end == std::string::npos) return;
            std::string frame = pending.substr(0, end);
            pending.erase(0, end + 2);
            bool has_data = false;
            std::size_t pos = 0;
            while (pos <= frame.size()) {
                auto nl = frame.find('\n', pos);
                std::string line = frame.substr(pos, nl == std::string::npos ? nl : nl - pos);
                if (line.rfind("id: ", 0) == 0) {
                    std::lock_guard lock(mutex);
                    last_id = line.substr(4);
                }
                if (line.rfind("data:", 0) == 0) has_data = true;
                if (nl == std::string::npos) break;
                pos = nl + 1;
            }
            if (has_data) bump();
        }
    }

    void read_once() {
        SigpipeGuard no_sigpipe;  // TLS writes, including the close_notify when `c` goes
        std::unique_ptr<TlsVerifier> verifier;  // outlives `c`, whose SSL_CTX points at it
        httplib::Client c(options.endpoint);
        c.set_tcp_nodelay(true);
        c.set_connection_timeout(options.timeout);
        c.set_read_timeout(std::chrono::seconds(60));  // heartbeats arrive every 10 s by default
        // Unusable TLS settings or a refused certificate: the ApiClient with the same options
        // reports why; this stream just keeps retrying at the usual pace.
        auto tls = TlsVerifier::attach(options, c);
        if (!tls) return;
        verifier = std::move(tls.value());
        if (!options.token.empty())
            c.set_bearer_token_auth(options.token.c_str());
        else if (!options.user.empty())
            c.set_basic_auth(options.user.c_str(), options.password.c_str());
        httplib::Headers headers{{"Accept", "text/event-stream"}};
        {
            std::lock_guard lock(mutex);
            if (stopping) return;
            if (!last_id.empty()) headers.emplace("Last-Event-ID", last_id);
            active = &c;
        }
        pending.clear();
        auto res = c.Get(
            path.c_str(), headers,
            [&](const httplib::Response& r) {
                if (r.status != 200) return false;
                {
                    std::lock_guard lock(mutex);
                    connected = true;
                }
                bump();  // (re)connected: whatever happened while away is a reason to look
                return true;
            },
            [&](const char* data, size_t len) {
                pending.append(data, len);
                parse_frames();
                return !stopping.load();
            });
        {
            std::lock_guard lock(mutex);
            active = nullptr;
            connected = false;
            // A 410 means the resume point is gone: start fresh (the agent re-reads anyway).
            if (res && res->status == 410) last_id.clear();
        }
    }

    void run() {
        std::size_t attempt = 0;
        while (!stopping) {
            read_once();
            if (stopping) break;
            auto& delays = options.retry_delays;
            auto delay = attempt < delays.size()
                             ? delays[attempt]
                             : options.retry_every.value_or(std::chrono::milliseconds(10000));
            ++attempt;
            std::unique_lock lock(mutex);
            changed.wait_for(lock, delay, [&] { return stopping.load(); });
            if (connected) attempt = 0;
        }
    }
};

EventStream::EventStream(ClientOptions options, std::vector<std::string> filters)
    : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    impl_->path = "/api/v3/events";
    char sep = '?';
    for (const auto& f : filters) {
        impl_->path += sep + std::string("filter=") + url_escape(f);
        sep = '&';
    }
    impl_->reader = std::thread([impl = impl_.get()] { impl->run(); });
}

EventStream::~EventStream() {
    stop();
}

void EventStream::stop() {
    if (!impl_ || impl_->stopping.exchange(true)) return;
    {
        std::lock_guard lock(impl_->mutex);
        SigpipeGuard no_sigpipe;                   // stop() may send a TLS close_notify
        if (impl_->active) impl_->active->stop();  // unblocks the read in flight
    }
    impl_->changed.notify_all();
    if (impl_->reader.joinable()) impl_->reader.join();
}

std::uint64_t EventStream::seen() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->seen;
}

bool EventStream::connected() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->connected;
}

bool EventStream::wait_beyond(std::uint64_t since, std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->mutex);
    return impl_->changed.wait_for(lock, timeout, [&] {
        return impl_->seen > since || impl_->stopping.load();
    }) && !impl_->stopping.load();
}

}  // namespace drover::client
