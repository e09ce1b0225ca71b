// SIGHUP against the real droverd: the certificate files given with --tls-cert/--tls-key are
// replaced, and after the signal new TLS connections see the new certificate while a keep-alive
// connection and an event stream opened before it keep working on the old one.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "droverd_process.hpp"
#include "server/security/self_signed.hpp"
#include "tests/server/tls_test_support.hpp"

using namespace drover::testing;
using drover::http::test::get_request;
using drover::http::test::TlsRawClient;
using drover::http::test::wait_until;
using nlohmann::json;
namespace security = drover::security;

namespace {

class TempDir {
  public:
    TempDir() {
        char tmpl[] = "/tmp/droverd-reload-XXXXXX";
        REQUIRE(mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string path;
};

// A self-signed pair in `dir`, and its fingerprint.
std::string make_pair(const std::string& dir, const std::string& name, security::TlsFiles& files) {
    files = security::self_signed_files(dir);
    REQUIRE(security::ensure_self_signed(files, {name, {"localhost"}, {"127.0.0.1"}}).has_value());
    auto loaded = security::load_server_tls(files.cert_file, files.key_file);
    REQUIRE(loaded.has_value());
    return loaded->fingerprint;
}

// Replaced the way certificate tools do: written beside, then renamed over the served files.
void install_pair(const security::TlsFiles& from, const security::TlsFiles& to) {
    const auto overwrite = std::filesystem::copy_options::overwrite_existing;
    std::filesystem::copy_file(from.cert_file, to.cert_file + ".new", overwrite);
    std::filesystem::copy_file(from.key_file, to.key_file + ".new", overwrite);
    std::filesystem::rename(to.key_file + ".new", to.key_file);
    std::filesystem::rename(to.cert_file + ".new", to.cert_file);
}

std::string new_connection_fingerprint(const DroverdProcess& d) {
    TlsRawClient c(static_cast<std::uint16_t>(d.port()));
    return c.handshake() ? c.peer_fingerprint() : "";
}

}  // namespace

TEST_CASE("SIGHUP reloads the certificate for new connections, open ones keep working",
          "[integration][tls][reload]") {
    TempDir first_dir, second_dir, served_dir;
    security::TlsFiles first, second;
    const std::string first_fp = make_pair(first_dir.path, "first", first);
    const std::string second_fp = make_pair(second_dir.path, "second", second);
    security::TlsFiles served{served_dir.path + "/server.crt", served_dir.path + "/server.key"};
    install_pair(first, served);
    DroverdProcess d({"--tls-cert", served.cert_file, "--tls-key", served.key_file}, Scheme::Https);
    const std::string auth = "Authorization: Bearer " + d.admin_token() + "\r\n";
    const auto port = static_cast<std::uint16_t>(d.port());

    TlsRawClient kept(port), stream(port);
    REQUIRE(kept.handshake());
    REQUIRE(kept.send_all(get_request("/api/v3/info", auth)));
    auto answer = kept.read_response();
    REQUIRE(answer);
    REQUIRE(answer->status == 200);
    REQUIRE(stream.handshake());
    REQUIRE(stream.send_all(get_request("/api/v3/events?filter=profiles.*.*", auth)));
    REQUIRE(stream.read_until(": heartbeat\n\n"));  // subscribed
    CHECK(kept.peer_fingerprint() == first_fp);

    install_pair(second, served);
    d.send_signal(SIGHUP);
    CHECK(wait_until([&] { return new_connection_fingerprint(d) == second_fp; }));

    // The keep-alive connection: still the first certificate, still answering.
    REQUIRE(kept.send_all(get_request("/api/v3/info", auth)));
    auto again = kept.read_response();
    REQUIRE(again);
    CHECK(again->status == 200);
    CHECK(kept.peer_fingerprint() == first_fp);
    // The event stream: still delivering.
    auto c = d.client();
    REQUIRE(post(*c, "/api/v3/profiles", {{"Name", "after-reload"}}).status == 201);
    CHECK(stream.read_until("after-reload"));
}

namespace {

bool logged(const DroverdProcess& d, const std::string& probe) {
    for (const auto& line : d.log_lines())
        if (line.find("msg=request") != std::string::npos &&
            line.find("query=\"probe=" + probe + "\"") != std::string::npos)
            return true;
    return false;
}

// Sends GET /api/v3/info?probe=<probe> and reports whether its request line reached the log
// within a short while (lines are written as the request ends, next to the answer).
bool request_is_logged(const DroverdProcess& d, httplib::Client& c, const std::string& probe) {
    REQUIRE(c.Get("/api/v3/info?probe=" + probe));
    for (int i = 0; i < 20; ++i) {
        if (logged(d, probe)) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
}

void write_level(const std::string& file, const std::string& level) {
    std::ofstream(file) << "log-level = \"" << level << "\"\n";
}

}  // namespace

TEST_CASE("SIGHUP re-reads log-level from the config file", "[integration][reload][logs]") {
    TempDir dir;
    std::string conf = dir.path + "/droverd.conf";
    write_level(conf, "info");
    DroverdProcess d({"--config", conf});
    auto c = d.client();
    CHECK(request_is_logged(d, *c, "before"));

    write_level(conf, "warn");
    d.send_signal(SIGHUP);
    int probe = 0;
    // The signal is handled on droverd's own thread: wait (bounded) until requests go unlogged.
    while (probe < 100 && request_is_logged(d, *c, "warn-" + std::to_string(probe)))
        ++probe;
    REQUIRE(probe < 100);
    for (int i = 0; i < 3; ++i)
        CHECK_FALSE(request_is_logged(d, *c, "quiet-" + std::to_string(i)));

    write_level(conf, "info");
    d.send_signal(SIGHUP);
    bool back = false;
    for (int i = 0; i < 100 && !back; ++i)
        back = request_is_logged(d, *c, "info-" + std::to_string(i));
    CHECK(back);
}
