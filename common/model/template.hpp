// spec 1.3: Template (a global, named Go text/template) and TemplateInfo, the reference to one
// embedded in Tasks, Stages and BootEnvs (exactly one of ID / Contents, or a Link).
#pragma once
#include "common/model/envelope.hpp"

namespace drover::model {

struct Template : Envelope {
    static constexpr const char* kTypeName = "Template";
    static constexpr const char* kPrefix = "templates";
    static constexpr const char* kKeyName = "ID";
    std::string id;
    std::string description;
    std::string contents;

    const std::string& key() const { return id; }

    template <class V, class Self>
    static void fields(V& v, Self& s) {
        envelope_fields(v, s);
        v("ID", s.id);
        v("Description", s.description);
        v("Contents", s.contents);
    }
};

struct TemplateInfo : Extensible {
    static constexpr const char* kTypeName = "TemplateInfo";
    std::string name;
    std::string path;
    std::string id;
    std::string contents;
    std::string link;
    Meta meta;

    template <class V, class Self>
    static void fields(V& v, Self& s) {
        v("Name", s.name);
        v("Path", s.path);
        v("ID", s.id);
        v("Contents", s.contents);
        v("Link", s.link);
        v("Meta", s.meta);
    }
};

// spec 1.0/1.3: a Template's own errors, each prefixed "<ID>: ". Whether Contents parses as a
// Go template is checked by the template engine, not here.
Errors validate(const Template& t);

// spec 1.3: the checks on one TemplateInfo at `index` of its owner (unprefixed messages).
// Stages and BootEnvs require a Path; Tasks do not (an empty Path means a script).
Errors validate_template_info(const TemplateInfo& ti, std::size_t index, bool path_required);

}  // namespace drover::model
