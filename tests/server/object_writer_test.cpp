// The object writer's Event text: byte for byte the JSON of model::Event as the codec writes it,
// with the documents spliced in as they were encoded for the store, so no document is encoded
// twice (BENCHMARKS.md) and no client sees a difference.
#include <catch2/catch.hpp>

#include "common/model/event.hpp"
#include "server/objects/object_writer.hpp"

using namespace drover;

namespace {

std::string via_codec(const std::string& type, const std::string& action, const std::string& key,
                      const std::string& principal, const model::Json* object,
                      const model::Json* original, const std::string& time) {
    model::Event e;
    e.time = time;
    e.type = type;
    e.action = action;
    e.key = key;
    e.principal = principal;
    if (object) e.object = *object;
    if (original) e.original = *original;
    return model::encode(e).dump();
}

std::string text_of(const model::Json* doc) {
    return doc ? doc->dump() : "null";
}

}  // namespace

TEST_CASE("event text: the same bytes as the codec's Event", "[objects][spec1.11]") {
    const model::Json object = model::Json::parse(
        R"({"Name":"m1","Params":{"a\"b":"\u00e9\n\t","n":[1,2.5,null,true]},"Uuid":"x"})");
    const model::Json original = {{"Name", "m0"}, {"Meta", model::Json::object()}};
    const std::string time = "2026-11-27T21:30:00.123456789Z";
    const std::string key = "k\"ey\\ with \x01 control";
    struct Case {
        const char* action;
        const model::Json* object;
        const model::Json* original;
    };
    for (const Case& c : {Case{"create", &object, nullptr}, Case{"update", &object, &original},
                          Case{"delete", nullptr, &original}}) {
        INFO(c.action);
        std::string text = objects::event_json({"machines", c.action, key, "user:rocket\u00e9",
                                                text_of(c.object), text_of(c.original), time});
        CHECK(text == via_codec("machines", c.action, key, "user:rocket\u00e9", c.object,
                                c.original, time));
        CHECK(model::Json::parse(text)["Key"] == key);
    }
}
