// Authorisation (spec 6.1, 7.2; issue 7): DRP-style claims {scope, action, specific} and the one
// decision every request goes through, authorize(principal, access).
//
// A claim's fields are each "*" or a comma list; a claim grants a request when its scope holds
// the request's object type, its action the request's action and its specific the request's
// target. The target is the object's key, except for jobs, whose target is the job's Machine
// (DRP's AuthKey): a machine's claims name its own Uuid and so cover its own jobs only.
//
// Invariants: pure (no I/O, no clock); fail-closed: a request the action table does not know,
// an empty claim field, or a job whose Machine is unknown to the caller (only "*" matches then)
// is refused; a request reading decrypted secure values also needs `getSecure`.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/model/envelope.hpp"

namespace drover::security {

using model::Claim;

// The action vocabulary (DRP's names where DRP has one).
namespace action {
inline constexpr std::string_view kList = "list";
inline constexpr std::string_view kGet = "get";
inline constexpr std::string_view kCreate = "create";
inline constexpr std::string_view kUpdate = "update";  // PUT, and param writes
inline constexpr std::string_view kPatch = "patch";
inline constexpr std::string_view kDelete = "delete";
inline constexpr std::string_view kActions = "actions";  // rendered JobActions, the dry run
inline constexpr std::string_view kAction = "action";    // running a machine action
inline constexpr std::string_view kLog = "log";          // appending to a job log
inline constexpr std::string_view kToken = "token";      // minting a token for the object
inline constexpr std::string_view kGetSecure = "getSecure";
}  // namespace action

// Every action above, in a fixed order.
const std::vector<std::string_view>& all_actions();

enum class SubjectKind { User, Machine };

// Who a credential speaks for: a user (by Name) or a machine (by Uuid).
struct Subject {
    SubjectKind kind = SubjectKind::User;
    std::string name;

    // "user:<name>" / "machine:<uuid>": the Principal of events and the token's subject.
    std::string id() const;
    friend bool operator==(const Subject&, const Subject&) = default;
};

// The inverse of Subject::id(); nullopt for anything else (an empty name included).
std::optional<Subject> parse_subject(std::string_view id);

struct Principal {
    Subject subject;
    std::vector<Claim> claims;
};

// One request, as the router sees it after resolving the object's key.
struct Access {
    std::string method;  // HTTP method
    std::string prefix;  // object type ("machines", "jobs", "users", "events", "info", ...)
    std::string key;     // the stored key ("Name:x" resolved); "" for the collection itself
    // The first path segment after the key: "" (the object), "params" (also params/<name>),
    // "log", "actions" (also actions/<cmd>), "render", "token" or "pubkey".
    std::string sub;
    // jobs: the job's Machine (for POST /jobs the body's Machine); unknown: only "*" matches.
    std::optional<std::string> job_machine;
    // The answer would carry decrypted secure values (?decode=true, a job's rendered actions).
    bool decode = false;
};

struct Decision {
    bool allowed = false;
    std::string reason;  // for logs and the 403 body
};

// The actions `access` needs (all of them): e.g. {"get"}, {"get", "getSecure"}; empty when the
// method and sub-resource form no request the API serves.
std::vector<std::string> required_actions(const Access& access);

// True when `claim` grants `action` on `specific` in `scope`.
bool claim_matches(const Claim& claim, std::string_view scope, std::string_view action,
                   std::string_view specific);

// spec 6.1: may `principal` make this request? (403 when not; authentication is the caller's.)
Decision authorize(const Principal& principal, const Access& access);

// spec 6.6: an event stream delivers an event only if its principal may get the event's object;
// for jobs pass the Machine of the event's Object.
Access event_access(std::string type, std::string key, std::optional<std::string> job_machine);

}  // namespace drover::security
