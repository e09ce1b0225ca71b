// The DRP error bodies the object layer answers with (spec 1.12): each failure kind is built in
// exactly one place, so the status code and Type always agree.
#pragma once
#include "common/api/expected.hpp"
#include "common/model/error.hpp"

namespace drover::objects {

using ObjectResult = api::Expected<model::Json, model::Error>;

model::Error bad_request(const std::string& model, const std::string& key, model::Errors messages);
model::Error not_found(const std::string& model, const std::string& key,
                       const std::string& method = "GET");
model::Error conflict(const std::string& model, const std::string& key, std::string message);
model::Error still_in_use(const std::string& model, const std::string& key, model::Errors messages);
model::Error invalid(const std::string& model, const std::string& key, model::Errors messages);
model::Error patch_failed(const std::string& model, const std::string& key, model::Errors messages);
model::Error storage_error(const std::string& model, const std::string& key, int code,
                           std::string message);

inline api::Unexpected<model::Error> fail(model::Error e) {
    return api::unexpected(std::move(e));
}

}  // namespace drover::objects
