// Go's predefined template functions (funcs.go): comparisons with Go's kind rules and
// errors, index/len/not/call, print family and the html/js/urlquery escapers.
#include <cstdio>

#include "common/tmpl/exec.hpp"
#include "common/tmpl/func.hpp"
#include "common/tmpl/gofmt.hpp"

namespace drover::tmpl {

namespace {

enum class Kind { Invalid, Bool, Int, Float, String, Uint };

Kind basic_kind(const Value& v) {
    switch (v.type) {
        case GoType::Bool:
            return Kind::Bool;
        case GoType::Int:
        case GoType::Int64:
            return Kind::Int;
        case GoType::Uint8:
            return Kind::Uint;
        case GoType::Float64:
            return Kind::Float;
        case GoType::String:
            return Kind::String;
        default:
            return Kind::Invalid;
    }
}

Value indirect_iface(const Value& v) {
    if (v.type == GoType::Nil) return Value::invalid();
    return v.unboxed();
}

// reflect Kind identity, used by canCompare for non-basic values.
std::string reflect_kind(const Value& v) {
    return v.valid() ? kind_name(v) : "invalid";
}

bool is_nil(const Value& v) {
    if (!v.valid() || v.type == GoType::Nil) return true;
    if (v.is_list()) return v.list == nullptr;
    if (v.is_map()) return v.map == nullptr;
    return false;
}

std::string pct_s(const Value& v) {
    return sprintf("%s", {v});
}

bool eq_impl(const Value& a0, const std::vector<Value>& rest) {
    Value a1 = indirect_iface(a0);
    if (rest.empty()) throw CallError{"missing argument for comparison"};
    Kind k1 = basic_kind(a1);
    for (const Value& r : rest) {
        Value a = indirect_iface(r);
        Kind k2 = basic_kind(a);
        bool truth = false;
        if (k1 != k2) {
            if (k1 == Kind::Int && k2 == Kind::Uint) {
                truth = a1.i >= 0 && a1.i == a.i;
            } else if (k1 == Kind::Uint && k2 == Kind::Int) {
                truth = a.i >= 0 && a1.i == a.i;
            } else if (a1.valid() && a.valid()) {
                throw CallError{"incompatible types for comparison"};
            }
        } else {
            switch (k1) {
                case Kind::Bool:
                    truth = a1.b == a.b;
                    break;
                case Kind::Float:
                    truth = a1.f == a.f;
                    break;
                case Kind::Int:
                case Kind::Uint:
                    truth = a1.i == a.i;
                    break;
                case Kind::String:
                    truth = a1.s == a.s;
                    break;
                case Kind::Invalid: {
                    bool can = reflect_kind(a1) == reflect_kind(a) || !a1.valid() || !a.valid();
                    if (!can) {
                        throw CallError{"non-comparable types " + pct_s(a1) + ": " + type_name(a1) +
                                        ", " + type_name(a) + ": " + sprint_value(a)};
                    }
                    if (is_nil(a1) || is_nil(a)) {
                        truth = is_nil(a) == is_nil(a1);
                    } else if (a.is_list() || a.is_map()) {
                        throw CallError{"non-comparable type " + pct_s(a) + ": " + type_name(a)};
                    } else {
                        truth = a1.obj == a.obj;
                    }
                    break;
                }
            }
        }
        if (truth) return true;
    }
    return false;
}

bool lt_impl(const Value& x, const Value& y) {
    Value a1 = indirect_iface(x);
    Kind k1 = basic_kind(a1);
    if (k1 == Kind::Invalid) throw CallError{"invalid type for comparison"};
    Value a2 = indirect_iface(y);
    Kind k2 = basic_kind(a2);
    if (k2 == Kind::Invalid) throw CallError{"invalid type for comparison"};
    if (k1 != k2) {
        if (k1 == Kind::Int && k2 == Kind::Uint) return a1.i < 0 || a1.i < a2.i;
        if (k1 == Kind::Uint && k2 == Kind::Int) return a2.i >= 0 && a1.i < a2.i;
        throw CallError{"incompatible types for comparison"};
    }
    switch (k1) {
        case Kind::Bool:
            throw CallError{"invalid type for comparison"};
        case Kind::Float:
            return a1.f < a2.f;
        case Kind::String:
            return a1.s < a2.s;
        default:
            return a1.i < a2.i;
    }
}

bool le_impl(const Value& a, const Value& b) {
    return lt_impl(a, b) || eq_impl(a, {b});
}

// The type after Go's indirect(): a struct pointer is reported as the struct type.
std::string pointee_type_name(const Value& v) {
    std::string t = type_name(v);
    if (v.type == GoType::Object && t[0] == '*') t.erase(0, 1);
    return t;
}

Value length(const Value& v) {
    if (v.type == GoType::Nil) throw CallError{"len of nil pointer"};
    if (!v.valid()) throw CallError{"reflect: call of reflect.Value.Type on zero Value"};
    if (v.type == GoType::String || v.is_list() || v.is_map()) {
        return Value::integer(static_cast<int64_t>(v.size()));
    }
    throw CallError{"len of type " + pointee_type_name(v)};
}

int64_t index_arg(const Value& idx, size_t cap) {
    if (!idx.valid()) throw CallError{"cannot index slice/array with nil"};
    if (!idx.is_int()) throw CallError{"cannot index slice/array with type " + type_name(idx)};
    if (idx.i < 0 || static_cast<uint64_t>(idx.i) > cap) {
        throw CallError{"index out of range: " + std::to_string(idx.i)};
    }
    return idx.i;
}

Value index_fn(const Value&, std::vector<Value>& args) {
    Value item = indirect_iface(args[0]);
    if (!item.valid()) throw CallError{"index of untyped nil"};
    for (size_t k = 1; k < args.size(); ++k) {
        Value idx = indirect_iface(args[k]);
        if (item.type == GoType::Nil) throw CallError{"index of nil pointer"};
        if (item.type == GoType::String) {
            int64_t x = index_arg(idx, item.s.size());
            if (static_cast<size_t>(x) >= item.s.size()) {
                throw CallError{"reflect: string index out of range"};
            }
            item = Value::integer(static_cast<unsigned char>(item.s[x]), GoType::Uint8);
        } else if (item.is_list()) {
            int64_t x = index_arg(idx, item.size());
            if (static_cast<size_t>(x) >= item.size()) {
                throw CallError{"reflect: slice index out of range"};
            }
            item = element_of(item, (*item.list)[x]);
        } else if (item.is_map()) {
            if (!idx.valid()) throw CallError{"value is nil; should be of type string"};
            if (idx.type != GoType::String) {
                throw CallError{"value has type " + type_name(idx) + "; should be string"};
            }
            auto it = item.map ? item.map->find(idx.s) : Map::iterator{};
            if (item.map && it != item.map->end()) {
                item = element_of(item, it->second);
            } else if (item.type == GoType::MapString) {
                item = Value::string("");
            } else {
                item = Value::nil();
                item.boxed = true;
            }
        } else {
            throw CallError{"can't index item of type " + pointee_type_name(item)};
        }
    }
    return item;
}

std::string eval_args(const std::vector<Value>& args) {
    if (args.size() == 1 && args[0].type == GoType::String) return args[0].s;
    std::vector<Value> a = args;
    for (auto& v : a) {
        if (!v.valid() || v.type == GoType::Nil) v = Value::string("<no value>");
    }
    return sprint(a);
}

std::string html_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '\0':
                out += "\xEF\xBF\xBD";
                break;
            case '"':
                out += "&#34;";
                break;
            case '\'':
                out += "&#39;";
                break;
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string js_escape(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
                case '\\':
                    out += "\\\\";
                    break;
                case '\'':
                    out += "\\'";
                    break;
                case '"':
                    out += "\\\"";
                    break;
                case '<':
                    out += "\\u003C";
                    break;
                case '>':
                    out += "\\u003E";
                    break;
                case '&':
                    out += "\\u0026";
                    break;
                case '=':
                    out += "\\u003D";
                    break;
                default:
                    if (c < ' ') {
                        char buf[8];
                        std::snprintf(buf, sizeof buf, "\\u00%02X", c);
                        out += buf;
                    } else {
                        out += static_cast<char>(c);
                    }
            }
            ++i;
            continue;
        }
        size_t w;
        char32_t r = decode_rune(s, i, &w);
        if (is_print_rune(r)) {
            out.append(s, i, w);
        } else {
            char buf[16];
            std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(r));
            out += buf;
        }
        i += w;
    }
    return out;
}

