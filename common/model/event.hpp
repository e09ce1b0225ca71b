// spec 1.11: an Event, the wire object of the event stream (not stored as an object). Its
// subscription subject is "Type.Action.Key"; Object/Original are the object after/before.
#pragma once
#include "common/model/envelope.hpp"

namespace drover::model {

struct Event : Extensible {
    static constexpr const char* kTypeName = "Event";
    std::string time;
    std::string type;
    std::string action;
    std::string key;
    std::string principal;
    Json object;
    Json original;

    template <class V, class Self>
    static void fields(V& v, Self& s) {
        v("Time", s.time);
        v("Type", s.type);
        v("Action", s.action);
        v("Key", s.key);
        v("Principal", s.principal);
        v("Object", s.object);
        v("Original", s.original);
    }
};

// "Type.Action.Key", the subject filters match against (spec 6.6).
std::string subject(const Event& e);

}  // namespace drover::model
