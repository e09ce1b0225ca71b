// Replacing the TLS certificate while serving (SIGHUP): http::Server::set_tls gives new
// connections the new context while open ones keep theirs, and Daemon::reload reads the pair
// again from its files, keeps the old one when the new one does not load, and makes a new
// self-signed pair when that one was removed.
#include <filesystem>
#include <fstream>

#include "server/daemon.hpp"
#include "store_test_util.hpp"
#include "tests/server/tls_test_support.hpp"

using namespace drover;
using namespace drover::http;
using namespace drover::http::test;
using drover::store::testing::TempDir;

namespace {

// A second certificate, unlike test_certificate().
security::ServerTls other_certificate(const std::string& dir, security::TlsFiles& files) {
    files = security::self_signed_files(dir);
    security::CertificateSubject subject{"other", {"localhost"}, {"127.0.0.1"}};
    REQUIRE(security::ensure_self_signed(files, subject).has_value());
    auto loaded = security::load_server_tls(files.cert_file, files.key_file);
    REQUIRE(loaded.has_value());
    return loaded.value();
}

// One request and its answer on an established TLS connection.
int status_of_get(TlsRawClient& c, const std::string& path) {
    if (!c.send_all(get_request(path))) return 0;
    auto r = c.read_response();
    return r ? r->status : 0;
}

void ok(const Request&, Response& res) {
    res.body = "ok";
}

std::string fingerprint_of_new_connection(std::uint16_t port) {
    TlsRawClient c(port);
    return c.handshake() ? c.peer_fingerprint() : "";
}

void copy_pair(const security::TlsFiles& from, const security::TlsFiles& to) {
    const auto overwrite = std::filesystem::copy_options::overwrite_existing;
    std::filesystem::copy_file(from.cert_file, to.cert_file, overwrite);
    std::filesystem::copy_file(from.key_file, to.key_file, overwrite);
}

}  // namespace

TEST_CASE("set_tls: new connections get the new certificate, open ones keep working",
          "[http][tls][reload]") {
    TempDir dir;
    security::TlsFiles files;
    security::ServerTls second = other_certificate(dir.path, files);
    const std::string first = test_certificate().tls.fingerprint;
    REQUIRE(first != second.fingerprint);
    TestServer s(tls_options(), ok);
    TlsRawClient before(s.port());
    REQUIRE(before.handshake());
    CHECK(before.peer_fingerprint() == first);
    CHECK(status_of_get(before, "/a") == 200);

    REQUIRE(s.server().set_tls(second.context));
    CHECK(fingerprint_of_new_connection(s.port()) == second.fingerprint);
    CHECK(status_of_get(before, "/b") == 200);  // same connection, same certificate
    CHECK(before.peer_fingerprint() == first);
}

TEST_CASE("set_tls refuses to turn a plain HTTP server into a TLS one", "[http][tls][reload]") {
    TestServer s({}, ok);
    CHECK_FALSE(s.server().set_tls(test_certificate().tls.context));
    RawClient plain(s.port());
    REQUIRE(plain.send_all(get_request("/")));
    auto r = plain.read_response();
    REQUIRE(r);
    CHECK(r->status == 200);
}

TEST_CASE("Daemon::reload re-reads the certificate files and keeps the old pair on errors",
          "[daemon][tls][reload]") {
    TempDir dir, other_dir;
    security::TlsFiles other;
    security::ServerTls second = other_certificate(other_dir.path, other);
    security::TlsFiles served{dir.path + "/served.crt", dir.path + "/served.key"};
    copy_pair(test_certificate().files, served);

    server::DaemonOptions o;
    o.data_dir = dir.path + "/data";
    o.host = "127.0.0.1";
    o.port = 0;
    o.admin_password = "reload-test";
    o.tls_cert_file = served.cert_file;
    o.tls_key_file = served.key_file;
    server::Daemon daemon(o);
    std::string error;
    REQUIRE(daemon.start(error));
    std::thread running([&] { daemon.run(); });
    const std::string first = test_certificate().tls.fingerprint;
    CHECK(fingerprint_of_new_connection(daemon.port()) == first);

    // A certificate file that is not PEM: refused, the old pair stays.
    std::ofstream(served.cert_file) << "not a certificate\n";
    CHECK_FALSE(daemon.reload(server::reload_options(o), error));
    CHECK_THAT(error, Catch::Contains(first) && Catch::Contains(served.cert_file));
    CHECK(daemon.tls().fingerprint == first);
    CHECK(fingerprint_of_new_connection(daemon.port()) == first);

    // The other pair in the same files: served from now on.
    copy_pair(other, served);
    REQUIRE(daemon.reload(server::reload_options(o), error));
    CHECK(daemon.tls().fingerprint == second.fingerprint);
    CHECK(fingerprint_of_new_connection(daemon.port()) == second.fingerprint);

    daemon.stop();
    running.join();
}

TEST_CASE("Daemon::reload makes a new self-signed pair when the old one was removed",
          "[daemon][tls][reload]") {
    TempDir dir;
    server::DaemonOptions o;
    o.data_dir = dir.path;
    o.host = "127.0.0.1";
    o.port = 0;
    o.admin_password = "reload-test";
    server::Daemon daemon(o);
    std::string error;
    REQUIRE(daemon.start(error));
    std::thread running([&] { daemon.run(); });
    const std::string first = daemon.tls().fingerprint;
    CHECK(fingerprint_of_new_connection(daemon.port()) == first);

    security::TlsFiles pair = security::self_signed_files(dir.path);
    std::filesystem::remove(pair.cert_file);
    std::filesystem::remove(pair.key_file);
    REQUIRE(daemon.reload(server::reload_options(o), error));
    CHECK(daemon.tls().generated);
    CHECK(daemon.tls().fingerprint != first);
    CHECK(fingerprint_of_new_connection(daemon.port()) == daemon.tls().fingerprint);

    daemon.stop();
    running.join();
}
