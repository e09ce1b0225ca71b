#include "server/api/content_routes.hpp"

#include "common/content/bundle_parse.hpp"
#include "server/api/reply.hpp"
#include "server/objects/object_service.hpp"

namespace drover::api_routes {

namespace {

using model::Json;

constexpr const char* kModel = "contents";

// meta.Name of a document that did not parse as a bundle, for the error's Key.
std::string meta_name(const Json& doc) {
    auto meta = doc.is_object() ? doc.find("meta") : doc.end();
    if (meta == doc.end() || !meta->is_object()) return "";
    auto name = meta->find("Name");
    return name != meta->end() && name->is_string() ? name->get<std::string>() : "";
}

// One error for the whole bundle: every object's messages, each as "<prefix>/<key>: <msg>"
// (without the key prefix the validator already put there). Its status is the failures' own
// when they agree (409 for read-only objects), else 422.
model::Error bundle_error(const std::string& name, const std::vector<model::Error>& failures) {
    model::Error out = failures.front();
    for (const auto& f : failures)
        if (f.code != out.code) out = objects::invalid(kModel, name, {});
    out.model = kModel;
    out.key = name;
    out.messages.clear();
    for (const auto& f : failures) {
        std::string where = f.model + "/" + f.key + ": ";
        for (const auto& m : f.messages) {
            bool prefixed = !f.key.empty() && m.starts_with(f.key + ": ");
            out.messages.push_back(where + (prefixed ? m.substr(f.key.size() + 2) : m));
        }
    }
    return out;
}

objects::ObjectResult write_bundle(objects::ObjectService& objects, const content::Bundle& bundle,
                                   const objects::WriteContext& ctx) {
    const std::string name = content::bundle_name(bundle);
    return objects.transact(kModel, [&](objects::ObjectTxn& txn) -> objects::ObjectResult {
        std::vector<model::Error> failures;
        bundle.for_each_section([&](const auto& section) {
            using T = typename std::decay_t<decltype(section)>::value_type;
            for (const auto& obj : section) {
                Json body = model::encode(obj);
                body["Bundle"] = name;
                auto written = txn.get(T::kPrefix, obj.key())
                                   ? txn.replace(T::kPrefix, obj.key(), body, ctx)
                                   : txn.create(T::kPrefix, body, ctx);
                if (!written) failures.push_back(written.error());
            }
        });
        if (!failures.empty()) return objects::fail(bundle_error(name, failures));
        return Json();
    });
}

}  // namespace

void handle_contents(objects::ObjectService& objects, const std::string& rest,
                     const http::Request& req, http::Response& res,
                     const objects::WriteContext& ctx) {
    if (!rest.empty()) return reply_error(res, 404, "API_ERROR", "No such resource: " + req.path);
    if (req.method != "POST") {
        res.headers.emplace("Allow", "POST");
        return reply_error(res, 405, "MethodNotAllowed", "Method not allowed here; use POST",
                           kModel);
    }
    auto body = parse_body(req, res, kModel);
    if (!body) return;
    auto bundle = content::parse_document(*body, "");
    if (!bundle) {
        return reply_error(res, objects::invalid(kModel, meta_name(*body), bundle.error()));
    }
    auto written = write_bundle(objects, bundle.value(), ctx);
    if (!written) return reply_error(res, written.error());
    reply_json(res, 201, content::summary(bundle.value()));
}

}  // namespace drover::api_routes
