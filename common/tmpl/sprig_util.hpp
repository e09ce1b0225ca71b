// Helpers shared by the Sprig function families: Go conversions as Sprig does them
// (spf13/cast's ToInt64/ToFloat64, strval, empty) and reflect-style list access.
#pragma once

#include <string>
#include <vector>

#include "common/tmpl/func.hpp"

namespace drover::tmpl::sprig {

std::string strval(const Value& v);
int64_t to_int64(const Value& v);
double to_float64(const Value& v);
bool empty(const Value& v);
// Go's int64(f) on amd64: out-of-range and NaN give math.MinInt64.
int64_t float_to_int64(double f);

// reflect.TypeOf(v).Kind() checks of Sprig's list helpers; throws CallError like Go's
// panics (nil => nil-pointer runtime error; other kinds => "Cannot <what> on type <kind>").
const List& require_list(const Value& v, const std::string& what);
std::string kind_of_arg(const Value& v);
[[noreturn]] void nil_deref();

inline Function fn(Signature sig, Impl impl) {
    return Function{std::move(sig), std::move(impl)};
}

// strings.SplitN (n < 0: all) and Sprig's strslice (any value as []string).
std::vector<std::string> go_split(const std::string& s, const std::string& sep, int64_t n);
std::vector<std::string> strslice(const Value& v);

// The list-typed result values Sprig produces.
Value iface_list(List l);
Value string_list(const std::vector<std::string>& l);

}  // namespace drover::tmpl::sprig
