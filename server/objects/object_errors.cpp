#include "server/objects/object_errors.hpp"

namespace drover::objects {

namespace {

model::Error make(const std::string& model, const std::string& key, const char* type, int code,
                  model::Errors messages) {
    model::Error e;
    e.model = model;
    e.key = key;
    e.type = type;
    e.code = code;
    e.messages = std::move(messages);
    return e;
}

}  // namespace

model::Error bad_request(const std::string& m, const std::string& k, model::Errors msgs) {
    return make(m, k, "BadRequest", 400, std::move(msgs));
}
model::Error not_found(const std::string& m, const std::string& k, const std::string& method) {
    return make(m, k, method.c_str(), 404, {"Not Found"});
}
model::Error conflict(const std::string& m, const std::string& k, std::string msg) {
    return make(m, k, "Conflict", 409, {std::move(msg)});
}
model::Error still_in_use(const std::string& m, const std::string& k, model::Errors msgs) {
    return make(m, k, "StillInUseError", 409, std::move(msgs));
}
model::Error invalid(const std::string& m, const std::string& k, model::Errors msgs) {
    return make(m, k, "ValidationError", 422, std::move(msgs));
}
model::Error patch_failed(const std::string& m, const std::string& k, model::Errors msgs) {
    return make(m, k, "PATCH", 409, std::move(msgs));
}
model::Error storage_error(const std::string& m, const std::string& k, int code, std::string msg) {
    return make(m, k, "StorageError", code, {std::move(msg)});
}

}  // namespace drover::objects
