// Conversions with spf13/cast and Sprig semantics (see sprig_util.hpp).
#include "common/tmpl/sprig_util.hpp"

#include <cmath>

#include "common/tmpl/gofmt.hpp"
#include "common/tmpl/strconv.hpp"

namespace drover::tmpl::sprig {

std::string strval(const Value& v) {
    if (v.type == GoType::String) return v.s;
    if (v.obj) {
        if (auto s = v.obj->stringer()) return *s;
    }
    return sprint_value(v);
}

int64_t float_to_int64(double f) {
    if (std::isnan(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0) {
        return INT64_MIN;
    }
    return static_cast<int64_t>(f);
}

namespace {

std::string trim_zero_decimal(const std::string& s) {
    bool found_zero = false;
    for (size_t i = s.size(); i > 0; --i) {
        char c = s[i - 1];
        if (c == '.') {
            if (found_zero) return s.substr(0, i - 1);
        } else if (c == '0') {
            found_zero = true;
        } else {
            return s;
        }
    }
    return s;
}

std::optional<double> cast_parse_float(const std::string& s) {
    std::string l;
    for (char c : s)
        l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view b = l;
    bool neg = false;
    if (!b.empty() && (b[0] == '+' || b[0] == '-')) {
        neg = b[0] == '-';
        b.remove_prefix(1);
    }
    if (b == "inf" || b == "infinity") return neg ? -INFINITY : INFINITY;
    if (b == "nan" && l.size() == 3) return NAN;
    return go_parse_float(s);
}

}  // namespace

int64_t to_int64(const Value& v) {
    switch (v.type) {
        case GoType::Int:
        case GoType::Int64:
        case GoType::Uint8:
            return v.i;
        case GoType::Float64:
            return float_to_int64(v.f);
        case GoType::Bool:
            return v.b ? 1 : 0;
        case GoType::String: {
            auto r = go_parse_int(trim_zero_decimal(v.s));
            return r ? *r : 0;
        }
        default:
            return 0;
    }
}

double to_float64(const Value& v) {
    switch (v.type) {
        case GoType::Int:
        case GoType::Int64:
        case GoType::Uint8:
            return static_cast<double>(v.i);
        case GoType::Float64:
            return v.f;
        case GoType::Bool:
            return v.b ? 1 : 0;
        case GoType::String: {
            auto r = cast_parse_float(v.s);
            return r ? *r : 0;
        }
        default:
            return 0;
    }
}

bool empty(const Value& v) {
    switch (v.type) {
        case GoType::Invalid:
        case GoType::Nil:
            return true;
        case GoType::Bool:
            return !v.b;
        case GoType::Int:
        case GoType::Int64:
        case GoType::Uint8:
            return v.i == 0;
        case GoType::Float64:
            return v.f == 0;
        case GoType::String:
            return v.s.empty();
        case GoType::Object:
            return false;
        default:
            return v.size() == 0;
    }
}

void nil_deref() {
    throw CallError{"runtime error: invalid memory address or nil pointer dereference"};
}

std::string kind_of_arg(const Value& v) {
    return kind_name(v);
}

const List& require_list(const Value& v, const std::string& what) {
    if (!v.valid() || v.type == GoType::Nil) nil_deref();
    if (!v.is_list()) throw CallError{"Cannot " + what + " on type " + kind_name(v)};
    static const List kEmpty;
    return v.list ? *v.list : kEmpty;
}

Value iface_list(List l) {
    for (auto& e : l)
        e.boxed = false;
    return Value::list_of(std::move(l));
}

Value string_list(const std::vector<std::string>& l) {
    List out;
    out.reserve(l.size());
    for (const auto& s : l)
        out.push_back(Value::string(s));
    return Value::list_of(std::move(out), GoType::ListString);
}

}  // namespace drover::tmpl::sprig
