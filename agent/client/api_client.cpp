#include "agent/client/api_client.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "agent/client/sigpipe_guard.hpp"
#include "agent/client/tls_verify.hpp"
#include "common/api/http_date.hpp"

namespace drover::client {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

bool sleep_unless_cancelled(const ClientOptions& o, const std::atomic<bool>& interrupted,
                            std::chrono::milliseconds d) {
    auto stop = [&] { return interrupted || (o.cancelled && o.cancelled()); };
    auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end) {
        if (stop()) return false;
        std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
            std::chrono::milliseconds(100), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                end - std::chrono::steady_clock::now())));
    }
    return !stop();
}

// After attempt `attempt` failed with `why`: sleeps and returns nullopt when the policy says to
// try again, else the error to give up with.
std::optional<TransportError> back_off(const ClientOptions& o, const std::atomic<bool>& interrupted,
                                       const Request& request, std::size_t attempt,
                                       const std::string& why) {
    if (interrupted) return TransportError{"interrupted: " + why};
    std::optional<std::chrono::milliseconds> delay;
    if (attempt < o.retry_delays.size())
        delay = o.retry_delays[attempt];
    else
        delay = o.retry_every;
    if (!delay) return TransportError{"cannot reach " + o.endpoint + ": " + why};
    if (o.log)
        o.log(request.method + " " + request.path + ": " + why + "; retrying in " +
              std::to_string(delay->count()) + " ms");
    if (!sleep_unless_cancelled(o, interrupted, *delay))
        return TransportError{"cancelled while retrying: " + why};
    return std::nullopt;
}

httplib::Request to_httplib(const Request& request) {
    httplib::Request req;
    req.method = request.method;
    req.path = request.path;
    req.body = request.body;
    for (const auto& [k, v] : request.headers)
        req.headers.emplace(k, v);
    if (!req.has_header("Accept")) req.headers.emplace("Accept", "application/json");
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
        request.method == "PATCH")
        req.headers.emplace("Content-Type", request.content_type);
    return req;
}

void copy_head(const httplib::Response& from, Response& to) {
    to.status = from.status;
    for (const auto& [k, v] : from.headers)
        to.headers[lower(k)] = v;
}

// Every answer, an error's too, tells the server's time; one without a readable Date does not.
void observe_date(api::ServerClock& clock, const Response& answer) {
    if (auto server = api::parse_http_date(answer.header("date")))
        clock.observe(*server, std::chrono::steady_clock::now());
}

}  // namespace

struct ApiClient::Impl {
    std::unique_ptr<TlsVerifier> tls;  // declared first: it outlives the client's connections
    std::unique_ptr<httplib::Client> http;
    std::atomic<bool> interrupted{false};
    std::string setup_error;  // unusable TLS settings: every send() fails with it
    api::ServerClock server_clock;
};

std::string Response::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
}

ApiClient::ApiClient(ClientOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
    impl_->http = std::make_unique<httplib::Client>(options_.endpoint);
    auto& c = *impl_->http;
    c.set_keep_alive(true);
    c.set_tcp_nodelay(true);  // httplib sends head and body apart: Nagle would add 40 ms
    c.set_connection_timeout(options_.timeout);
    c.set_read_timeout(options_.timeout);
    c.set_write_timeout(options_.timeout);
    if (auto tls = TlsVerifier::attach(options_, c))
        impl_->tls = std::move(tls.value());
    else
        impl_->setup_error = tls.error();
    if (!options_.token.empty())
        c.set_bearer_token_auth(options_.token.c_str());
    else if (!options_.user.empty())
        c.set_basic_auth(options_.user.c_str(), options_.password.c_str());
}

ApiClient::~ApiClient() {
    SigpipeGuard no_sigpipe;  // closing a TLS connection sends close_notify
    impl_.reset();
}
ApiClient::ApiClient(ApiClient&&) noexcept = default;
ApiClient& ApiClient::operator=(ApiClient&& other) noexcept {
    SigpipeGuard no_sigpipe;  // the connection replaced here may be a TLS one
    options_ = std::move(other.options_);
    impl_ = std::move(other.impl_);
    return *this;
}

