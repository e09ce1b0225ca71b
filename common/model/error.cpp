#include "common/model/error.hpp"

namespace drover::model {

Error not_found_error(std::string model, std::string key) {
    Error e;
    e.model = std::move(model);
    e.key = std::move(key);
    e.type = "GET";
    e.messages = {"Not Found"};
    e.code = 404;
    return e;
}

Error validation_error(std::string model, std::string key, std::vector<std::string> messages) {
    Error e;
    e.model = std::move(model);
    e.key = std::move(key);
    e.type = "ValidationError";
    e.messages = std::move(messages);
    e.code = 422;
    return e;
}

std::string describe(const Error& e) {
    std::string out = e.type.empty() ? "Error" : e.type;
    out += ": ";
    if (!e.model.empty()) out += e.model + (e.key.empty() ? "" : "/" + e.key) + ": ";
    for (std::size_t i = 0; i < e.messages.size(); ++i)
        out += (i ? "; " : "") + e.messages[i];
    return out;
}

}  // namespace drover::model
