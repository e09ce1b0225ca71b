// Sprig dict, default and reflection functions (dict.go, defaults.go, reflect.go).
// Dicts are map[string]interface{} shared by reference, so set/unset mutate in place
// exactly as Go maps do.
#include "common/tmpl/gofmt.hpp"
#include "common/tmpl/render_budget.hpp"
#include "common/tmpl/sprig_util.hpp"

namespace drover::tmpl {

using namespace sprig;

namespace {

Map& writable(const Value& d) {
    if (!d.map) throw CallError{"assignment to entry in nil map"};
    return *d.map;
}

const Map& readable(const Value& d) {
    static const Map kEmpty;
    return d.map ? *d.map : kEmpty;
}

Value plain_map(const Value& d) {
    // A named map type (main.machine) passed as map[string]interface{} loses its methods.
    Value v = d.unboxed();
    v.obj = nullptr;
    return v;
}

// Stores v under `key` in `dst`, unless that would make a map contain itself (holds_any_map):
// `path` is dst and the maps above it in the destination.
void store(Map& dst, const std::string& key, const Value& v, const std::vector<const Map*>& path) {
    if (holds_any_map(v, path)) throw CallError{"a map cannot contain itself"};
    dst[key] = v;
}

// mergo.Merge / MergeWithOverwrite on map[string]interface{} values.
void merge_into(Map& dst, const Map& src, bool overwrite, std::vector<const Map*>& path) {
    RenderBudget::walk_node();
    path.push_back(&dst);
    for (const auto& [k, sv] : src) {
        if (sv.type == GoType::Nil) {
            if (overwrite) dst[k] = sv;  // nil holds nothing
            continue;
        }
        auto it = dst.find(k);
        bool has = it != dst.end();
        Value before = has ? it->second : Value::invalid();
        if (sv.is_map()) {
            if (has && before.type == GoType::MapIface && before.map && sv.map) {
                merge_into(*before.map, *sv.map, overwrite, path);
            }
        } else if (sv.is_list()) {
            // mergo's slice branch: "empty" here is about the whole destination map.
            if (overwrite || dst.empty()) {
                store(dst, k, sv, path);
            } else if (!has || before.type == GoType::Nil) {
                Value e;
                e.type = sv.type;
                e.list = std::make_shared<List>();
                dst[k] = e;
            }
        }
        if (has && !empty(before) && (sv.is_map() || sv.is_list())) continue;
        if (overwrite || !has || empty(before)) store(dst, k, sv, path);
    }
    path.pop_back();
}

void add_dict_ops(FuncMap& m) {
    const Signature map_key{{Arg::MapIface, Arg::String}};
    m["dict"] = fn({{Arg::Any}, true}, [](const Value&, std::vector<Value>& a) {
        Map d;
        for (size_t i = 0; i < a.size(); i += 2) {
            std::string key = strval(a[i]);
            d[key] = i + 1 < a.size() ? a[i + 1] : Value::string("");
        }
        return Value::map_of(std::move(d));
    });
    m["get"] = fn(map_key, [](const Value&, std::vector<Value>& a) {
        const Map& d = readable(a[0]);
        auto it = d.find(a[1].s);
        return it == d.end() ? Value::string("") : it->second.unboxed();
    });
    m["set"] =
        fn({{Arg::MapIface, Arg::String, Arg::Any}}, [](const Value&, std::vector<Value>& a) {
            store(writable(a[0]), a[1].s, a[2], {a[0].map.get()});
            return plain_map(a[0]);
        });
    m["unset"] = fn(map_key, [](const Value&, std::vector<Value>& a) {
        if (a[0].map) a[0].map->erase(a[1].s);
        return plain_map(a[0]);
    });
    m["hasKey"] = fn(map_key, [](const Value&, std::vector<Value>& a) {
        return Value::boolean(readable(a[0]).count(a[1].s) > 0);
    });
    m["pluck"] = fn({{Arg::String, Arg::MapIface}, true}, [](const Value&, std::vector<Value>& a) {
        List out;
        for (size_t i = 1; i < a.size(); ++i) {
            const Map& d = readable(a[i]);
            if (auto it = d.find(a[0].s); it != d.end()) out.push_back(it->second);
        }
        return iface_list(std::move(out));
    });
    m["keys"] = fn({{Arg::MapIface}, true}, [](const Value&, std::vector<Value>& a) {
        std::vector<std::string> k;
        for (const auto& d : a) {
            for (const auto& [key, v] : readable(d))
                k.push_back(key);
        }
        return string_list(k);
    });
    m["values"] = fn({{Arg::MapIface}}, [](const Value&, std::vector<Value>& a) {
        List out;
        for (const auto& [k, v] : readable(a[0]))
            out.push_back(v);
        return iface_list(std::move(out));
    });
    m["pick"] = fn({{Arg::MapIface, Arg::String}, true}, [](const Value&, std::vector<Value>& a) {
        Map out;
        const Map& d = readable(a[0]);
        for (size_t i = 1; i < a.size(); ++i) {
            if (auto it = d.find(a[i].s); it != d.end()) out[a[i].s] = it->second;
        }
        return Value::map_of(std::move(out));
    });
    m["omit"] = fn({{Arg::MapIface, Arg::String}, true}, [](const Value&, std::vector<Value>& a) {
        Map out = readable(a[0]);
        for (size_t i = 1; i < a.size(); ++i)
            out.erase(a[i].s);
        return Value::map_of(std::move(out));
    });
    auto merger = [](bool overwrite) {
        return [overwrite](const Value&, std::vector<Value>& a) {
            Value dst = plain_map(a[0]);
            for (size_t i = 1; i < a.size(); ++i) {
                if (!a[i].map) continue;
                if (!dst.map) dst.map = std::make_shared<Map>();
                std::vector<const Map*> path;
                merge_into(*dst.map, *a[i].map, overwrite, path);
            }
            return dst;
        };
    };
    m["merge"] = fn({{Arg::MapIface, Arg::MapIface}, true}, merger(false));
    m["mustMerge"] = m["merge"];
    m["mergeOverwrite"] = fn({{Arg::MapIface, Arg::MapIface}, true}, merger(true));
    m["mustMergeOverwrite"] = m["mergeOverwrite"];
}

void add_defaults(FuncMap& m) {
    m["default"] = fn({{Arg::Any, Arg::Any}, true}, [](const Value&, std::vector<Value>& a) {
        if (a.size() < 2 || empty(a[1])) return a[0];
        return a[1];
    });
    m["empty"] = fn({{Arg::Any}}, [](const Value&, std::vector<Value>& a) {
        return Value::boolean(empty(a[0]));
    });
    m["coalesce"] = fn({{Arg::Any}, true}, [](const Value&, std::vector<Value>& a) {
        for (const auto& v : a) {
            if (!empty(v)) return v;
        }
        return Value::nil();
    });
    m["all"] = fn({{Arg::Any}, true}, [](const Value&, std::vector<Value>& a) {
        for (const auto& v : a) {
            if (empty(v)) return Value::boolean(false);
        }
        return Value::boolean(true);
    });
    m["any"] = fn({{Arg::Any}, true}, [](const Value&, std::vector<Value>& a) {
        for (const auto& v : a) {
            if (!empty(v)) return Value::boolean(true);
        }
        return Value::boolean(false);
    });
    m["ternary"] = fn({{Arg::Any, Arg::Any, Arg::Bool}},
                      [](const Value&, std::vector<Value>& a) { return a[2].b ? a[0] : a[1]; });
    m["typeOf"] = fn({{Arg::Any}}, [](const Value&, std::vector<Value>& a) {
        return Value::string(type_name(a[0]));
    });
    m["kindOf"] = fn({{Arg::Any}}, [](const Value&, std::vector<Value>& a) {
        return Value::string(kind_name(a[0]));
    });
    m["typeIs"] = fn({{Arg::String, Arg::Any}}, [](const Value&, std::vector<Value>& a) {
        return Value::boolean(a[0].s == type_name(a[1]));
    });
    m["typeIsLike"] = fn({{Arg::String, Arg::Any}}, [](const Value&, std::vector<Value>& a) {
        std::string t = type_name(a[1]);
        return Value::boolean(a[0].s == t || "*" + a[0].s == t);
    });
    m["kindIs"] = fn({{Arg::String, Arg::Any}}, [](const Value&, std::vector<Value>& a) {
        return Value::boolean(a[0].s == kind_name(a[1]));
    });
    m["deepEqual"] = fn({{Arg::Any, Arg::Any}}, [](const Value&, std::vector<Value>& a) {
        return Value::boolean(deep_equal(a[0], a[1]));
    });
    m["fail"] = fn({{Arg::String}},
                   [](const Value&, std::vector<Value>& a) -> Value { throw CallError{a[0].s}; });
}

}  // namespace

void add_sprig_dicts(FuncMap& m) {
    add_dict_ops(m);
    add_defaults(m);
}

}  // namespace drover::tmpl
