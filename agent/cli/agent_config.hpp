// The agent's config file (`drover agent --config FILE`, written by `drover agent install`): one
// `key = value` per line, `#` comments, each key the long name of the flag it stands for
// (endpoint, token, ca-cert, server-fingerprint, machine, context, state-dir, oneshot, ...).
// Precedence is flag > RS_* environment > file > built-in default, for the global flags and the
// agent's own alike. CLI11's set_config is not used: it applies the file before the environment.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace drover::cli {

// Entries in file order; each key appears once.
using ConfigEntries = std::vector<std::pair<std::string, std::string>>;

// Parses a config file's text; errors name `source` and the line. A value may be wrapped in
// double quotes (as CLI11 writes strings); they are not part of it.
ConfigEntries parse_agent_config(const std::string& text, const std::string& source);

// Reads and parses the private file `path` (client/private_file.hpp: refused when others may
// read or change it); throws Failure.
ConfigEntries read_agent_config(const std::string& path);

// The file's text for `entries` (values must be single lines).
std::string format_agent_config(const ConfigEntries& entries);

// The value of `key`, or "" when the file has none.
std::string config_value(const ConfigEntries& entries, const std::string& key);

// Sets every option of `agent` (the agent subcommand) and the global endpoint, token, ca-cert and
// server-fingerprint from `entries`, unless a flag or its environment variable already set it.
// The file's token is also skipped when any other credential (-T, --key, -U, -P) was given. An
// unknown key or an unusable value is an error naming `source`.
void apply_agent_config(const ConfigEntries& entries, CLI::App& agent, const std::string& source);

}  // namespace drover::cli
