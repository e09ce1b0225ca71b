// The security layer as the router and daemon use it (issue 7): one object owning the token key,
// the authenticator and the users' password writes. The router calls authenticate() for every
// request and then common/security authorize() with the Principal; the token endpoints call
// token_for_user / token_for_machine; task rendering takes token_source(machine) for
// .GenerateToken, .GenerateInfiniteToken and .GenerateProfileToken.
//
// Token lifetimes: `token_ttl_seconds` (spec 1.0 knownTokenTimeout, 3600) for .GenerateToken and
// a request without ?ttl=; `infinite_token_ttl_seconds` (default one year) for
// .GenerateInfiniteToken, which is also the most a ?ttl= can ask for. A subject's tokens carry
// its claims as they were when issued, and die when its credentials change: a user's password
// hash or roles, a machine's Secret (the generation in token.hpp).
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "common/model/machine.hpp"
#include "server/security/admin_bootstrap.hpp"
#include "server/security/authenticator.hpp"
#include "server/security/token_signer.hpp"
#include "server/security/user_accounts.hpp"

namespace drover::tmpl {
class TokenSource;
}

namespace drover::security {

struct SecurityOptions {
    std::string data_dir;  // the token key lives in <data_dir>/security
    std::int64_t token_ttl_seconds = 3600;
    std::int64_t infinite_token_ttl_seconds = 365 * 24 * 3600;
    ScryptCost password_cost;
    AuthenticatorOptions auth;  // its dummy_cost is taken from password_cost
};

// .GenerateProfileToken for a profile the machine does not have.
inline constexpr const char* kProfileNotOnMachineToken = "InvalidTokenProfileNotOnMachine";

class SecurityService {
  public:
    // Opens (on first start: creates) the token key. Errors name the file and the cause.
    static api::Expected<std::unique_ptr<SecurityService>, std::string> open(
        objects::ObjectService& objects, SecurityOptions options,
        AuthClock clock = system_auth_clock());

    api::Expected<Principal, AuthFailure> authenticate(const http::Request& req);

    // GET /users/<name>/token and /machines/<uuid>/token: a token for the subject with its
    // current claims. `ttl_seconds` <= 0 means token_ttl_seconds; above the infinite lifetime it
    // is capped. 404 when the subject does not exist.
    api::Expected<std::string, model::Error> token_for_user(const std::string& name,
                                                            std::int64_t ttl_seconds) const;
    api::Expected<std::string, model::Error> token_for_machine(const std::string& uuid,
                                                               std::int64_t ttl_seconds) const;

    // The tokens rendered into `machine`'s tasks (minted when a template asks for one).
    std::shared_ptr<const tmpl::TokenSource> token_source(const model::Machine& machine) const;

    UserAccounts& users() { return users_; }
    api::Expected<AdminBootstrap, std::string> bootstrap_admin(
        const std::optional<std::string>& password);

    // What the server knows about a subject now (its claims and credential generation).
    std::optional<SubjectRecord> lookup(const Subject& subject) const;

  private:
    friend class MachineTokenSource;
    SecurityService(objects::ObjectService& objects, SecurityOptions options, AuthClock clock,
                    TokenSigner signer);
    // A token for `subject` as it is now, with `claims` (its own when nullopt).
    api::Expected<std::string, model::Error> mint(const Subject& subject,
                                                  std::optional<std::vector<Claim>> claims,
                                                  std::int64_t ttl_seconds) const;

    objects::ObjectService& objects_;
    SecurityOptions options_;
    AuthClock clock_;
    TokenSigner signer_;
    UserAccounts users_;
    Authenticator authenticator_;
};

}  // namespace drover::security
