#include "server/security/security_service.hpp"

#include <algorithm>

#include "common/security/roles.hpp"
#include "common/tmpl/template.hpp"
#include "server/objects/object_errors.hpp"

namespace drover::security {

namespace {

// The state a subject's tokens depend on; '\0' cannot occur in names, hashes or secrets.
std::string user_state(const model::User& u) {
    std::vector<std::string> roles = u.roles;
    std::sort(roles.begin(), roles.end());
    std::string s = "user";
    for (const auto& part : {u.name, u.password_hash})
        s.append(1, '\0').append(part);
    for (const auto& r : roles)
        s.append(1, '\0').append(r);
    return s;
}

std::string machine_state(const model::Machine& m) {
    return std::string("machine").append(1, '\0').append(m.uuid).append(1, '\0').append(m.secret);
}

AuthenticatorOptions with_dummy_cost(AuthenticatorOptions auth, const ScryptCost& cost) {
    auth.dummy_cost = cost;  // unknown users cost what real ones do
    return auth;
}

}  // namespace

// .GenerateToken and friends for one machine (spec 7.2). Tokens are minted when a template asks,
// against the machine as stored then; a machine deleted meanwhile renders "".
class MachineTokenSource : public tmpl::TokenSource {
  public:
    MachineTokenSource(const SecurityService& service, std::string uuid,
                       std::vector<std::string> profiles)
        : service_(service), uuid_(std::move(uuid)), profiles_(std::move(profiles)) {}

    std::string token() const override { return mint({}, service_.options_.token_ttl_seconds); }
    std::string infinite_token() const override {
        return mint({}, service_.options_.infinite_token_ttl_seconds);
    }
    // A token to read and change one of the machine's profiles; seconds <= 0: the infinite
    // lifetime.
    std::string profile_token(const std::string& profile, int64_t seconds) const override {
        if (std::find(profiles_.begin(), profiles_.end(), profile) == profiles_.end())
            return kProfileNotOnMachineToken;
        Claim c;
        c.scope = "profiles";
        c.action = "get,update,patch";
        c.specific = profile;
        return mint(std::vector<Claim>{c},
                    seconds > 0 ? seconds : service_.options_.infinite_token_ttl_seconds);
    }

  private:
    std::string mint(std::optional<std::vector<Claim>> claims, std::int64_t ttl) const {
        auto t = service_.mint({SubjectKind::Machine, uuid_}, std::move(claims), ttl);
        return t ? *t : "";
    }

    const SecurityService& service_;
    std::string uuid_;
    std::vector<std::string> profiles_;
};

api::Expected<std::unique_ptr<SecurityService>, std::string> SecurityService::open(
    objects::ObjectService& objects, SecurityOptions options, AuthClock clock) {
    auto signer = TokenSigner::open(options.data_dir + "/security");
    if (!signer) return api::unexpected(signer.error());
    return std::unique_ptr<SecurityService>(
        new SecurityService(objects, std::move(options), std::move(clock), std::move(*signer)));
}

SecurityService::SecurityService(objects::ObjectService& objects, SecurityOptions options,
                                 AuthClock clock, TokenSigner signer)
    : objects_(objects),
      options_(std::move(options)),
      clock_(std::move(clock)),
      signer_(std::move(signer)),
      users_(objects, options_.password_cost),
      authenticator_(
          signer_, [this](const Subject& s) { return lookup(s); }, clock_,
          with_dummy_cost(options_.auth, options_.password_cost)) {}

std::optional<SubjectRecord> SecurityService::lookup(const Subject& subject) const {
    SubjectRecord r;
    if (subject.kind == SubjectKind::User) {
        auto u = users_.find(subject.name);
        if (!u) return std::nullopt;
        r.password_hash = u->password_hash;
        r.generation = signer_.generation(user_state(*u));
        r.claims = user_claims(u->name, u->roles);
        return r;
    }
    std::optional<std::string> raw;
    objects_.store().read([&](const store::ReadView& view) {
        raw = view.get(model::Machine::kPrefix, subject.name);
    });
    if (!raw) return std::nullopt;
    model::Machine m;
    model::decode(model::Json::parse(*raw), m);
    r.generation = signer_.generation(machine_state(m));
    r.claims = machine_claims(m.uuid);
    return r;
}

api::Expected<Principal, AuthFailure> SecurityService::authenticate(const http::Request& req) {
    return authenticator_.authenticate(req);
}

api::Expected<std::string, model::Error> SecurityService::mint(
    const Subject& subject, std::optional<std::vector<Claim>> claims,
    std::int64_t ttl_seconds) const {
    auto record = lookup(subject);
    if (!record)
        return api::unexpected(objects::not_found(
            subject.kind == SubjectKind::User ? "users" : "machines", subject.name));
    std::int64_t ttl = ttl_seconds <= 0
                           ? options_.token_ttl_seconds
                           : std::min(ttl_seconds, options_.infinite_token_ttl_seconds);
    TokenPayload p;
    p.subject = subject;
    p.issued_at = clock_.unix_now();
    p.expires_at = p.issued_at + ttl;
    p.generation = std::move(record->generation);
    p.claims = claims ? std::move(*claims) : std::move(record->claims);
    return signer_.sign(p);
}

api::Expected<std::string, model::Error> SecurityService::token_for_user(
    const std::string& name, std::int64_t ttl_seconds) const {
    return mint({SubjectKind::User, name}, std::nullopt, ttl_seconds);
}

api::Expected<std::string, model::Error> SecurityService::token_for_machine(
    const std::string& uuid, std::int64_t ttl_seconds) const {
    return mint({SubjectKind::Machine, uuid}, std::nullopt, ttl_seconds);
}

std::shared_ptr<const tmpl::TokenSource> SecurityService::token_source(
    const model::Machine& machine) const {
    return std::make_shared<MachineTokenSource>(*this, machine.uuid, machine.profiles);
}

api::Expected<AdminBootstrap, std::string> SecurityService::bootstrap_admin(
    const std::optional<std::string>& password) {
    return security::bootstrap_admin(users_, options_.data_dir, password);
}

}  // namespace drover::security
