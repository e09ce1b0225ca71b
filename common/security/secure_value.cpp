#include "common/security/secure_value.hpp"

#include "common/security/base64.hpp"

namespace drover::security {

namespace {

constexpr const char* kMembers[] = {"Key", "Nonce", "Payload"};
constexpr std::string_view kAadVersion = "drover-secure-param-v1";

}  // namespace

bool is_sealed(const model::Json& value) {
    if (!value.is_object() || value.size() != 3) return false;
    for (const char* m : kMembers) {
        auto it = value.find(m);
        if (it == value.end() || !it->is_string()) return false;
    }
    return true;
}

std::optional<SecureData> parse_sealed(const model::Json& value) {
    if (!is_sealed(value)) return std::nullopt;
    auto key = base64_decode(value["Key"].get<std::string>());
    auto nonce = base64_decode(value["Nonce"].get<std::string>());
    auto payload = base64_decode(value["Payload"].get<std::string>());
    if (!key || !nonce || !payload) return std::nullopt;
    return SecureData{std::move(*key), std::move(*nonce), std::move(*payload)};
}

model::Json to_json(const SecureData& data) {
    return {{"Key", base64_encode(data.key)},
            {"Nonce", base64_encode(data.nonce)},
            {"Payload", base64_encode(data.payload)}};
}

std::string SecretOwner::describe() const {
    return "Param " + param + " of " + prefix + "/" + key;
}

std::string associated_data(const SecretOwner& owner) {
    std::string out(kAadVersion);
    for (const std::string* field : {&owner.prefix, &owner.key, &owner.param}) {
        out += '|';
        out += std::to_string(field->size());
        out += ':';
        out += *field;
    }
    return out;
}

}  // namespace drover::security
