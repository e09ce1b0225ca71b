// Schema::validate: the evaluation driver, type/enum/const and the combinators
// (allOf, anyOf, oneOf, not, if/then/else). Container and scalar keywords are in
// validate_keywords.cpp.
#include <algorithm>
#include <cmath>

#include "common/api/json_pointer.hpp"
#include "common/jsonschema/evaluator.hpp"

namespace drover::jsonschema {

namespace {

constexpr std::size_t kDescribeLimit = 60;

// Points the evaluator's error sink elsewhere (nullptr: probe only) for one branch.
class SinkScope {
  public:
    SinkScope(std::vector<ValidationError>*& sink, std::vector<ValidationError>* replacement)
        : sink_(sink), saved_(sink) {
        sink_ = replacement;
    }
    ~SinkScope() { sink_ = saved_; }
    SinkScope(const SinkScope&) = delete;
    SinkScope& operator=(const SinkScope&) = delete;

  private:
    std::vector<ValidationError>*& sink_;
    std::vector<ValidationError>* saved_;
};

bool is_whole_number(const Json& v) {
    if (v.is_number_integer()) return true;
    if (!v.is_number_float()) return false;
    double d = v.get<double>();
    return std::isfinite(d) && std::trunc(d) == d;
}

// Instance kind as the "type" keyword sees it, with an article for messages.
const char* kind_of(const Json& v) {
    switch (v.type()) {
        case Json::value_t::null:
            return "null";
        case Json::value_t::boolean:
            return "a boolean";
        case Json::value_t::object:
            return "an object";
        case Json::value_t::array:
            return "an array";
        case Json::value_t::string:
            return "a string";
        default:
            return is_whole_number(v) ? "an integer" : "a number";
    }
}

bool type_matches(unsigned types, const Json& v) {
    switch (v.type()) {
        case Json::value_t::null:
            return types & kNull;
        case Json::value_t::boolean:
            return types & kBoolean;
        case Json::value_t::object:
            return types & kObject;
        case Json::value_t::array:
            return types & kArray;
        case Json::value_t::string:
            return types & kString;
        default:
            return (types & kNumber) || ((types & kInteger) && is_whole_number(v));
    }
}

std::string with_article(std::string_view name) {
    if (name == "null") return std::string(name);
    return (name.front() == 'a' || name.front() == 'i' || name.front() == 'o' ? "an " : "a ") +
           std::string(name);
}

std::string type_list(unsigned types) {
    static constexpr std::pair<unsigned, std::string_view> names[] = {
        {kNull, "null"},     {kBoolean, "boolean"}, {kObject, "object"},   {kArray, "array"},
        {kNumber, "number"}, {kString, "string"},   {kInteger, "integer"},
    };
    std::vector<std::string_view> wanted;
    for (const auto& [bit, name] : names)
        if (types & bit) wanted.push_back(name);
    if (wanted.size() == 1) return "not " + with_article(wanted.front());
    std::string out = "not one of: ";
    for (std::size_t i = 0; i < wanted.size(); ++i)
        out += (i ? ", " : "") + std::string(wanted[i]);
    return out;
}

// "[0] msg; [1] /a: msg" from the first error of every failed branch.
std::string branch_summary(const std::vector<std::vector<ValidationError>>& branches,
                           const std::string& here) {
    std::string out;
    for (std::size_t i = 0; i < branches.size(); ++i) {
        if (branches[i].empty()) continue;
        const auto& first = branches[i].front();
        out += (out.empty() ? "" : "; ");
        out += "[" + std::to_string(i) + "] ";
        if (first.instance_pointer != here) out += first.instance_pointer + ": ";
        out += first.message;
    }
    return out;
}

}  // namespace

std::string describe(const Json& value) {
    std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (text.size() > kDescribeLimit) text = text.substr(0, kDescribeLimit - 3) + "...";
    return text;
}

bool Evaluator::fail(const Node& node, std::string_view keyword, std::string message) {
    if (sink_ == nullptr) return false;
    std::string schema_pointer = node.pointer;
    if (!keyword.empty()) schema_pointer += "/" + api::escape_pointer_token(keyword);
    sink_->push_back(
        {path_.str(), std::move(schema_pointer), std::string(keyword), std::move(message)});
    return false;
}

bool Evaluator::probe(NodeId id, const Json& instance, std::size_t depth) {
    SinkScope quiet(sink_, nullptr);
    return eval(id, instance, depth);
}

std::vector<ValidationError> Evaluator::collect(NodeId id, const Json& instance,
                                                std::size_t depth) {
    std::vector<ValidationError> errors;
    SinkScope into(sink_, &errors);
    eval(id, instance, depth);
    return errors;
}

bool Evaluator::eval(NodeId id, const Json& instance, std::size_t depth) {
    const Node& node = impl_.nodes[id];
    if (++evaluations_ > impl_.options.max_evaluations) return false;
    if (depth > impl_.options.max_depth) {
        return fail(node, "",
                    "nesting deeper than " + std::to_string(impl_.options.max_depth) +
                        " levels; not validated further");
    }
    if (node.always)
        return *node.always || fail(node, "false", "no value is allowed here (schema is false)");
    if (node.ref) return eval(*node.ref, instance, depth + 1);
    bool ok = check_type(node, instance);
    if (!ok && !collecting()) return false;
    ok = check_values(node, instance) && ok;
    if (!ok && !collecting()) return false;
    switch (instance.type()) {
        case Json::value_t::string:
            ok = check_string(node, instance) && ok;
            break;
        case Json::value_t::array:
            ok = check_array(node, instance, depth) && ok;
            break;
        case Json::value_t::object:
            ok = check_object(node, instance, depth) && ok;
            break;
        default:
            if (instance.is_number()) ok = check_number(node, instance) && ok;
            break;
    }
    if (!ok && !collecting()) return false;
    return check_combinators(node, instance, depth) && ok;
}

bool Evaluator::eval_member(NodeId id, const Json& value, std::size_t depth, const Node& parent,
                            std::string_view keyword, const std::string& forbidden_message) {
    const Node& child = impl_.nodes[id];
    if (child.always && !*child.always) return fail(parent, keyword, forbidden_message);
    return eval(id, value, depth + 1);
}

bool Evaluator::check_type(const Node& node, const Json& instance) {
    if (node.types == 0 || type_matches(node.types, instance)) return true;
    return fail(node, "type",
                describe(instance) + " is " + kind_of(instance) + ", " + type_list(node.types));
}

bool Evaluator::check_values(const Node& node, const Json& instance) {
    bool ok = true;
    if (node.enum_values) {
        const auto& values = *node.enum_values;
        if (std::find(values.begin(), values.end(), instance) == values.end())
            ok = fail(node, "enum", describe(instance) + " is not one of " + describe(values));
    }
    if (node.const_value && instance != *node.const_value)
        ok = fail(node, "const",
                  describe(instance) + " is not the constant " + describe(*node.const_value)) &&
             ok;
    return ok;
}

bool Evaluator::check_combinators(const Node& node, const Json& instance, std::size_t depth) {
    bool ok = true;
    for (NodeId id : node.all_of) {
        ok = eval(id, instance, depth + 1) && ok;
        if (!ok && !collecting()) return false;
    }
    if (!node.any_of.empty()) ok = check_alternatives(node, instance, depth, false) && ok;
    if (!node.one_of.empty()) ok = check_alternatives(node, instance, depth, true) && ok;
    if (node.not_schema && probe(*node.not_schema, instance, depth + 1))
        ok = fail(node, "not", describe(instance) + " must not match the \"not\" schema") && ok;
    return check_conditional(node, instance, depth) && ok;
}

// anyOf (exactly_one = false) and oneOf. When reporting, each branch's own errors are kept
// for the summary message; the branches' errors themselves are not reported, since only the
// author of the schema knows which branch was meant.
bool Evaluator::check_alternatives(const Node& node, const Json& instance, std::size_t depth,
                                   bool exactly_one) {
    const auto& branches = exactly_one ? node.one_of : node.any_of;
    const char* keyword = exactly_one ? "oneOf" : "anyOf";
    std::vector<std::vector<ValidationError>> errors(branches.size());
    std::vector<std::size_t> passed;
    for (std::size_t i = 0; i < branches.size(); ++i) {
        bool ok = collecting() ? (errors[i] = collect(branches[i], instance, depth + 1)).empty()
                               : probe(branches[i], instance, depth + 1);
        if (ok) passed.push_back(i);
        if (ok && !exactly_one) return true;
        if (passed.size() > 1 && !collecting()) return false;
    }
    if (passed.empty()) {
        return fail(node, keyword,
                    describe(instance) + " does not match any schema in " + keyword + ": " +
                        branch_summary(errors, path_.str()));
    }
    if (passed.size() == 1) return true;
    std::string which;
    for (std::size_t i : passed)
        which += (which.empty() ? "" : ", ") + std::to_string(i);
    return fail(node, keyword,
                describe(instance) + " matches " + std::to_string(passed.size()) +
                    " schemas in oneOf (" + which + ") but must match exactly one");
}

bool Evaluator::check_conditional(const Node& node, const Json& instance, std::size_t depth) {
    if (!node.if_schema) return true;
    auto branch = probe(*node.if_schema, instance, depth + 1) ? node.then_schema : node.else_schema;
    return !branch || eval(*branch, instance, depth + 1);
}

std::vector<ValidationError> Schema::validate(const nlohmann::json& instance) const {
    std::vector<ValidationError> errors;
    try {
        Evaluator evaluator(*impl_, &errors);
        evaluator.eval(impl_->root, instance, 0);
        if (evaluator.exhausted()) {
            errors.insert(errors.begin(), {"", "", "",
                                           "validation stopped after " +
                                               std::to_string(impl_->options.max_evaluations) +
                                               " subschema evaluations; the schema is too costly"});
        }
    } catch (const std::exception& e) {
        errors.push_back({"", "", "", std::string("internal error while validating: ") + e.what()});
    }
    return errors;
}

bool Schema::is_valid(const nlohmann::json& instance) const {
    try {
        Evaluator evaluator(*impl_, nullptr);
        return evaluator.eval(impl_->root, instance, 0) && !evaluator.exhausted();
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace drover::jsonschema