std::string url_query_escape(const std::string& s) {
    std::string out;
    const char* hex = "0123456789ABCDEF";
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += ch;
        } else if (c == ' ') {
            out += '+';
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

Function fn(Signature sig, Impl impl) {
    return Function{std::move(sig), std::move(impl)};
}

FuncMap make_builtins() {
    FuncMap m;
    const Signature variadic_reflect{{Arg::Reflect, Arg::Reflect}, true};
    const Signature two_reflect{{Arg::Reflect, Arg::Reflect}, false};
    const Signature any_variadic{{Arg::Any}, true};
    m["and"] = fn(variadic_reflect, nullptr);
    m["or"] = fn(variadic_reflect, nullptr);
    m["not"] = fn({{Arg::Reflect}}, [](const Value&, std::vector<Value>& a) {
        return Value::boolean(!is_true(a[0]));
    });
    m["len"] =
        fn({{Arg::Reflect}}, [](const Value&, std::vector<Value>& a) { return length(a[0]); });
    m["index"] = fn(variadic_reflect, index_fn);
    m["slice"] = fn(variadic_reflect, [](const Value&, std::vector<Value>&) -> Value {
        throw CallError{"slice: shadowed by Sprig"};
    });
    m["print"] = fn(any_variadic,
                    [](const Value&, std::vector<Value>& a) { return Value::string(sprint(a)); });
    m["println"] = fn(any_variadic, [](const Value&, std::vector<Value>& a) {
        return Value::string(sprintln(a));
    });
    m["printf"] = fn({{Arg::String, Arg::Any}, true}, [](const Value&, std::vector<Value>& a) {
        std::vector<Value> rest(a.begin() + 1, a.end());
        return Value::string(sprintf(a[0].s, rest));
    });
    m["html"] = fn(any_variadic, [](const Value&, std::vector<Value>& a) {
        return Value::string(html_escape(eval_args(a)));
    });
    m["js"] = fn(any_variadic, [](const Value&, std::vector<Value>& a) {
        return Value::string(js_escape(eval_args(a)));
    });
    m["urlquery"] = fn(any_variadic, [](const Value&, std::vector<Value>& a) {
        return Value::string(url_query_escape(eval_args(a)));
    });
    m["call"] = fn(variadic_reflect, [](const Value&, std::vector<Value>& a) -> Value {
        Value f = indirect_iface(a[0]);
        if (!f.valid()) throw CallError{"call of nil"};
        throw CallError{"non-function of type " + type_name(f)};
    });
    m["eq"] = fn(variadic_reflect, [](const Value&, std::vector<Value>& a) {
        std::vector<Value> rest(a.begin() + 1, a.end());
        return Value::boolean(eq_impl(a[0], rest));
    });
    m["ne"] = fn(two_reflect, [](const Value&, std::vector<Value>& a) {
        return Value::boolean(!eq_impl(a[0], {a[1]}));
    });
    m["lt"] = fn(two_reflect, [](const Value&, std::vector<Value>& a) {
        return Value::boolean(lt_impl(a[0], a[1]));
    });
    m["le"] = fn(two_reflect, [](const Value&, std::vector<Value>& a) {
        return Value::boolean(le_impl(a[0], a[1]));
    });
    m["gt"] = fn(two_reflect, [](const Value&, std::vector<Value>& a) {
        return Value::boolean(!le_impl(a[0], a[1]));
    });
    m["ge"] = fn(two_reflect, [](const Value&, std::vector<Value>& a) {
        return Value::boolean(!lt_impl(a[0], a[1]));
    });
    return m;
}

}  // namespace

const FuncMap& builtin_funcs() {
    static const FuncMap m = make_builtins();
    return m;
}

}  // namespace drover::tmpl
