// Go type names and equality for template values.
#include "common/tmpl/value.hpp"

#include <algorithm>
#include <set>

#include "common/tmpl/func.hpp"
#include "common/tmpl/render_budget.hpp"

namespace drover::tmpl {

size_t Value::size() const {
    if (type == GoType::String) return s.size();
    if (is_list()) return list ? list->size() : 0;
    if (is_map()) return map ? map->size() : 0;
    return 0;
}

std::string type_name(const Value& v) {
    switch (v.type) {
        case GoType::Invalid:
        case GoType::Nil:
            return "<nil>";
        case GoType::Bool:
            return "bool";
        case GoType::Int:
            return "int";
        case GoType::Int64:
            return "int64";
        case GoType::Uint8:
            return "uint8";
        case GoType::Float64:
            return "float64";
        case GoType::String:
            return "string";
        case GoType::ListIface:
            return "[]interface {}";
        case GoType::ListString:
            return "[]string";
        case GoType::ListInt:
            return "[]int";
        case GoType::MapIface:
            return v.obj ? v.obj->type_name() : "map[string]interface {}";
        case GoType::MapString:
            return "map[string]string";
        case GoType::Object:
            return v.obj->type_name();
    }
    return "?";
}

std::string static_type_name(const Value& v) {
    return v.boxed ? std::string("interface {}") : type_name(v);
}

std::string kind_name(const Value& v) {
    switch (v.type) {
        case GoType::Invalid:
        case GoType::Nil:
            return "invalid";
        case GoType::ListIface:
        case GoType::ListString:
        case GoType::ListInt:
            return "slice";
        case GoType::MapIface:
        case GoType::MapString:
            return "map";
        case GoType::Object:
            return "ptr";
        default:
            return type_name(v);
    }
}

Value element_of(const Value& container, const Value& elem) {
    Value v = elem;
    v.boxed = container.type == GoType::ListIface || container.type == GoType::MapIface;
    if (!v.boxed && v.type == GoType::Nil) v.type = GoType::Invalid;
    return v;
}

bool deep_equal(const Value& a, const Value& b) {
    RenderBudget::walk_node();
    bool an = a.type == GoType::Nil || a.type == GoType::Invalid;
    bool bn = b.type == GoType::Nil || b.type == GoType::Invalid;
    if (an || bn) return an && bn;
    if (a.type != b.type) return false;
    switch (a.type) {
        case GoType::Bool:
            return a.b == b.b;
        case GoType::Int:
        case GoType::Int64:
        case GoType::Uint8:
            return a.i == b.i;
        case GoType::Float64:
            return a.f == b.f;
        case GoType::String:
            return a.s == b.s;
        case GoType::Object:
            return a.obj == b.obj;
        default:
            break;
    }
    if (a.is_list()) {
        if ((a.list == nullptr) != (b.list == nullptr)) return false;
        if (a.size() != b.size()) return false;
        for (size_t i = 0; i < a.size(); ++i) {
            if (!deep_equal((*a.list)[i], (*b.list)[i])) return false;
        }
        return true;
    }
    if ((a.map == nullptr) != (b.map == nullptr)) return false;
    if (a.size() != b.size()) return false;
    if (!a.map) return true;
    for (const auto& [k, v] : *a.map) {
        auto it = b.map->find(k);
        if (it == b.map->end() || !deep_equal(v, it->second)) return false;
    }
    return true;
}

bool holds_any_map(const Value& v, const std::vector<const Map*>& maps) {
    std::vector<const Value*> todo{&v};
    std::set<const void*> seen;  // shared containers are visited once: linear in a DAG
    while (!todo.empty()) {
        const Value* at = todo.back();
        todo.pop_back();
        RenderBudget::walk_node();
        if (at->map) {
            if (std::find(maps.begin(), maps.end(), at->map.get()) != maps.end()) return true;
            if (!seen.insert(at->map.get()).second) continue;
            for (const auto& [k, e] : *at->map)
                todo.push_back(&e);
        } else if (at->list && seen.insert(at->list.get()).second) {
            for (const auto& e : *at->list)
                todo.push_back(&e);
        }
    }
    return false;
}

std::string arg_type_name(Arg a) {
    switch (a) {
        case Arg::Any:
            return "interface {}";
        case Arg::Reflect:
            return "reflect.Value";
        case Arg::String:
            return "string";
        case Arg::Int:
            return "int";
        case Arg::Int64:
            return "int64";
        case Arg::Float64:
            return "float64";
        case Arg::Bool:
            return "bool";
        case Arg::MapIface:
            return "map[string]interface {}";
        case Arg::ListString:
            return "[]string";
    }
    return "?";
}

}  // namespace drover::tmpl
