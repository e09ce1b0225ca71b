// Files in the data dir only droverd's user may read (issue 7): the token key, the initial admin
// password, later the TLS key. Invariants: files are created mode 0600 in one step (a temp file,
// fsync, then link or rename into place, then the directory fsync), so a crash leaves the old
// file or the new one, never a torn or briefly world-readable one; reading refuses symlinks,
// non-regular files and files group or others may access.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/api/expected.hpp"

namespace drover::security {

// Creates directory `path` with mode 0700, or checks that an existing one is not accessible by
// group or others. Returns the error, if any.
std::optional<std::string> ensure_private_dir(const std::string& path);

// The file's contents; nullopt when it does not exist. Errors: unreadable, not private, larger
// than `max_bytes`.
api::Expected<std::optional<std::string>, std::string> read_private_file(const std::string& path,
                                                                         std::size_t max_bytes);

// Creates `path` holding `bytes` unless it exists: true when created, false when a file was
// already there (left untouched).
api::Expected<bool, std::string> create_private_file(const std::string& path,
                                                     std::string_view bytes);

// Writes `path` holding `bytes`, replacing any old file. Returns the error, if any.
std::optional<std::string> replace_private_file(const std::string& path, std::string_view bytes);

}  // namespace drover::security
