// server/security: the self-signed certificate droverd makes on first start (ECDSA P-256, the
// subjectAltNames it was given, key mode 0600, ten years, kept across starts) and loading a
// certificate/key pair (fingerprint, clear errors for bad files).
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "server/security/host_identity.hpp"
#include "server/security/self_signed.hpp"
#include "server/security/tls_context.hpp"
#include "tests/server/store_test_util.hpp"

using namespace drover::security;
using drover::store::testing::TempDir;

namespace {

struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr read_certificate(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "r");
    REQUIRE(f != nullptr);
    X509Ptr cert(PEM_read_X509(f, nullptr, nullptr, nullptr));
    std::fclose(f);
    REQUIRE(cert != nullptr);
    return cert;
}

struct AltNames {
    std::vector<std::string> dns;
    std::vector<std::string> ips;  // as OpenSSL prints them
};

AltNames alt_names(X509* cert) {
    AltNames out;
    auto* names =
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    REQUIRE(names != nullptr);
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
        GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
        if (n->type == GEN_DNS) {
            out.dns.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName)),
                                 ASN1_STRING_length(n->d.dNSName));
        } else if (n->type == GEN_IPADD) {
            char* text = OPENSSL_buf2hexstr(ASN1_STRING_get0_data(n->d.iPAddress),
                                            ASN1_STRING_length(n->d.iPAddress));
            out.ips.emplace_back(text);
            OPENSSL_free(text);
        }
    }
    GENERAL_NAMES_free(names);
    return out;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

mode_t file_mode(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

const CertificateSubject kSubject{
    "node-7", {"node-7", "localhost"}, {"127.0.0.1", "::1", "192.0.2.10"}};

}  // namespace

TEST_CASE("the self-signed certificate: ECDSA P-256, the given names, ten years, key 0600",
          "[tls][security]") {
    TempDir dir;
    TlsFiles files = self_signed_files(dir.path + "/data");
    CHECK(files.cert_file == dir.path + "/data/tls/server.crt");
    CHECK(files.key_file == dir.path + "/data/tls/server.key");
    auto made = ensure_self_signed(files, kSubject);
    REQUIRE(made.has_value());
    CHECK(made.value() == true);
    CHECK(file_mode(files.key_file) == 0600);
    CHECK(file_mode(dir.path + "/data/tls") == 0700);
    CHECK_FALSE(std::filesystem::exists(files.key_file + ".tmp"));

    X509Ptr cert = read_certificate(files.cert_file);
    AltNames names = alt_names(cert.get());
    CHECK(names.dns == std::vector<std::string>{"node-7", "localhost"});
    CHECK(names.ips == std::vector<std::string>{"7F:00:00:01",
                                                "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:01",
                                                "C0:00:02:0A"});
    EVP_PKEY* key = X509_get0_pubkey(cert.get());
    REQUIRE(key != nullptr);
    CHECK(EVP_PKEY_is_a(key, "EC"));
    char group[64] = {};
    std::size_t len = 0;
    REQUIRE(EVP_PKEY_get_group_name(key, group, sizeof group, &len) == 1);
    CHECK(std::string(group) == "prime256v1");
    CHECK(X509_verify(cert.get(), key) == 1);  // self-signed
    CHECK(X509_check_host(cert.get(), "node-7", 0, 0, nullptr) == 1);
    CHECK(X509_check_ip_asc(cert.get(), "::1", 0) == 1);
    CHECK(X509_check_ip_asc(cert.get(), "192.0.2.11", 0) == 0);
    int days = 0, seconds = 0;
    REQUIRE(ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(cert.get())) == 1);
    CHECK(days >= 3649);
    CHECK(days <= 3651);
    CHECK(X509_cmp_current_time(X509_get0_notBefore(cert.get())) < 0);  // valid already
}

TEST_CASE("the self-signed pair is made only when missing, so its fingerprint stays",
          "[tls][security]") {
    TempDir dir;
    TlsFiles files = self_signed_files(dir.path);
    REQUIRE(ensure_self_signed(files, kSubject).value() == true);
    auto first = load_server_tls(files.cert_file, files.key_file);
    REQUIRE(first.has_value());
    CHECK(first->fingerprint.size() == 32 * 3 - 1);
    // A second start: nothing is generated, the same certificate is served.
    auto again = ensure_self_signed(files, kSubject);
    REQUIRE(again.has_value());
    CHECK(again.value() == false);
    auto second = load_server_tls(files.cert_file, files.key_file);
    REQUIRE(second.has_value());
    CHECK(second->fingerprint == first->fingerprint);
    // Either file gone: a new pair (a lone key or certificate is useless).
    std::filesystem::remove(files.cert_file);
    REQUIRE(ensure_self_signed(files, kSubject).value() == true);
    auto third = load_server_tls(files.cert_file, files.key_file);
    REQUIRE(third.has_value());
    CHECK(third->fingerprint != first->fingerprint);
}

TEST_CASE("loading a certificate and key: the fingerprint, and clear errors for bad files",
          "[tls][security]") {
    TempDir dir;
    TlsFiles a = self_signed_files(dir.path + "/a");
    TlsFiles b = self_signed_files(dir.path + "/b");
    REQUIRE(ensure_self_signed(a, kSubject).has_value());
    REQUIRE(ensure_self_signed(b, kSubject).has_value());
    auto ok = load_server_tls(a.cert_file, a.key_file);
    REQUIRE(ok.has_value());
    CHECK(ok->context != nullptr);
    unsigned char md[32];
    unsigned int len = 0;
    X509Ptr cert = read_certificate(a.cert_file);
    REQUIRE(X509_digest(cert.get(), EVP_sha256(), md, &len) == 1);
    char* hex = OPENSSL_buf2hexstr(md, len);
    CHECK(ok->fingerprint == hex);
    OPENSSL_free(hex);

    auto missing = load_server_tls(dir.path + "/nope.crt", a.key_file);
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error() ==
          "cannot load TLS certificate " + dir.path + "/nope.crt: No such file or directory");
    auto not_pem = load_server_tls(a.key_file, a.key_file);
    REQUIRE_FALSE(not_pem.has_value());
    CHECK(not_pem.error().find("cannot load TLS certificate " + a.key_file) == 0);
    auto mismatch = load_server_tls(a.cert_file, b.key_file);
    REQUIRE_FALSE(mismatch.has_value());
    CHECK(mismatch.error() == "cannot load TLS key " + b.key_file + " for certificate " +
                                  a.cert_file + ": key values mismatch");
}

TEST_CASE("this host's certificate subject: its name, localhost, loopback, interfaces",
          "[tls][security]") {
    CertificateSubject s = local_certificate_subject();
    char name[256] = {};
    REQUIRE(::gethostname(name, sizeof name - 1) == 0);
    CHECK(s.common_name == name);
    CHECK(contains(s.dns_names, name));
    CHECK(contains(s.dns_names, "localhost"));
    REQUIRE(s.ip_addresses.size() >= 2);
    CHECK(s.ip_addresses[0] == "127.0.0.1");
    CHECK(s.ip_addresses[1] == "::1");
    for (std::size_t i = 2; i < s.ip_addresses.size(); ++i) {
        CHECK(s.ip_addresses[i].rfind("127.", 0) != 0);  // loopback interfaces are skipped
        CHECK(std::count(s.ip_addresses.begin(), s.ip_addresses.end(), s.ip_addresses[i]) == 1);
    }
}
