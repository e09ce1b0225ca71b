// The agent's renewed machine token, kept in its state dir (`token`, mode 0600) so that an agent
// restarted after the token it was installed with has expired still logs in: the renewal lived
// only in memory before. Invariant: the file names its machine, and a saved token replaces the
// given one only when it outlives it.
#pragma once
#include <string>

namespace drover::agent {

// The token to start with: `given`, or the token saved for `machine` when `given` is a token
// that expires before it (an unreadable token counts as expired). No token given (a password
// login) stays that way.
std::string pick_start_token(const std::string& state_dir, const std::string& machine,
                             const std::string& given);

// Saves `token` for `machine`; returns the error, empty on success.
std::string save_token(const std::string& state_dir, const std::string& machine,
                       const std::string& token);

}  // namespace drover::agent