api::Expected<Response, TransportError> ApiClient::send(const Request& request) {
    httplib::Request req = to_httplib(request);
    if (!impl_->setup_error.empty()) return api::unexpected(TransportError{impl_->setup_error});
    for (std::size_t attempt = 0;; ++attempt) {
        auto began = std::chrono::steady_clock::now();
        auto result = [&] {
            SigpipeGuard no_sigpipe;  // a TLS write to a closed connection
            return impl_->http->send(req);
        }();
        if (options_.observe)
            options_.observe(request, result ? result->status : 0,
                             std::chrono::steady_clock::now() - began);
        if (impl_->tls)
            if (std::string refused = impl_->tls->take_failure(); !refused.empty())
                return api::unexpected(TransportError{options_.endpoint + ": " + refused});
        if (result) {
            Response out;
            copy_head(*result, out);
            observe_date(impl_->server_clock, out);
            out.body = std::move(result->body);
            return out;
        }
        auto failed = back_off(options_, impl_->interrupted, request, attempt,
                               httplib::to_string(result.error()));
        if (failed) return api::unexpected(std::move(*failed));
    }
}

api::Expected<Response, TransportError> ApiClient::stream(const Request& request,
                                                          const ChunkHandler& on_data) {
    httplib::Request req = to_httplib(request);
    if (!impl_->setup_error.empty()) return api::unexpected(TransportError{impl_->setup_error});
    for (std::size_t attempt = 0;; ++attempt) {
        Response out;
        bool answered = false;
        req.response_handler = [&](const httplib::Response& head) {
            answered = true;
            copy_head(head, out);
            observe_date(impl_->server_clock, out);
            return true;
        };
        req.content_receiver = [&](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
            if (out.status >= 400) {
                out.body.append(data, n);
                return true;
            }
            return on_data(std::string_view(data, n));
        };
        if (impl_->interrupted) return api::unexpected(TransportError{"interrupted"});
        auto result = [&] {
            SigpipeGuard no_sigpipe;  // a TLS write to a closed connection
            return impl_->http->send(req);
        }();
        if (impl_->tls)
            if (std::string refused = impl_->tls->take_failure(); !refused.empty())
                return api::unexpected(TransportError{options_.endpoint + ": " + refused});
        if (answered) return out;
        auto failed = back_off(options_, impl_->interrupted, request, attempt,
                               httplib::to_string(result.error()));
        if (failed) return api::unexpected(std::move(*failed));
    }
}

void ApiClient::set_token(const std::string& token) {
    options_.token = token;
    impl_->http->set_bearer_token_auth(token.c_str());
}

void ApiClient::interrupt() {
    impl_->interrupted = true;
    SigpipeGuard no_sigpipe;  // stopping may send a TLS close_notify
    impl_->http->stop();
}

bool ApiClient::interrupted() const {
    return impl_->interrupted;
}

std::string ApiClient::seen_server_fingerprint() const {
    return impl_->tls ? impl_->tls->seen_fingerprint() : "";
}

const api::ServerClock& ApiClient::server_clock() const {
    return impl_->server_clock;
}

api::Expected<nlohmann::json, ApiError> ApiClient::call(const std::string& method,
                                                        const std::string& path,
                                                        const nlohmann::json* body,
                                                        const HeaderMap& headers) {
    Request req{method, path, body ? body->dump() : "", "application/json", headers};
    auto sent = send(req);
    if (!sent) return api::unexpected(ApiError{0, sent.error().message, ""});
    const Response& r = sent.value();
    if (r.status >= 400)
        return api::unexpected(ApiError{r.status, error_message(r.status, r.body), r.body});
    if (r.body.empty()) return nlohmann::json();
    auto parsed = nlohmann::json::parse(r.body, nullptr, false);
    if (parsed.is_discarded())
        return api::unexpected(
            ApiError{r.status, "the server sent a body that is not JSON", r.body});
    return parsed;
}

std::string error_message(int status, const std::string& body) {
    auto doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_object() && doc.contains("Messages") && doc["Messages"].is_array()) {
        std::string out;
        for (const auto& m : doc["Messages"])
            if (m.is_string()) out += (out.empty() ? "" : "; ") + m.get<std::string>();
        if (!out.empty()) return out;
    }
    return "HTTP " + std::to_string(status) + (body.empty() ? "" : ": " + body.substr(0, 200));
}

std::string url_escape(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace drover::client
