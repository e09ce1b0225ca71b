// Server keys in the data dir (issue 7): the token key and the secure-param key are random bytes
// from OpenSSL's CSPRNG, written once into a private file (private_file.hpp: mode 0600, atomic)
// on first start and never rewritten; deleting one is the way to retire it.
// Invariant: the bytes that leave this module (the returned key) are the caller's to wipe
// (OPENSSL_cleanse) once copied; every temporary copy made here is wiped before returning.
#pragma once
#include <cstddef>
#include <string>

#include "common/api/expected.hpp"

namespace drover::security {

// The contents of the key file `path`, created with `bytes` random bytes when missing. An
// existing file is returned as it is (at most bytes + 1 of it), so the caller checks the size
// and names the file in its error. Errors: unreadable, not private, not creatable.
api::Expected<std::string, std::string> read_or_create_key(const std::string& path,
                                                           std::size_t bytes);

}  // namespace drover::security
