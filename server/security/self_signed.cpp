// Self-signed certificate generation (see self_signed.hpp).
#include "server/security/self_signed.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <openssl/pem.h>

#include "server/security/openssl_handles.hpp"

namespace drover::security {
namespace {

constexpr long kSecondsPerDay = 24 * 3600;
// Machines often boot with a wrong clock before NTP: start validity a day early.
constexpr long kBackdateSeconds = kSecondsPerDay;

api::Unexpected<std::string> failure(const std::string& what) {
    return api::unexpected(what + ": " + take_openssl_error());
}

// Writes `bytes` to a new `path`.tmp with `mode`, fsyncs and renames it over `path`.
api::Expected<bool, std::string> write_file(const std::string& path, const std::string& bytes,
                                            mode_t mode) {
    std::string tmp = path + ".tmp";
    ::unlink(tmp.c_str());  // a leftover of a crash
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return api::unexpected("cannot create " + tmp + ": " + std::strerror(errno));
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
    }
    bool ok = done == bytes.size() && ::fsync(fd) == 0;
    int saved = errno;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        if (ok) saved = errno;
        ::unlink(tmp.c_str());
        return api::unexpected("cannot write " + path + ": " + std::strerror(saved));
    }
    return true;
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

api::Expected<GeneralNamesPtr, std::string> alt_names(const CertificateSubject& subject) {
    GeneralNamesPtr names(GENERAL_NAMES_new());
    if (!names) return failure("cannot allocate subjectAltNames");
    for (const std::string& dns : subject.dns_names) {
        GeneralNamePtr name(GENERAL_NAME_new());
        ASN1_IA5STRING* text = ASN1_IA5STRING_new();
        if (!name || !text || !ASN1_STRING_set(text, dns.data(), static_cast<int>(dns.size()))) {
            ASN1_IA5STRING_free(text);
            return failure("cannot encode DNS name " + dns);
        }
        GENERAL_NAME_set0_value(name.get(), GEN_DNS, text);
        if (!sk_GENERAL_NAME_push(names.get(), name.get())) return failure("subjectAltNames");
        name.release();  // owned by the stack now
    }
    for (const std::string& ip : subject.ip_addresses) {
        GeneralNamePtr name(GENERAL_NAME_new());
        ASN1_OCTET_STRING* bytes = a2i_IPADDRESS(ip.c_str());
        if (!name || !bytes) {
            ASN1_OCTET_STRING_free(bytes);
            return failure("cannot encode IP address " + ip);
        }
        GENERAL_NAME_set0_value(name.get(), GEN_IPADD, bytes);
        if (!sk_GENERAL_NAME_push(names.get(), name.get())) return failure("subjectAltNames");
        name.release();
    }
    return names;
}

// One extension in OpenSSL's config syntax ("critical,CA:FALSE"), issued by the cert itself.
bool add_extension(X509* cert, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

api::Expected<X509Ptr, std::string> make_certificate(EVP_PKEY* key,
                                                     const CertificateSubject& subject,
                                                     int valid_days) {
    X509Ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1)
        return failure("cannot allocate a certificate");
    BignumPtr serial(BN_new());  // random and positive, as RFC 5280 asks
    if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
        return failure("cannot make a serial number");
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), valid_days * kSecondsPerDay);
    X509_NAME* name = X509_get_subject_name(cert.get());
    const auto* cn = reinterpret_cast<const unsigned char*>(subject.common_name.c_str());
    if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>("drover"), -1, -1,
                                   0) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn, -1, -1, 0) != 1 ||
        X509_set_issuer_name(cert.get(), name) != 1 || X509_set_pubkey(cert.get(), key) != 1)
        return failure("cannot set the certificate's names");
    auto names = alt_names(subject);
    if (!names) return api::unexpected(names.error());
    if (X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, names->get(), 0, 0) != 1 ||
        !add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
        !add_extension(cert.get(), NID_key_usage, "critical,digitalSignature") ||
        !add_extension(cert.get(), NID_ext_key_usage, "serverAuth") ||
        !add_extension(cert.get(), NID_subject_key_identifier, "hash"))
        return failure("cannot add the certificate's extensions");
    if (X509_sign(cert.get(), key, EVP_sha256()) <= 0)
        return failure("cannot sign the certificate");
    return cert;
}

api::Expected<bool, std::string> generate(const TlsFiles& files, const CertificateSubject& subject,
                                          int valid_days) {
    PkeyPtr key(EVP_EC_gen("P-256"));
    if (!key) return failure("cannot generate an ECDSA P-256 key");
    auto cert = make_certificate(key.get(), subject, valid_days);
    if (!cert) return api::unexpected(cert.error());
    BioPtr key_pem(BIO_new(BIO_s_mem()));
    BioPtr cert_pem(BIO_new(BIO_s_mem()));
    if (!key_pem || !cert_pem ||
        PEM_write_bio_PrivateKey(key_pem.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
            1 ||
        PEM_write_bio_X509(cert_pem.get(), cert->get()) != 1)
        return failure("cannot encode the key and certificate as PEM");
    // The key first: a crash in between leaves no certificate, so the next start starts over.
    if (auto k = write_file(files.key_file, bio_text(key_pem.get()), 0600); !k) return k;
    return write_file(files.cert_file, bio_text(cert_pem.get()), 0644);
}

}  // namespace

TlsFiles self_signed_files(const std::string& data_dir) {
    return {data_dir + "/tls/server.crt", data_dir + "/tls/server.key"};
}

api::Expected<bool, std::string> ensure_self_signed(const TlsFiles& files,
                                                    const CertificateSubject& subject,
                                                    int valid_days) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(files.cert_file, ec) && fs::exists(files.key_file, ec)) return false;
    fs::path dir = fs::path(files.key_file).parent_path();
    if (!dir.empty() && !fs::exists(dir, ec)) {
        fs::create_directories(dir, ec);
        if (!ec) fs::permissions(dir, fs::perms::owner_all, ec);
        if (ec) return api::unexpected("cannot create " + dir.string() + ": " + ec.message());
    }
    ERR_clear_error();
    auto made = generate(files, subject, valid_days);
    if (!made) return made;
    return true;
}

}  // namespace drover::security
