// spec 1.9: a Profile: a named bag of params, with nested profiles consulted after its own
// params (spec 8). The profile `global` is the lowest-precedence source.
#pragma once
#include "common/model/envelope.hpp"

namespace drover::model {

struct Profile : Envelope {
    static constexpr const char* kTypeName = "Profile";
    static constexpr const char* kPrefix = "profiles";
    static constexpr const char* kKeyName = "Name";
    std::string name;
    std::string description;
    std::string documentation;
    Params params;
    std::vector<std::string> profiles;
    bool partial = false;

    const std::string& key() const { return name; }

    template <class V, class Self>
    static void fields(V& v, Self& s) {
        envelope_fields(v, s);
        v("Name", s.name);
        v("Description", s.description);
        v("Documentation", s.documentation);
        v("Params", s.params);
        v("Profiles", s.profiles);
        v("Partial", s.partial);
    }
};

Errors validate(const Profile& p);

}  // namespace drover::model
