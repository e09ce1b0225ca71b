// JSON codec for the data model: each object lists its fields once (a `fields(visitor, obj)`
// member template) and that one list drives both encoding and decoding. Decoding collects every
// type error with its path and keeps unknown keys in `extras`, so they survive a round trip.
#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <vector>

namespace drover::model {

using Json = nlohmann::json;
using Meta = std::map<std::string, std::string>;
using Errors = std::vector<std::string>;

template <class T>
Json encode(const T& obj);

// The Meta map of any object's JSON (clients read it without decoding the whole object);
// non-string values are skipped, as Meta holds strings only.
Meta meta_of(const Json& obj);

namespace codec_detail {

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <class T>
struct is_map : std::false_type {};
template <class T>
struct is_map<std::map<std::string, T>> : std::true_type {};

const char* json_type_name(const Json& j);

template <class T>
Json to_wire(const T& v) {
    if constexpr (is_vector<T>::value) {
        Json out = Json::array();
        for (const auto& e : v)
            out.push_back(to_wire(e));
        return out;
    } else if constexpr (is_map<T>::value) {
        Json out = Json::object();
        for (const auto& [k, e] : v)
            out[k] = to_wire(e);
        return out;
    } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool> ||
                         std::is_arithmetic_v<T> || std::is_same_v<T, Json>) {
        return Json(v);
    } else {
        return encode(v);
    }
}

class FieldWriter {
  public:
    explicit FieldWriter(Json& out) : out_(out) {}
    template <class T>
    void operator()(const char* name, const T& value) {
        out_[name] = to_wire(value);
    }

  private:
    Json& out_;
};

class FieldReader;

template <class T>
void from_wire(const Json& j, T& out, const std::string& path, Errors& errs);

void type_error(Errors& errs, const std::string& path, const char* expected, const Json& got);

template <class T>
void decode_object(const Json& j, T& obj, const std::string& path, Errors& errs);

template <class T>
void from_wire(const Json& j, T& out, const std::string& path, Errors& errs) {
    // Go's decoder leaves a field untouched on null; so do we.
    if (j.is_null() && !std::is_same_v<T, Json>) return;
    if constexpr (std::is_same_v<T, Json>) {
        out = j;
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (j.is_string())
            out = j.get<std::string>();
        else
            type_error(errs, path, "string", j);
    } else if constexpr (std::is_same_v<T, bool>) {
        if (j.is_boolean())
            out = j.get<bool>();
        else
            type_error(errs, path, "boolean", j);
    } else if constexpr (std::is_integral_v<T>) {
        if (j.is_number_integer())
            out = j.get<T>();
        else
            type_error(errs, path, "integer", j);
    } else if constexpr (std::is_floating_point_v<T>) {
        if (j.is_number())
            out = j.get<T>();
        else
            type_error(errs, path, "number", j);
    } else if constexpr (is_vector<T>::value) {
        if (!j.is_array()) return type_error(errs, path, "array", j);
        out.assign(j.size(), typename T::value_type{});
        for (std::size_t i = 0; i < j.size(); ++i)
            from_wire(j[i], out[i], path + "[" + std::to_string(i) + "]", errs);
    } else if constexpr (is_map<T>::value) {
        if (!j.is_object()) return type_error(errs, path, "object", j);
        out.clear();
        for (const auto& [k, e] : j.items())
            from_wire(e, out[k], path + "." + k, errs);
    } else {
        decode_object(j, out, path, errs);
    }
}

class FieldReader {
  public:
    FieldReader(const Json& src, std::string path, Errors& errs)
        : src_(src), path_(std::move(path)), errs_(errs) {}
    template <class T>
    void operator()(const char* name, T& value) {
        known_.push_back(name);
        auto it = src_.find(name);
        if (it != src_.end()) from_wire(*it, value, path_ + "." + name, errs_);
    }
    // The keys of the source that no field claimed.
    Json unknown_keys() const;

  private:
    const Json& src_;
    std::string path_;
    Errors& errs_;
    std::vector<const char*> known_;
};

template <class T>
void decode_object(const Json& j, T& obj, const std::string& path, Errors& errs) {
    if (!j.is_object()) return type_error(errs, path, "object", j);
    FieldReader reader(j, path, errs);
    T::fields(reader, obj);
    obj.extras = reader.unknown_keys();
}

}  // namespace codec_detail

// The object as DRP JSON: every known field (Go emits zero values too) plus the unknown ones.
template <class T>
Json encode(const T& obj) {
    Json out = obj.extras.is_object() ? obj.extras : Json::object();
    codec_detail::FieldWriter writer(out);
    T::fields(writer, obj);
    return out;
}

// Decodes `j` into a T; returns every type error ("Machine.Name: expected string, got number").
// Fields absent from `j` keep T's defaults.
template <class T>
Errors decode(const Json& j, T& out) {
    Errors errs;
    codec_detail::decode_object(j, out, T::kTypeName, errs);
    return errs;
}

}  // namespace drover::model
