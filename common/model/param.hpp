// spec 1.10: a Param definition: a name, a JSON Schema that values set anywhere must satisfy,
// and Secure (encrypted at rest). A schema `default` makes the param "exist" (spec 7.2, 8).
#pragma once
#include <optional>

#include "common/model/envelope.hpp"

namespace drover::model {

struct Param : Envelope {
    static constexpr const char* kTypeName = "Param";
    static constexpr const char* kPrefix = "params";
    static constexpr const char* kKeyName = "Name";
    std::string name;
    std::string description;
    std::string documentation;
    bool secure = false;
    Json schema = Json::object();

    const std::string& key() const { return name; }

    template <class V, class Self>
    static void fields(V& v, Self& s) {
        envelope_fields(v, s);
        v("Name", s.name);
        v("Description", s.description);
        v("Documentation", s.documentation);
        v("Secure", s.secure);
        v("Schema", s.schema);
    }
};

// spec 1.10 DefaultValue(): Schema.default when present (present-but-null counts as present).
std::optional<Json> default_value(const Param& p);

// spec 1.10: name rules and the Schema's shape (an object). Compiling the schema and checking the
// default against it is the JSON Schema validator's job, done by the server on save.
Errors validate(const Param& p);

}  // namespace drover::model
