// The admin CLI's global flags (spec 6.8: -E/-T/-U/-P/-F/-f/-r and their RS_* variables) and the
// session every command runs in: one ApiClient built from them on first use, writes made with
// ?force=true when forced, results printed in the chosen format, and failures as one
// `Error: ...` line with exit status 1 (thrown as Failure, caught in main).
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/cli/output_format.hpp"
#include "agent/client/api_client.hpp"

namespace CLI {
class App;
}

namespace drover::cli {

// A command failed: main prints "Error: <what()>" and exits 1.
struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct GlobalOptions {
    std::string endpoint = "https://127.0.0.1:8092";
    std::string token;
    std::string username;
    std::string password;
    std::string key;  // RS_KEY: "user:pass"
    std::string format;
    bool force = false;
    std::string ref;                 // update's base object instead of the server's copy
    std::string ca_cert;             // verify droverd's certificate against this CA file
    std::string server_fingerprint;  // or pin its SHA-256 fingerprint
};

class Session {
  public:
    GlobalOptions options;

    // The client for ordinary requests, made from the options on first use.
    client::ApiClient& api();
    // A second client for a long-lived stream, so requests can be made while it runs.
    client::ApiClient stream_client() const;

    // One JSON request; an error answer or transport failure throws Failure. Writes (anything
    // but GET/HEAD) carry ?force=true when -f was given.
    nlohmann::json call(const std::string& method, const std::string& path,
                        const nlohmann::json* body = nullptr);
    // A raw request whose 2xx body is returned as is (job logs).
    std::string call_raw(const std::string& method, const std::string& path);

    Format format() const;
    // Prints a result; `columns` name a list's table columns.
    void print(const nlohmann::json& value, const std::vector<std::string>& columns = {}) const;
    // The endpoint and credentials of the global flags, for commands with their own clients.
    client::ClientOptions client_options() const;

  private:
    std::string with_force(const std::string& method, const std::string& path) const;
    std::unique_ptr<client::ApiClient> api_;
};

// Registers the global flags on the root app; they are accepted after subcommands too.
void add_global_options(CLI::App& app, Session& session);

// Throws Failure with an ApiError's message.
[[noreturn]] void fail(const client::ApiError& error);

}  // namespace drover::cli
