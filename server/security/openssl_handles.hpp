// RAII for the OpenSSL objects server/security creates: each is a unique_ptr whose deleter is the
// matching *_free; plus OpenSSL's error reason for messages and certificate fingerprints.
// Included only by .cpp files (it pulls in OpenSSL's headers).
#pragma once
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <memory>
#include <string>

namespace drover::security {

template <auto Free>
struct OpenSslDeleter {
    template <class T>
    void operator()(T* p) const {
        Free(p);
    }
};

using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BN_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<X509_EXTENSION_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpenSslDeleter<GENERAL_NAMES_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, OpenSslDeleter<GENERAL_NAME_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, OpenSslDeleter<SSL_CTX_free>>;

// The first of this thread's queued OpenSSL errors (the root cause; later ones only say which
// layer passed it up) as a short reason, and clears the queue.
inline std::string take_openssl_error() {
    unsigned long first = ERR_get_error();
    ERR_clear_error();
    if (first == 0) return "unknown OpenSSL error";
    if (ERR_SYSTEM_ERROR(first)) return std::strerror(ERR_GET_REASON(first));
    if (const char* reason = ERR_reason_error_string(first)) return reason;
    char text[256];
    ERR_error_string_n(first, text, sizeof text);
    return text;
}

// SHA-256 of the certificate's DER as upper-case hex pairs joined by ':' ("AB:CD:...").
inline std::string sha256_fingerprint(const X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(cert, EVP_sha256(), md, &len) != 1) return "";
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        if (i) out += ':';
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

}  // namespace drover::security
