// How clients reach this host, for the self-signed certificate's subjectAltNames: its host name
// and "localhost", 127.0.0.1 and ::1, and the address of every other interface that is up.
#pragma once
#include "server/security/self_signed.hpp"

namespace drover::security {

// Names and addresses are deduplicated, in a stable order (names, then loopback, then the
// interfaces as the kernel lists them).
CertificateSubject local_certificate_subject();

}  // namespace drover::security
