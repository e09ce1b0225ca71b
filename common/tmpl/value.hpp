// A value flowing through template execution, modelled on the reflect.Value that Go's
// text/template sees for JSON-decoded data. The Go type (not just a JSON kind) is kept because
// printing, comparisons, argument checks and error messages all depend on it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace drover::tmpl {

struct Value;
class Object;
using List = std::vector<Value>;
using Map = std::map<std::string, Value>;  // std::map order == Go's sorted string keys

enum class GoType : uint8_t {
    Invalid,  // reflect.Value{}: a missing key; prints "<no value>"
    Nil,      // a nil interface{} (JSON null inside a container, nil function result)
    Bool,
    Int,      // Go int (template constants, len, atoi)
    Int64,    // Go int64 (Sprig arithmetic)
    Uint8,    // a byte (index of a string)
    Float64,  // every JSON number
    String,
    ListIface,   // []interface{}
    ListString,  // []string
    ListInt,     // []int
    MapIface,    // map[string]interface{} (a named map type when obj is set, e.g. main.machine)
    MapString,   // map[string]string
    Object,      // a struct pointer with methods (render data, semver)
};

struct Value {
    GoType type = GoType::Invalid;
    bool boxed = false;  // static type is interface{} (element of a generic container)
    bool b = false;
    int64_t i = 0;
    double f = 0;
    std::string s;
    std::shared_ptr<List> list;  // null for a nil slice
    std::shared_ptr<Map> map;    // null for a nil map; shared: Go maps are references
    std::shared_ptr<const Object> obj;

    static Value invalid() { return {}; }
    static Value nil() {
        Value v;
        v.type = GoType::Nil;
        return v;
    }
    static Value boolean(bool x) {
        Value v;
        v.type = GoType::Bool;
        v.b = x;
        return v;
    }
    static Value integer(int64_t x, GoType t = GoType::Int) {
        Value v;
        v.type = t;
        v.i = x;
        return v;
    }
    static Value number(double x) {
        Value v;
        v.type = GoType::Float64;
        v.f = x;
        return v;
    }
    static Value string(std::string x) {
        Value v;
        v.type = GoType::String;
        v.s = std::move(x);
        return v;
    }
    static Value list_of(List l, GoType t = GoType::ListIface) {
        Value v;
        v.type = t;
        v.list = std::make_shared<List>(std::move(l));
        return v;
    }
    static Value map_of(Map m, GoType t = GoType::MapIface) {
        Value v;
        v.type = t;
        v.map = std::make_shared<Map>(std::move(m));
        return v;
    }

    bool valid() const { return type != GoType::Invalid; }
    bool is_nil_iface() const { return type == GoType::Nil; }
    bool is_int() const {
        return type == GoType::Int || type == GoType::Int64 || type == GoType::Uint8;
    }
    bool is_list() const {
        return type == GoType::ListIface || type == GoType::ListString || type == GoType::ListInt;
    }
    bool is_map() const { return type == GoType::MapIface || type == GoType::MapString; }
    size_t size() const;  // len() of a string, list or map
    // The value as interface{} holds it: the same value with the container flag cleared.
    Value unboxed() const {
        Value v = *this;
        v.boxed = false;
        return v;
    }
};

// Go's %T of the dynamic value ("float64", "[]interface {}", "main.machine", "<nil>").
std::string type_name(const Value& v);
// Go's static type: "interface {}" for a boxed value, else type_name.
std::string static_type_name(const Value& v);
// reflect.Kind name ("float64", "slice", "map", "ptr", "invalid").
std::string kind_name(const Value& v);
// Element of a container as Go hands it out (boxed for interface{} containers).
Value element_of(const Value& container, const Value& elem);

// Go's reflect.DeepEqual on values of JSON-like shape.
bool deep_equal(const Value& a, const Value& b);

// True when `v` is, or holds at any depth, one of `maps`. Storing such a value into one of them
// would make a cycle, which Go's garbage collector frees but shared_ptr cannot (a leak), and
// which printing it would follow forever; set and merge refuse it.
bool holds_any_map(const Value& v, const std::vector<const Map*>& maps);

}  // namespace drover::tmpl
