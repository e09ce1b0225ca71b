// The client's TLS settings: fingerprint syntax, RS_CA_CERT / RS_SERVER_FINGERPRINT (flags win),
// settings that cannot work, and the SIGPIPE guard around TLS writes.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "agent/client/api_client.hpp"
#include "agent/client/sigpipe_guard.hpp"
#include "agent/client/tls_options.hpp"

using namespace drover::client;

namespace {

const std::string kPin =
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:"
    "89";

}  // namespace

TEST_CASE("fingerprints are accepted with or without colons, in any case", "[client][tls]") {
    CHECK(normalize_fingerprint(kPin).value() == kPin);
    CHECK(normalize_fingerprint("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789")
              .value() == kPin);
    CHECK(
        normalize_fingerprint("ab:CD:ef:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789")
            .value() == kPin);
    auto short_one = normalize_fingerprint("AB:CD");
    REQUIRE_FALSE(short_one.has_value());
    CHECK(short_one.error() == "a server fingerprint is 64 hex digits (SHA-256), got 4 in 'AB:CD'");
    auto not_hex = normalize_fingerprint(std::string(63, 'a') + "g");
    REQUIRE_FALSE(not_hex.has_value());
    CHECK_THAT(not_hex.error(),
               Catch::StartsWith("a server fingerprint is the certificate's SHA-256 in hex"));
    CHECK_FALSE(normalize_fingerprint(std::string(66, 'a')).has_value());
}

TEST_CASE("RS_CA_CERT and RS_SERVER_FINGERPRINT fill what flags left empty", "[client][tls]") {
    ::setenv("RS_CA_CERT", "/etc/drover/ca.pem", 1);
    ::setenv("RS_SERVER_FINGERPRINT", kPin.c_str(), 1);
    ClientOptions from_env;
    tls_options_from_env(from_env);
    CHECK(from_env.ca_cert == "/etc/drover/ca.pem");
    CHECK(from_env.server_fingerprint == kPin);
    ClientOptions flags;
    flags.ca_cert = "/flag/ca.pem";
    flags.server_fingerprint = "from-flag";
    tls_options_from_env(flags);
    CHECK(flags.ca_cert == "/flag/ca.pem");
    CHECK(flags.server_fingerprint == "from-flag");
    ::unsetenv("RS_CA_CERT");
    ::unsetenv("RS_SERVER_FINGERPRINT");
    ClientOptions none;
    tls_options_from_env(none);
    CHECK(none.ca_cert.empty());
    CHECK(none.server_fingerprint.empty());
}

TEST_CASE("unusable TLS settings fail every call at once, naming the problem", "[client][tls]") {
    ClientOptions o;
    o.endpoint = "https://127.0.0.1:1";
    o.server_fingerprint = "ABCD";
    auto bad_pin = ApiClient(o).call("GET", "/api/v3/info");
    REQUIRE_FALSE(bad_pin.has_value());
    CHECK(bad_pin.error().status == 0);
    CHECK_THAT(bad_pin.error().message, Catch::Contains("64 hex digits"));
    o.server_fingerprint.clear();
    o.ca_cert = "/nonexistent/ca.pem";
    auto bad_ca = ApiClient(o).call("GET", "/api/v3/info");
    REQUIRE_FALSE(bad_ca.has_value());
    CHECK(bad_ca.error().message ==
          "cannot load CA certificate /nonexistent/ca.pem: No such file or directory");
    o.endpoint = "http://127.0.0.1:1";
    o.ca_cert = "/etc/ssl/certs/ca-certificates.crt";
    auto plain = ApiClient(o).call("GET", "/api/v3/info");
    REQUIRE_FALSE(plain.has_value());
    CHECK(plain.error().message ==
          "a CA certificate or server fingerprint needs an https:// endpoint, not "
          "http://127.0.0.1:1");
}

TEST_CASE("a write to a closed pipe under SigpipeGuard is an error, not a signal",
          "[client][tls]") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    ::close(fds[0]);
    sigset_t before;
    pthread_sigmask(SIG_SETMASK, nullptr, &before);
    {
        SigpipeGuard guard;
        CHECK(::write(fds[1], "x", 1) == -1);  // EPIPE; without the guard the process would die
        CHECK(errno == EPIPE);
    }
    ::close(fds[1]);
    sigset_t after, pending;
    pthread_sigmask(SIG_SETMASK, nullptr, &after);
    CHECK(sigismember(&after, SIGPIPE) == sigismember(&before, SIGPIPE));
    sigpending(&pending);
    CHECK(sigismember(&pending, SIGPIPE) == 0);  // consumed, not left to fire later
}
