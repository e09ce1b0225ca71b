// Files written whole or not at all, born with their final mode (a new O_EXCL file, fsync, then
// link or rename into place and fsync of the directory; never a chmod after the bytes are there),
// and files that hold a secret (the agent's config, its renewed token) read only when no other
// user can read or change them, as ssh treats private keys. Errors are values, never exceptions.
#pragma once
#include <sys/types.h>
#include <string>

#include "common/api/expected.hpp"

namespace drover::client {

enum class Overwrite { Refuse, Replace };

// Writes `content` to `path` with `mode` (the umask can only narrow it). Refuse: fails, leaving
// the existing file alone, when `path` exists, even if it appeared during the write. Returns the
// error, empty on success.
std::string write_file_atomically(const std::string& path, const std::string& content, mode_t mode,
                                  Overwrite overwrite);

// The contents of `path`, which must be a regular file owned by root or by this process's user,
// with no permission bits for group or others; anything else is refused with how to fix it.
api::Expected<std::string, std::string> read_private_file(const std::string& path);

}  // namespace drover::client
