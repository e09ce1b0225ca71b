// Validation of the type-specific keyword families: numbers (bounds, multipleOf), strings
// (length in code points, pattern, format), arrays (items, contains, counts, uniqueness) and
// objects (properties, patternProperties, additionalProperties, required, dependencies, ...).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>

#include "common/jsonschema/evaluator.hpp"

namespace drover::jsonschema {

namespace {

// Exact for any mix of int64, uint64 and double: long double holds every int64 exactly on the
// platforms we build for, and two integers are compared as integers.
int compare_numbers(const Json& a, const Json& b) {
    if (a.is_number_float() || b.is_number_float()) {
        auto x = a.get<long double>(), y = b.get<long double>();
        return (x > y) - (x < y);
    }
    if (a.is_number_unsigned() != b.is_number_unsigned()) {
        const Json& signed_one = a.is_number_unsigned() ? b : a;
        if (signed_one.get<std::int64_t>() < 0) return a.is_number_unsigned() ? 1 : -1;
    }
    if (a.is_number_unsigned() || b.is_number_unsigned()) {
        auto x = a.get<std::uint64_t>(), y = b.get<std::uint64_t>();
        return (x > y) - (x < y);
    }
    auto x = a.get<std::int64_t>(), y = b.get<std::int64_t>();
    return (x > y) - (x < y);
}

std::uint64_t magnitude(const Json& v) {
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    auto s = v.get<std::int64_t>();
    return s < 0 ? static_cast<std::uint64_t>(-(s + 1)) + 1 : static_cast<std::uint64_t>(s);
}

// Integers exactly; otherwise within a relative 1e-9, since 0.3 / 0.1 is 2.9999999999999996
// in binary floating point and schema authors mean decimal arithmetic.
bool is_multiple_of(const Json& value, const Json& divisor) {
    if (value.is_number_integer() && divisor.is_number_integer())
        return magnitude(value) % magnitude(divisor) == 0;
    long double q = value.get<long double>() / divisor.get<long double>();
    if (!std::isfinite(q)) return false;
    return std::fabs(q - std::round(q)) <= 1e-9L * std::max(1.0L, std::fabs(q));
}

// UTF-8 code points: every byte that is not a continuation byte starts one.
std::size_t code_points(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string plural(std::size_t n, std::string_view word) {
    std::string out = std::to_string(n) + " " + std::string(word);
    if (n == 1) return out;
    if (word.back() == 'y') return out.substr(0, out.size() - 1) + "ies";
    return out + "s";
}

// libstdc++ reports runaway backtracking as regex_error; that counts as "no match".
bool search(const std::string& s, const std::regex& re) {
    try {
        return std::regex_search(s, re);
    } catch (const std::regex_error&) {
        return false;
    }
}

}  // namespace

bool Evaluator::check_number(const Node& node, const Json& instance) {
    bool ok = true;
    for (const auto& bound : node.bounds) {
        int cmp = compare_numbers(instance, bound.limit);
        bool bad = bound.upper ? (cmp > 0 || (bound.exclusive && cmp == 0))
                               : (cmp < 0 || (bound.exclusive && cmp == 0));
        if (!bad) continue;
        std::string relation = bound.upper ? "greater than " : "less than ";
        if (bound.exclusive) relation += "or equal to ";
        std::string limit = std::string(bound.exclusive ? "the exclusive " : "the ") +
                            (bound.upper ? "maximum " : "minimum ");
        ok = fail(node, bound.keyword,
                  describe(instance) + " is " + relation + limit + describe(bound.limit)) &&
             ok;
    }
    if (node.multiple_of && !is_multiple_of(instance, *node.multiple_of))
        ok = fail(node, "multipleOf",
                  describe(instance) + " is not a multiple of " + describe(*node.multiple_of)) &&
             ok;
    return ok;
}

bool Evaluator::check_string(const Node& node, const Json& instance) {
    const auto& s = instance.get_ref<const std::string&>();
    bool ok = true;
    if (node.min_length || node.max_length) {
        std::size_t length = code_points(s);
        if (node.min_length && length < *node.min_length)
            ok = fail(
                node, "minLength",
                describe(instance) + " is shorter than " + plural(*node.min_length, "character"));
        if (node.max_length && length > *node.max_length)
            ok = fail(node, "maxLength",
                      describe(instance) + " is longer than " +
                          plural(*node.max_length, "character")) &&
                 ok;
    }
    if (node.pattern) ok = check_pattern(node, instance) && ok;
    if (node.format && !node.format->check(s))
        ok =
            fail(node, "format", describe(instance) + " is not a valid " + node.format->name) && ok;
    return ok;
}

bool Evaluator::check_pattern(const Node& node, const Json& instance) {
    const auto& s = instance.get_ref<const std::string&>();
    const std::string shown = describe(instance);
    if (s.size() > impl_.options.max_pattern_subject) {
        return fail(node, "pattern",
                    shown + " is " + std::to_string(s.size()) +
                        " bytes long, too long to match safely against /" + node.pattern->source +
                        "/ (limit " + std::to_string(impl_.options.max_pattern_subject) + ")");
    }
    if (search(s, node.pattern->regex)) return true;
    return fail(node, "pattern",
                shown + " does not match the pattern /" + node.pattern->source + "/");
}

bool Evaluator::check_array(const Node& node, const Json& instance, std::size_t depth) {
    bool ok = check_array_items(node, instance, depth);
    if (!ok && !collecting()) return false;
    std::size_t size = instance.size();
    if (node.min_items && size < *node.min_items)
        ok = fail(node, "minItems",
                  "array has " + plural(size, "item") + ", fewer than the minimum " +
                      std::to_string(*node.min_items)) &&
             ok;
    if (node.max_items && size > *node.max_items)
        ok = fail(node, "maxItems",
                  "array has " + plural(size, "item") + ", more than the maximum " +
                      std::to_string(*node.max_items)) &&
             ok;
    if (node.contains) {
        bool found = std::any_of(instance.begin(), instance.end(), [&](const Json& item) {
            return probe(*node.contains, item, depth + 1);
        });
        if (!found) ok = fail(node, "contains", "no item matches the \"contains\" schema") && ok;
    }
    if (node.unique_items && size > 1) {
        // Sort indexes by value (n log n, not n^2) and compare neighbours; Json's ordering agrees
        // with its equality, under which 1 and 1.0 are the same number.
        std::vector<std::size_t> order(size);
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return instance[a] < instance[b]; });
        for (std::size_t i = 1; i < size; ++i) {
            if (instance[order[i - 1]] != instance[order[i]]) continue;
            auto [first, second] = std::minmax(order[i - 1], order[i]);
            ok = fail(node, "uniqueItems",
                      "items " + std::to_string(first) + " and " + std::to_string(second) +
                          " are equal, items must be unique") &&
                 ok;
            break;
        }
    }
    return ok;
}

