// The epoll HTTP server over TLS (server/http/tls_transport with server/security's context):
// handshakes and requests through cpp-httplib's SSLClient and a raw OpenSSL client, large bodies
// that make OpenSSL wait for the socket, many concurrent TLS clients, event streams, plain HTTP
// on the TLS port, and the handshake's timeout.
#include <httplib.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/server/tls_test_support.hpp"

using namespace drover::http;
using namespace drover::http::test;
using namespace std::chrono_literals;

namespace {

void echo(const Request& req, Response& res) {
    res.headers.emplace("Content-Type", "text/plain");
    res.body = req.method + " " + req.path + " " + req.body;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("cpp-httplib's SSLClient verifies the certificate and keeps the connection",
          "[http][tls][httplib]") {
    TestServer s(tls_options(), echo);
    httplib::SSLClient c("127.0.0.1", s.port());
    c.set_ca_cert_path(test_certificate().files.cert_file);
    c.enable_server_certificate_verification(true);  // chain and the 127.0.0.1 subjectAltName
    c.set_read_timeout(20, 0);
    c.set_keep_alive(true);
    for (int i = 0; i < 20; ++i) {
        auto r = c.Get(("/hello/" + std::to_string(i)).c_str());
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK(r->body == "GET /hello/" + std::to_string(i) + " ");
    }
    // Several TLS records each way; the answer is larger than the socket buffers.
    std::string big(6u << 20, 'b');
    auto r = c.Post("/big", big, "application/octet-stream");
    REQUIRE(r);
    CHECK(r->body.size() == big.size() + 10);
    CHECK(s.server().stats().connections_open == 1);
    CHECK(s.server().stats().requests_total == 21);
}

TEST_CASE("TLS 1.3 is negotiated, clients offering only TLS 1.1 or older are refused",
          "[http][tls]") {
    TestServer s(tls_options(), echo);
    TlsRawClient modern(s.port());
    REQUIRE(modern.handshake());
    CHECK(modern.protocol() == "TLSv1.3");
    TlsRawClient tls12(s.port(), 20, TLS1_2_VERSION);
    REQUIRE(tls12.handshake());
    CHECK(tls12.protocol() == "TLSv1.2");
    TlsRawClient old(s.port(), 20, TLS1_1_VERSION);
    CHECK_FALSE(old.handshake());
    ERR_clear_error();
    for (auto* c : {&modern, &tls12}) {
        REQUIRE(c->send_all(get_request("/v")));
        auto r = c->read_response();
        REQUIRE(r);
        CHECK(r->status == 200);
    }
}

TEST_CASE("a large response to a client that reads late arrives whole", "[http][tls]") {
    TestServer s(tls_options(), echo);
    TlsRawClient c(s.port());
    REQUIRE(c.handshake());
    std::string body(6u << 20, 'x');
    body[12345] = 'y';
    REQUIRE(c.send_all("POST /late HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) +
                       "\r\n\r\n" + body));
    std::this_thread::sleep_for(300ms);  // the server meanwhile waits for the socket (WantWrite)
    auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->body == "POST /late " + body);
}

TEST_CASE("many concurrent TLS clients are all served", "[http][tls]") {
    TestServer s(tls_options(), echo);
    constexpr int kClients = 48;
    constexpr int kRequests = 20;
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kClients; ++t)
        threads.emplace_back([&, t] {
            TlsRawClient c(s.port());
            if (!c.handshake()) return;
            // Half of them pipeline all their requests in one write.
            std::string all;
            for (int i = 0; i < kRequests; ++i)
                all += get_request("/c" + std::to_string(t) + "/" + std::to_string(i));
            if (t % 2 == 0 && !c.send_all(all)) return;
            for (int i = 0; i < kRequests; ++i) {
                std::string path = "/c" + std::to_string(t) + "/" + std::to_string(i);
                if (t % 2 == 1 && !c.send_all(get_request(path))) return;
                auto r = c.read_response();
                if (r && r->body == "GET " + path + " ") ++ok;
            }
        });
    for (auto& t : threads)
        t.join();
    CHECK(ok == kClients * kRequests);
    CHECK(wait_until([&] { return s.server().stats().connections_open == 0; }));
}

