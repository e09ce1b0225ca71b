#include "server/security/authenticator.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "common/security/credentials.hpp"
#include "server/ops/log.hpp"

namespace drover::security {

namespace {

AuthFailure unauthorized(std::string message) {
    AuthFailure f;
    f.error.type = "API_ERROR";
    f.error.messages = {std::move(message)};
    f.error.code = 401;
    return f;
}

api::Unexpected<AuthFailure> refuse(std::string message) {
    return api::unexpected(unauthorized(std::move(message)));
}

// One of the limited scrypt slots, held for one check.
class HashingPermit {
  public:
    explicit HashingPermit(std::counting_semaphore<>& slots) : slots_(slots) { slots_.acquire(); }
    ~HashingPermit() { slots_.release(); }
    HashingPermit(const HashingPermit&) = delete;
    HashingPermit& operator=(const HashingPermit&) = delete;

  private:
    std::counting_semaphore<>& slots_;
};

std::string dummy_hash(const ScryptCost& cost) {
    auto h = hash_password(random_password(), cost);
    if (!h) throw std::runtime_error("cannot compute the stand-in password hash: " + h.error());
    return *h;
}

}  // namespace

AuthClock system_auth_clock() {
    return {[] {
                return static_cast<std::int64_t>(
                    std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count());
            },
            [] { return LoginThrottle::Clock::now(); }};
}

http::Headers failure_headers(const AuthFailure& failure) {
    http::Headers h;
    if (failure.error.code == 401) h.emplace("WWW-Authenticate", "dr-provision");
    if (failure.error.code == 429)
        h.emplace("Retry-After", std::to_string(failure.retry_after_seconds));
    return h;
}

std::string throttle_source(const std::string& remote_addr) {
    std::array<unsigned char, 16> a{};
    if (remote_addr.find(':') == std::string::npos ||
        ::inet_pton(AF_INET6, remote_addr.c_str(), a.data()) != 1)
        return remote_addr;
    bool v4_mapped =
        std::all_of(a.begin(), a.begin() + 10, [](unsigned char c) { return c == 0; }) &&
        a[10] == 0xff && a[11] == 0xff;
    if (v4_mapped)
        return std::to_string(a[12]) + "." + std::to_string(a[13]) + "." + std::to_string(a[14]) +
               "." + std::to_string(a[15]);
    std::fill(a.begin() + 8, a.end(), 0);
    char text[INET6_ADDRSTRLEN] = "";
    ::inet_ntop(AF_INET6, a.data(), text, sizeof text);
    return std::string(text) + "/64";
}

Authenticator::Authenticator(const TokenSigner& signer, SubjectLookup lookup, AuthClock clock,
                             AuthenticatorOptions options)
    : signer_(signer),
      lookup_(std::move(lookup)),
      clock_(std::move(clock)),
      dummy_hash_(dummy_hash(options.dummy_cost)),
      hashing_(std::max<std::ptrdiff_t>(1, options.max_concurrent_password_checks)),
      throttle_(options.throttle) {}

api::Expected<Principal, AuthFailure> Authenticator::authenticate(const http::Request& req) {
    auto creds = parse_credentials(req.header("Authorization"), req.query_value("token"));
    if (!creds) return refuse(creds.error());
    if (std::holds_alternative<NoCredentials>(*creds))
        return refuse("Missing credentials: use Basic or Bearer authorization");
    if (auto* b = std::get_if<BearerCredentials>(&*creds)) return bearer(b->token);
    const auto& basic_creds = std::get<BasicCredentials>(*creds);
    return basic(basic_creds.user, basic_creds.password, throttle_source(req.remote_addr));
}

api::Expected<Principal, AuthFailure> Authenticator::bearer(const std::string& token) {
    const std::int64_t now = clock_.unix_now();
    auto payload = signer_.verify(token, now, [&](const Subject& s) -> std::optional<std::string> {
        auto record = lookup_(s);
        if (!record) return std::nullopt;
        return record->generation;
    });
    if (!payload) return refuse(std::string(describe(payload.error())));
    // Accepted only thanks to the allowance for servers' clocks: its holder renews too late
    // (a client judging expiry by a clock behind ours), and is refused in under a minute.
    if (payload->expires_at < now)
        ops::write_log(ops::LogEntry(ops::Level::Warn,
                                     "expired token accepted within the clock "
                                     "skew allowance; its holder renews too late")
                           .field("principal", payload->subject.id())
                           .field("seconds_past_expiry", now - payload->expires_at));
    return Principal{std::move(payload->subject), std::move(payload->claims)};
}

api::Expected<Principal, AuthFailure> Authenticator::basic(const std::string& user,
                                                           const std::string& password,
                                                           const std::string& source) {
    const auto wait = [&] {
        std::lock_guard lock(throttle_mutex_);
        return throttle_.acquire(source, clock_.steady());
    }();
    if (wait.count() > 0) {
        AuthFailure f;
        f.error.type = "API_ERROR";
        f.error.messages = {"Too many failed logins from " + source + "; retry in " +
                            std::to_string(wait.count()) + " s"};
        f.error.code = 429;
        f.retry_after_seconds = static_cast<int>(wait.count());
        return api::unexpected(std::move(f));
    }
    Subject subject{SubjectKind::User, user};
    auto record = lookup_(subject);
    bool has_hash = record && !record->password_hash.empty();
    // An unknown user (or one without a password) is checked against a stand-in hash, so the
    // answer takes as long as for a wrong password.
    bool ok = password_matches(password, has_hash ? record->password_hash : dummy_hash_);
    if (!ok || !has_hash) return refuse("Invalid username or password");
    {
        std::lock_guard lock(throttle_mutex_);
        throttle_.refund(source, clock_.steady());
    }
    return Principal{std::move(subject), std::move(record->claims)};
}

bool Authenticator::password_matches(const std::string& password, const std::string& hash) {
    HashingPermit permit(hashing_);
    return verify_password(password, hash);
}

}  // namespace drover::security
