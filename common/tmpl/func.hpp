// Callable things of the template language: builtins, Sprig functions and methods of
// render-data objects share one signature model, so argument checking and the Go error
// messages about it ("wrong number of args", "wrong type for value") live in one place.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/tmpl/value.hpp"

namespace drover::tmpl {

// Go parameter types the functions declare; they decide how arguments are checked.
enum class Arg : uint8_t { Any, Reflect, String, Int, Int64, Float64, Bool, MapIface, ListString };

std::string arg_type_name(Arg a);

struct Signature {
    std::vector<Arg> in;  // when variadic, the last entry is the element type
    bool variadic = false;
};

// Thrown by implementations; the executor reports it as "error calling NAME: <msg>".
struct CallError {
    std::string msg;
};

using Impl = std::function<Value(const Value& self, std::vector<Value>& args)>;

struct Function {
    Signature sig;
    Impl fn;
};

using FuncMap = std::unordered_map<std::string, Function>;

const FuncMap& builtin_funcs();  // Go's predefined functions
const FuncMap& sprig_funcs();    // the Sprig map (looked up first, as Template.Funcs is)

// Sprig families register themselves into the map (one file per family).
void add_sprig_strings(FuncMap& m);
void add_sprig_lists(FuncMap& m);
void add_sprig_dicts(FuncMap& m);
void add_sprig_math(FuncMap& m);
void add_sprig_encoding(FuncMap& m);

// A Go object with methods and/or struct fields (render data, machine, semver).
class Object {
  public:
    virtual ~Object() = default;
    virtual std::string type_name() const = 0;
    virtual const Function* method(std::string_view name) const = 0;
    // A struct field; nullopt when there is none. *unexported is set for private fields.
    virtual std::optional<Value> field(std::string_view, bool* unexported) const {
        *unexported = false;
        return std::nullopt;
    }
    // Exported struct fields in declaration order (what encoding/json marshals).
    virtual std::vector<std::pair<std::string, Value>> exported_fields() const { return {}; }
    // fmt.Stringer, if the Go type has a String method.
    virtual std::optional<std::string> stringer() const { return std::nullopt; }
};

}  // namespace drover::tmpl
