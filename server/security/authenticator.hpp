// Authentication (spec 6.1, issue 7): a request's credentials to a Principal, or a failure the
// router answers with the DRP error body: 401 with `WWW-Authenticate: dr-provision` for missing
// or bad credentials, 429 with `Retry-After` for a source over its failed-login budget.
//
// Bearer tokens (header or ?token=) are verified by the TokenSigner, revocation included, and
// carry their claims. Basic credentials (header, or a ?token=user:pass) are checked against the
// user's scrypt hash and get the claims of the user's roles. Each password check first takes a
// token from its source's LoginThrottle bucket (sources are addresses, IPv6 by /64) and gives it
// back when the password was right; a source with an empty bucket is refused without its
// password being checked. Bearer tokens, which cannot be guessed, are never throttled (so
// machines behind the address of a password guesser keep working).
// Invariants: an unknown user costs a full scrypt check like a wrong password (no user
// enumeration by timing); at most `max_concurrent_password_checks` scrypt checks run at once
// (each takes 32 MiB), the others wait; thread-safe.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>

#include "common/model/error.hpp"
#include "common/security/login_throttle.hpp"
#include "server/http/http_server.hpp"
#include "server/security/password.hpp"
#include "server/security/token_signer.hpp"

namespace drover::security {

// What the server knows about a subject now.
struct SubjectRecord {
    std::string password_hash;  // users; "" for machines and users without a password
    std::string generation;     // TokenSigner::generation of its credential state
    std::vector<Claim> claims;  // what it may do (a user's roles, a machine's own operations)
};
using SubjectLookup = std::function<std::optional<SubjectRecord>(const Subject&)>;

// Time sources, injected so tests can move them.
struct AuthClock {
    std::function<std::int64_t()> unix_now;                    // seconds; default: system clock
    std::function<LoginThrottle::Clock::time_point()> steady;  // default: steady clock
};
AuthClock system_auth_clock();

struct AuthFailure {
    model::Error error;           // Code 401 or 429
    int retry_after_seconds = 0;  // 429 only
};

// The headers a failure's reply carries (WWW-Authenticate or Retry-After).
http::Headers failure_headers(const AuthFailure& failure);

struct AuthenticatorOptions {
    LoginThrottleOptions throttle;
    ScryptCost dummy_cost;  // the cost of the stand-in hash checked for unknown users
    std::ptrdiff_t max_concurrent_password_checks = 2;
};

class Authenticator {
  public:
    Authenticator(const TokenSigner& signer, SubjectLookup lookup, AuthClock clock,
                  AuthenticatorOptions options = {});

    api::Expected<Principal, AuthFailure> authenticate(const http::Request& req);

  private:
    api::Expected<Principal, AuthFailure> bearer(const std::string& token);
    api::Expected<Principal, AuthFailure> basic(const std::string& user,
                                                const std::string& password,
                                                const std::string& source);
    bool password_matches(const std::string& password, const std::string& hash);

    const TokenSigner& signer_;
    SubjectLookup lookup_;
    AuthClock clock_;
    std::string dummy_hash_;
    std::counting_semaphore<> hashing_;
    std::mutex throttle_mutex_;
    LoginThrottle throttle_;
};

// The throttle's key for a remote address: IPv4 as is, IPv6 by its /64 (one host's share).
std::string throttle_source(const std::string& remote_addr);

}  // namespace drover::security
