// The certificate droverd makes for itself on first start when none is configured: an ECDSA
// P-256 key and a self-signed certificate naming every way this host is reached (its names,
// "localhost", loopback and interface addresses as subjectAltNames). Clients pin its SHA-256
// fingerprint (logged at every start) or trust the certificate file as their CA.
// Invariants: existing files are never replaced (the pinned fingerprint stays valid across
// restarts); the key file is created with mode 0600, so it is never readable by others, not
// even briefly; files appear by rename, so a crash leaves either no file or a whole one.
#pragma once
#include <string>
#include <vector>

#include "common/api/expected.hpp"

namespace drover::security {

struct CertificateSubject {
    std::string common_name;
    std::vector<std::string> dns_names;
    std::vector<std::string> ip_addresses;  // textual IPv4 or IPv6
};

struct TlsFiles {
    std::string cert_file;
    std::string key_file;
};

// <data-dir>/tls/server.crt and <data-dir>/tls/server.key.
TlsFiles self_signed_files(const std::string& data_dir);

// Generates both files when either is missing (creating their directory, mode 0700); true when
// it generated them, false when both were there already.
api::Expected<bool, std::string> ensure_self_signed(const TlsFiles& files,
                                                    const CertificateSubject& subject,
                                                    int valid_days = 3650);

}  // namespace drover::security
