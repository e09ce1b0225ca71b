// Secure param values (spec 1.10, issue 7), the pure part: the sealed form clients see and what a
// sealed value is bound to. The sealed form keeps DRP's SecureData shape
//     {"Key": base64, "Nonce": base64, "Payload": base64}
// with drover's meaning: Key identifies the server key that sealed the value (a keyed digest,
// never the key), Nonce is the 96-bit AES-256-GCM nonce, and Payload is the ciphertext of the
// value's JSON text followed by the 128-bit GCM tag. The cipher is server/security/param_cipher.
//
// Invariants: a value is sealed by its shape alone (an object with exactly the three string
// members), so a sealed value is never sealed twice; parsing is strict (canonical base64, so one
// value has one spelling); a sealed value is bound to its owner (object type, key, param name)
// through the cipher's associated data, so it opens only where it was sealed: altered, or copied
// into another object or param, it is refused.
#pragma once
#include <optional>
#include <string>

#include "common/api/expected.hpp"
#include "common/model/envelope.hpp"

namespace drover::security {

// The sealed form's bytes (base64-decoded).
struct SecureData {
    std::string key;
    std::string nonce;
    std::string payload;
};

// True for the sealed shape: an object with exactly the string members Key, Nonce and Payload.
bool is_sealed(const model::Json& value);
// The bytes of a sealed value; nullopt when it is not the shape or a member is not canonical
// standard base64.
std::optional<SecureData> parse_sealed(const model::Json& value);
model::Json to_json(const SecureData& data);

// Where a sealed value belongs: the param `param` of the object `prefix`/`key`.
struct SecretOwner {
    std::string prefix;
    std::string key;
    std::string param;

    std::string describe() const;  // "Param <param> of <prefix>/<key>"
};

// The cipher's associated data for `owner`: a version tag and each field length-prefixed, so no
// two owners share it.
std::string associated_data(const SecretOwner& owner);

// Sealing and opening with the server's key (server/security/param_cipher implements it).
class ParamSecrets {
  public:
    virtual ~ParamSecrets() = default;
    // The sealed form of `clear` for `owner`. Errors: the cipher failed (out of memory).
    virtual api::Expected<model::Json, std::string> seal(const SecretOwner& owner,
                                                         const model::Json& clear) const = 0;
    // The clear value. Errors, worded to follow "the sealed value": not the sealed form, sealed
    // with another key, or not sealed for `owner` or altered (the tag does not verify).
    virtual api::Expected<model::Json, std::string> open(const SecretOwner& owner,
                                                         const model::Json& sealed) const = 0;
};

}  // namespace drover::security
