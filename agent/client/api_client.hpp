// The drover client's door to droverd (spec 6.1): one endpoint, credentials, and the retry policy
// of spec 5.5 (transport errors are retried with backoff 1,1,2,3,5,8 s, then every 10 s for the
// agent; an HTTP status is an answer and is returned at once). Keeps httplib out of its users.
#pragma once
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/api/expected.hpp"
#include "common/api/server_clock.hpp"

namespace drover::client {

struct Request;

struct ClientOptions {
    std::string endpoint = "https://127.0.0.1:8092";  // scheme://host:port, no path
    std::string token;                                // Bearer
    std::string user, password;                       // Basic, when there is no token
    // https endpoints (tls_verify.hpp): trust only this CA file, checking the chain and the
    // endpoint's host; and/or pin the SHA-256 of the server certificate (hex, colons optional,
    // any case). Neither: the certificate is accepted unverified, with a warning on stderr.
    std::string ca_cert;
    std::string server_fingerprint;
    // Sleeps between transport retries; after the list, `retry_every` forever when set.
    std::vector<std::chrono::milliseconds> retry_delays{
        std::chrono::seconds(1), std::chrono::seconds(1), std::chrono::seconds(2),
        std::chrono::seconds(3), std::chrono::seconds(5), std::chrono::seconds(8)};
    std::optional<std::chrono::milliseconds> retry_every;  // the agent sets 10 s
    std::chrono::seconds timeout{30};                      // per attempt (read and write)
    std::function<void(const std::string&)> log;           // one line per retry, when set
    std::function<bool()> cancelled;                       // stop retrying when true
    // Sees every attempt of send()/call(): the request, the status (0: no answer) and the time
    // it took. The fleet simulator's latency figures; unset everywhere else.
    std::function<void(const Request&, int status, std::chrono::nanoseconds took)> observe;
};

// A lower-case header map: HTTP header names compare case-insensitively.
using HeaderMap = std::map<std::string, std::string>;

struct Response {
    int status = 0;
    std::string body;
    HeaderMap headers;  // lower-case names
    std::string header(const std::string& lower_name) const;
};

// A request that got no HTTP answer after every retry (connection refused, reset, timeout), or at
// once when the TLS settings are unusable or the server's certificate was refused.
struct TransportError {
    std::string message;
};

// A failed API call: an HTTP error answer (status >= 400, with DRP's error body when it sent
// one), or a transport failure (status 0).
struct ApiError {
    int status = 0;
    std::string message;  // one line: the server's Messages joined, or the transport error
    std::string body;
};

// Gets each body chunk of a 2xx answer as it arrives; false ends the stream.
using ChunkHandler = std::function<bool(std::string_view chunk)>;

struct Request {
    std::string method = "GET";
    std::string path;  // with query
    std::string body;
    std::string content_type = "application/json";
    HeaderMap headers;
};

class ApiClient {
  public:
    explicit ApiClient(ClientOptions options);
    ~ApiClient();
    ApiClient(ApiClient&&) noexcept;
    ApiClient& operator=(ApiClient&&) noexcept;

    const ClientOptions& options() const { return options_; }

    // One request with the retry policy; any HTTP answer (2xx or not) is a value.
    api::Expected<Response, TransportError> send(const Request& request);
    // JSON in, JSON out: 2xx -> the body parsed (null when empty), otherwise an ApiError.
    api::Expected<nlohmann::json, ApiError> call(const std::string& method, const std::string& path,
                                                 const nlohmann::json* body = nullptr,
                                                 const HeaderMap& headers = {});
    // A long-lived answer (event stream, log follow): a 2xx body goes to `on_data` as it
    // arrives (the Response's body stays empty); an error answer's body is collected. Retried
    // like send() until the server answers; once it has, any end (the server's, on_data's,
    // a dropped connection, interrupt()) returns the Response.
    api::Expected<Response, TransportError> stream(const Request& request,
                                                   const ChunkHandler& on_data);
    // Uses `token` for the requests from now on (a renewed token); not while a request is in
    // flight on another thread.
    void set_token(const std::string& token);
    // Thread-safe: ends the request in flight and refuses later ones (a stream's watchdog).
    void interrupt();
    bool interrupted() const;
    // The SHA-256 fingerprint ("AB:CD:...") of the certificate the server showed on this
    // client's last TLS handshake, verified or not; "" for http:// or before any request.
    std::string seen_server_fingerprint() const;
    // The server's clock as its answers' Date headers tell it: what the server's times (a
    // token's expiry) are compared with, never this host's own clock.
    const api::ServerClock& server_clock() const;

  private:
    struct Impl;
    ClientOptions options_;
    std::unique_ptr<Impl> impl_;
};

// The one-line message of an error answer: DRP's `Messages` joined with "; ", else the body.
std::string error_message(int status, const std::string& body);

// Percent-encodes one path segment or query value (keeps unreserved characters).
std::string url_escape(const std::string& s);

}  // namespace drover::client
