// Sprig integer/float math (numeric.go and the inline funcs of functions.go): operands go
// through cast.ToInt64 / ToFloat64, so strings and floats are accepted and truncated.
#include <cmath>

#include "common/tmpl/sprig_util.hpp"
#include "common/tmpl/strconv.hpp"

namespace drover::tmpl {

using namespace sprig;

namespace {

Value i64(int64_t v) {
    return Value::integer(v, GoType::Int64);
}

// Go integer arithmetic wraps; do it in unsigned to avoid C++ overflow UB.
int64_t wrap_add(int64_t a, int64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t wrap_mul(int64_t a, int64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

int64_t checked_div(int64_t a, int64_t b, bool mod) {
    if (b == 0) throw CallError{"runtime error: integer divide by zero"};
    if (b == -1) return mod ? 0 : static_cast<int64_t>(0 - static_cast<uint64_t>(a));
    return mod ? a % b : a / b;
}

double go_round(const Value& a, int64_t places, double round_on) {
    double val = to_float64(a);
    double pow = std::pow(10.0, static_cast<double>(places));
    double digit = pow * val;
    double ip;
    double div = std::modf(digit, &ip);
    double r = div >= round_on ? std::ceil(digit) : std::floor(digit);
    return r / pow;
}

}  // namespace

void add_sprig_math(FuncMap& m) {
    const Signature two{{Arg::Any, Arg::Any}};
    m["add1"] = fn({{Arg::Any}}, [](const Value&, std::vector<Value>& a) {
        return i64(wrap_add(to_int64(a[0]), 1));
    });
    m["add"] = fn({{Arg::Any}, true}, [](const Value&, std::vector<Value>& a) {
        int64_t s = 0;
        for (const auto& v : a)
            s = wrap_add(s, to_int64(v));
        return i64(s);
    });
    m["sub"] = fn(two, [](const Value&, std::vector<Value>& a) {
        return i64(wrap_add(to_int64(a[0]),
                            static_cast<int64_t>(0 - static_cast<uint64_t>(to_int64(a[1])))));
    });
    m["mul"] = fn({{Arg::Any, Arg::Any}, true}, [](const Value&, std::vector<Value>& a) {
        int64_t p = to_int64(a[0]);
        for (size_t i = 1; i < a.size(); ++i)
            p = wrap_mul(p, to_int64(a[i]));
        return i64(p);
    });
    m["div"] = fn(two, [](const Value&, std::vector<Value>& a) {
        return i64(checked_div(to_int64(a[0]), to_int64(a[1]), false));
    });
    m["mod"] = fn(two, [](const Value&, std::vector<Value>& a) {
        return i64(checked_div(to_int64(a[0]), to_int64(a[1]), true));
    });
    Impl max = [](const Value&, std::vector<Value>& a) {
        int64_t r = to_int64(a[0]);
        for (size_t i = 1; i < a.size(); ++i)
            r = std::max(r, to_int64(a[i]));
        return i64(r);
    };
    m["max"] = fn({{Arg::Any, Arg::Any}, true}, max);
    m["biggest"] = m["max"];
    m["min"] = fn({{Arg::Any, Arg::Any}, true}, [](const Value&, std::vector<Value>& a) {
        int64_t r = to_int64(a[0]);
        for (size_t i = 1; i < a.size(); ++i)
            r = std::min(r, to_int64(a[i]));
        return i64(r);
    });
    m["maxf"] = fn({{Arg::Any, Arg::Any}, true}, [](const Value&, std::vector<Value>& a) {
        double r = to_float64(a[0]);
        for (size_t i = 1; i < a.size(); ++i)
            r = std::fmax(r, to_float64(a[i]));
        return Value::number(r);
    });
    m["minf"] = fn({{Arg::Any, Arg::Any}, true}, [](const Value&, std::vector<Value>& a) {
        double r = to_float64(a[0]);
        for (size_t i = 1; i < a.size(); ++i)
            r = std::fmin(r, to_float64(a[i]));
        return Value::number(r);
    });
    m["int"] = fn({{Arg::Any}}, [](const Value&, std::vector<Value>& a) {
        return Value::integer(to_int64(a[0]));
    });
    m["int64"] =
        fn({{Arg::Any}}, [](const Value&, std::vector<Value>& a) { return i64(to_int64(a[0])); });
    m["float64"] = fn({{Arg::Any}}, [](const Value&, std::vector<Value>& a) {
        return Value::number(to_float64(a[0]));
    });
    m["atoi"] = fn({{Arg::String}}, [](const Value&, std::vector<Value>& a) {
        auto r = go_parse_int_base(a[0].s, 10);
        return Value::integer(r ? *r : 0);
    });
    m["floor"] = fn({{Arg::Any}}, [](const Value&, std::vector<Value>& a) {
        return Value::number(std::floor(to_float64(a[0])));
    });
    m["ceil"] = fn({{Arg::Any}}, [](const Value&, std::vector<Value>& a) {
        return Value::number(std::ceil(to_float64(a[0])));
    });
    m["round"] =
        fn({{Arg::Any, Arg::Int, Arg::Float64}, true}, [](const Value&, std::vector<Value>& a) {
            return Value::number(go_round(a[0], a[1].i, a.size() > 2 ? a[2].f : 0.5));
        });
    m["toDecimal"] = fn({{Arg::Any}}, [](const Value&, std::vector<Value>& a) {
        auto r = go_parse_int_base(strval(a[0]), 8);
        return i64(r ? *r : 0);
    });
}

}  // namespace drover::tmpl
