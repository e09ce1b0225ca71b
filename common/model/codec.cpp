#include "common/model/codec.hpp"

#include <algorithm>
#include <cstring>

namespace drover::model::codec_detail {

const char* json_type_name(const Json& j) {
    switch (j.type()) {
        case Json::value_t::null:
            return "null";
        case Json::value_t::object:
            return "object";
        case Json::value_t::array:
            return "array";
        case Json::value_t::string:
            return "string";
        case Json::value_t::boolean:
            return "boolean";
        case Json::value_t::number_float:
            return "number";
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned:
            return "integer";
        default:
            return "binary";
    }
}

void type_error(Errors& errs, const std::string& path, const char* expected, const Json& got) {
    errs.push_back(path + ": expected " + expected + ", got " + json_type_name(got));
}

Json FieldReader::unknown_keys() const {
    Json rest = Json::object();
    for (const auto& item : src_.items()) {
        const std::string& k = item.key();  // a plain name: clang 14 cannot capture a binding
        bool known = std::any_of(known_.begin(), known_.end(),
                                 [&](const char* n) { return std::strcmp(n, k.c_str()) == 0; });
        if (!known) rest[k] = item.value();
    }
    return rest;
}

}  // namespace drover::model::codec_detail

namespace drover::model {

Meta meta_of(const Json& obj) {
    Meta out;
    auto meta = obj.is_object() ? obj.find("Meta") : obj.end();
    if (meta == obj.end() || !meta->is_object()) return out;
    for (auto it = meta->begin(); it != meta->end(); ++it)
        if (it->is_string()) out[it.key()] = it->get<std::string>();
    return out;
}

}  // namespace drover::model