bool Evaluator::check_array_items(const Node& node, const Json& instance, std::size_t depth) {
    bool ok = true;
    for (std::size_t i = 0; i < instance.size(); ++i) {
        PointerPath::Guard at(path_, i);
        if (node.items) {
            ok = eval(*node.items, instance[i], depth + 1) && ok;
        } else if (node.tuple_items && i < node.tuple_items->size()) {
            ok = eval((*node.tuple_items)[i], instance[i], depth + 1) && ok;
        } else if (node.tuple_items && node.additional_items) {
            ok = eval_member(*node.additional_items, instance[i], depth, node, "additionalItems",
                             "item " + std::to_string(i) + " is not allowed: the schema defines " +
                                 plural(node.tuple_items->size(), "item")) &&
                 ok;
        }
        if (!ok && !collecting()) return false;
    }
    return ok;
}

bool Evaluator::check_object(const Node& node, const Json& instance, std::size_t depth) {
    bool ok = check_object_members(node, instance, depth);
    if (!ok && !collecting()) return false;
    return check_object_counts(node, instance, depth) && ok;
}

bool Evaluator::check_object_members(const Node& node, const Json& instance, std::size_t depth) {
    bool ok = true;
    for (const auto& [name, value] : instance.items()) {
        PointerPath::Guard at(path_, name);
        bool matched = false;
        for (const auto& [property, id] : node.properties) {
            if (property != name) continue;
            matched = true;
            ok = eval(id, value, depth + 1) && ok;
        }
        for (const auto& [pattern, id] : node.pattern_properties) {
            if (name.size() > impl_.options.max_pattern_subject || !search(name, pattern.regex))
                continue;
            matched = true;
            ok = eval(id, value, depth + 1) && ok;
        }
        if (!matched && node.additional_properties) {
            ok = eval_member(*node.additional_properties, value, depth, node,
                             "additionalProperties", "property \"" + name + "\" is not allowed") &&
                 ok;
        }
        if (node.property_names) ok = eval(*node.property_names, Json(name), depth + 1) && ok;
        if (!ok && !collecting()) return false;
    }
    return ok;
}

bool Evaluator::check_object_counts(const Node& node, const Json& instance, std::size_t depth) {
    bool ok = true;
    for (const auto& name : node.required)
        if (!instance.contains(name))
            ok = fail(node, "required", "missing required property \"" + name + "\"") && ok;
    std::size_t size = instance.size();
    if (node.min_properties && size < *node.min_properties)
        ok = fail(node, "minProperties",
                  "object has " + plural(size, "property") + ", fewer than the minimum " +
                      std::to_string(*node.min_properties)) &&
             ok;
    if (node.max_properties && size > *node.max_properties)
        ok = fail(node, "maxProperties",
                  "object has " + plural(size, "property") + ", more than the maximum " +
                      std::to_string(*node.max_properties)) &&
             ok;
    for (const auto& dependency : node.dependencies) {
        if (!instance.contains(dependency.property)) continue;
        for (const auto& needed : dependency.required)
            if (!instance.contains(needed))
                ok = fail(node, "dependencies",
                          "property \"" + dependency.property + "\" requires property \"" + needed +
                              "\"") &&
                     ok;
        if (dependency.schema) ok = eval(*dependency.schema, instance, depth + 1) && ok;
        if (!ok && !collecting()) return false;
    }
    return ok;
}

}  // namespace drover::jsonschema
