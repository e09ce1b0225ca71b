// Parts shared by the model's objects: `Extensible` keeps unknown JSON keys (content written for
// newer servers must not be dropped), `Envelope` is spec 1.0's common envelope (Validated,
// Available, Errors, ReadOnly, Meta, Endpoint, Bundle) that every stored object embeds.
#pragma once
#include "common/model/codec.hpp"

namespace drover::model {

struct Extensible {
    Json extras = Json::object();
};

struct Envelope : Extensible {
    bool validated = false;
    bool available = false;
    Errors errors;
    bool read_only = false;
    Meta meta;
    std::string endpoint;
    std::string bundle;

    template <class V, class Self>
    static void envelope_fields(V& v, Self& s) {
        v("Validated", s.validated);
        v("Available", s.available);
        v("Errors", s.errors);
        v("ReadOnly", s.read_only);
        v("Meta", s.meta);
        v("Endpoint", s.endpoint);
        v("Bundle", s.bundle);
    }
};

// Param maps (Machine, Stage, Profile): param name -> any JSON value.
using Params = std::map<std::string, Json>;

// spec 1.2 ExtraClaims entries; the only lower-case JSON keys of the model.
struct Claim : Extensible {
    static constexpr const char* kTypeName = "Claim";
    std::string scope;
    std::string action;
    std::string specific;

    template <class V, class Self>
    static void fields(V& v, Self& s) {
        v("scope", s.scope);
        v("action", s.action);
        v("specific", s.specific);
    }
};

}  // namespace drover::model
