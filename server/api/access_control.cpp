#include "server/api/access_control.hpp"

#include <nlohmann/json.hpp>

#include "server/api/reply.hpp"
#include "server/objects/object_service.hpp"

namespace drover::api_routes {

namespace {

// The Machine of the job a request names (stored), or of the job POST /jobs would create (body).
std::optional<std::string> job_machine(const http::Request& req, const std::string& key,
                                       const objects::ObjectService& objects) {
    if (key.empty()) {
        if (req.method != "POST") return std::nullopt;
        auto body = nlohmann::json::parse(req.body, nullptr, false);
        if (!body.is_object() || !body.contains("Machine") || !body["Machine"].is_string())
            return std::nullopt;
        return body["Machine"].get<std::string>();
    }
    auto job = objects.get("jobs", key);
    if (!job || !job.value().contains("Machine") || !job.value()["Machine"].is_string())
        return std::nullopt;
    return job.value()["Machine"].get<std::string>();
}

}  // namespace

security::Access access_for(const http::Request& req, const std::string& prefix,
                            const std::string& tail, const objects::ObjectService& objects) {
    security::Access a;
    a.method = req.method;
    a.prefix = prefix;
    a.decode = query_flag(req, "decode");
    // Param names contain '/', so a params object's key is the whole rest of the path.
    std::string id = prefix == "params" ? tail : tail.substr(0, tail.find('/'));
    if (prefix != "params" && id.size() < tail.size()) {
        std::string sub = tail.substr(id.size() + 1);
        a.sub = sub.substr(0, sub.find('/'));
    }
    if (!id.empty() && objects.has_collection(prefix)) {
        std::optional<std::string> key;
        objects.store().read(
            [&](const store::ReadView& view) { key = objects.resolve_key(view, prefix, id); });
        a.key = key.value_or(id);
    } else {
        a.key = id;
    }
    if (prefix == "jobs") a.job_machine = job_machine(req, a.key, objects);
    return a;
}

}  // namespace drover::api_routes
