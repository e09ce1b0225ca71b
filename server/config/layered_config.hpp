// A program's settings from four layers over one CLI11 App: flags, then the environment
// (<PREFIX>_<LONG_NAME_IN_UPPER_SNAKE> for every option), then a `key = value` config file
// (TOML/INI; keys are the options' long names), then the built-in defaults. CLI11 2.1 applies the
// file before the environment (file > env); the file reader installed here skips keys whose
// variable is set, which makes it env > file. Invariants: a key no option claims is an error
// naming it; secrets are never printed; options declared later get all of this without edits.
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace drover::server::config {

struct LayeredConfigOptions {
    std::string env_prefix;    // "DROVER": --data-dir reads $DROVER_DATA_DIR
    std::string default_file;  // read when present; --config or $<PREFIX>_CONFIG must exist
};

// What parse() decided: run with the values now in the App's variables, or exit (help, version,
// --print-config, or an error) with `exit_code` after writing `out` to stdout and `err` to stderr.
struct ConfigOutcome {
    bool run = false;
    int exit_code = 0;
    std::string out;
    std::string err;
    std::string file_read;  // the config file the values came from; "" when none
};

// Adds --config and --print-config to `app` (whose options are all declared), gives every
// configurable option its environment name (unless it has one), and parses `args` (without the
// program name). Exit code 2 for every configuration error.
ConfigOutcome parse_layered(CLI::App& app, const std::vector<std::string>& args,
                            const LayeredConfigOptions& options);

// The effective configuration as a config file: `name = value` for every configurable option in
// declaration order; a secret that is set is shown masked on a commented-out line, so pasting
// the output into a config file never sets a secret to the mask.
std::string effective_config(const CLI::App& app);

// Whether an option's value must not be printed: its name says password, secret, passphrase or
// credential, or ends in "token". Name a new secret option accordingly.
bool is_secret_option(const std::string& long_name);

// "data-dir" -> "DATA_DIR".
std::string upper_snake(const std::string& long_name);

}  // namespace drover::server::config