TEST_CASE("plain HTTP on the TLS port gets a 400 or a close, TLS clients carry on", "[http][tls]") {
    TestServer s(tls_options(), echo);
    TlsRawClient before(s.port());
    REQUIRE(before.handshake());
    {
        RawClient plain(s.port());
        REQUIRE(plain.send_all(get_request("/plain")));
        auto r = plain.read_response();
        REQUIRE(r);
        CHECK(r->status == 400);
        CHECK(r->body.find("https://") != std::string::npos);
        CHECK(plain.wait_closed());
    }
    for (std::string junk : {std::string("PATCH /x HTTP/1.1\r\n\r\n"), std::string(300, '\0'),
                             std::string("\x16\x03\x01\x00\x05hello", 10)}) {
        RawClient c(s.port());
        REQUIRE(c.send_all(junk));
        CHECK(c.wait_closed());
    }
    REQUIRE(before.send_all(get_request("/still")));
    auto r = before.read_response();
    REQUIRE(r);
    CHECK(r->body == "GET /still ");
    CHECK(wait_until([&] { return s.server().stats().connections_open == 1; }));
}

TEST_CASE(
    "a client that connects and never finishes the handshake is closed by the request "
    "timeout",
    "[http][tls]") {
    ServerOptions o;
    o.request_timeout_seconds = 1;
    o.idle_timeout_seconds = 60;
    TestServer s(tls_options(o), echo);
    SECTION("silent") {
        RawClient c(s.port());
        auto start = std::chrono::steady_clock::now();
        CHECK(c.wait_closed());
        CHECK(seconds_since(start) > 0.7);
        CHECK(seconds_since(start) < 10);
    }
    SECTION("half a ClientHello") {
        RawClient c(s.port());
        REQUIRE(c.send_all(std::string("\x16\x03\x01\x02\x00\x01", 6)));
        auto start = std::chrono::steady_clock::now();
        CHECK(c.wait_closed());
        CHECK(seconds_since(start) < 10);
    }
    CHECK(wait_until([&] { return s.server().stats().connections_open == 0; }));
}

TEST_CASE("after the handshake a TLS connection gets the idle timeout", "[http][tls]") {
    ServerOptions o;
    o.request_timeout_seconds = 1;
    o.idle_timeout_seconds = 4;
    TestServer s(tls_options(o), echo);
    TlsRawClient c(s.port());
    REQUIRE(c.handshake());
    std::this_thread::sleep_for(2s);  // past the request timeout, within the idle one
    REQUIRE(c.send_all(get_request("/later")));
    auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->status == 200);
    auto start = std::chrono::steady_clock::now();
    CHECK(c.wait_closed());  // then the idle timeout ends it
    CHECK(seconds_since(start) > 2.5);
}

TEST_CASE("an event stream over TLS gets every frame in order, also while writes wait",
          "[http][tls]") {
    std::atomic<bool> closed{false};
    std::shared_ptr<Stream> stream;
    std::mutex mutex;
    TestServer s(tls_options(), [&](const Request&, Response& res) {
        res.headers.emplace("Content-Type", "text/event-stream");
        res.on_stream = [&](std::shared_ptr<Stream> st) {
            std::lock_guard lock(mutex);
            stream = std::move(st);
        };
        res.on_stream_closed = [&] { closed = true; };
    });
    TlsRawClient c(s.port());
    REQUIRE(c.handshake());
    REQUIRE(c.send_all(get_request("/events")));
    REQUIRE(c.read_until("\r\n\r\n"));
    REQUIRE(wait_until([&] {
        std::lock_guard lock(mutex);
        return stream != nullptr;
    }));
    // About 700 KiB while the client is not reading: TLS records stay pending in the loop while
    // the stream keeps appending to the buffer under them.
    const std::string pad(700, 'p');
    constexpr int kFrames = 1000;
    for (int i = 0; i < kFrames; ++i)
        REQUIRE(stream->write("id: " + std::to_string(i) + "\ndata: " + pad + "\n\n"));
    stream->finish();
    std::this_thread::sleep_for(200ms);
    REQUIRE(c.read_until("id: " + std::to_string(kFrames - 1) + "\n"));
    std::size_t at = c.buffer().find("\r\n\r\n") + 4;  // after the response head
    for (int i = 0; i < kFrames; ++i) {
        std::string frame = "id: " + std::to_string(i) + "\ndata: " + pad + "\n\n";
        REQUIRE(c.buffer().compare(at, frame.size(), frame) == 0);
        at += frame.size();
    }
    CHECK(c.wait_closed());
    CHECK(wait_until([&] { return closed.load(); }));
}
