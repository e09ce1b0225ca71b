// Render data objects: *renderData (fields + helper methods) and the machine map type with
// its methods, matching the oracle's Go types (main.machine, *main.renderData) so field
// lookups, method calls, %T and error texts agree.
#include "common/tmpl/render_data.hpp"

#include <nlohmann/json.hpp>

#include "common/tmpl/func.hpp"
#include "common/tmpl/gofmt.hpp"
#include "common/tmpl/json_value.hpp"
#include "common/tmpl/sprig_util.hpp"
#include "common/tmpl/url.hpp"

namespace drover::tmpl {

namespace {

// DRP's server says "No such machine parameter" (spec 7.2); the Go oracle's mock renderData says
// it in lower case, and without extensions drover matches the oracle byte for byte.
std::string missing_param_message(const RenderContext& ctx, const std::string& name) {
    return (ctx.extensions ? "No such machine parameter " : "no such machine parameter ") + name;
}

using Methods = std::unordered_map<std::string, Function>;

thread_local int g_nesting = 0;  // CallTemplate/StringExpand recursion guard

struct NestGuard {
    NestGuard() {
        if (++g_nesting > 200) {
            --g_nesting;
            throw CallError{"exceeded maximum template depth (100000)"};
        }
    }
    ~NestGuard() { --g_nesting; }
};

Value json_or_nil_map(const nlohmann::json* j) {
    if (j == nullptr || j->is_null()) {
        Value v;
        v.type = GoType::MapIface;
        return v;
    }
    Value v = from_json(*j);
    if (v.type != GoType::MapIface) {
        Value m;
        m.type = GoType::MapIface;
        return m;
    }
    return v;
}

std::string str_field(const Value& m, const std::string& k) {
    if (!m.map) return "";
    auto it = m.map->find(k);
    return (it != m.map->end() && it->second.type == GoType::String) ? it->second.s : "";
}

// net.ParseIP(s).To4() for dotted quads and ::ffff:a.b.c.d; empty when not IPv4.
std::string hex_address(const std::string& s) {
    std::string v4 = s;
    for (const char* prefix : {"::ffff:", "::FFFF:", "0:0:0:0:0:ffff:"}) {
        if (v4.starts_with(prefix)) v4 = v4.substr(std::strlen(prefix));
    }
    auto parts = sprig::go_split(v4, ".", -1);
    if (parts.size() != 4) return "";
    std::string out;
    for (const auto& p : parts) {
        if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string::npos) {
            return "";
        }
        if (p.size() > 1 && p[0] == '0') return "";
        int n = std::stoi(p);
        if (n > 255) return "";
        char buf[3];
        std::snprintf(buf, sizeof buf, "%02X", n);
        out += buf;
    }
    return out;
}

class MachineObject : public Object {
  public:
    MachineObject(std::string provisioner_url, bool extensions)
        : url_(std::move(provisioner_url)), ext_(extensions) {}
    std::string type_name() const override { return "main.machine"; }
    const Function* method(std::string_view name) const override {
        static const Methods base = make(false);
        static const Methods ext = make(true);
        const Methods& m = ext_ ? ext : base;
        auto it = m.find(std::string(name));
        return it == m.end() ? nullptr : &it->second;
    }
    const std::string& url() const { return url_; }

  private:
    std::string url_;
    bool ext_;

    static Methods make(bool with_ext) {
        using sprig::fn;
        Methods m;
        auto s = [](std::string x) { return Value::string(std::move(x)); };
        m["UUID"] = fn(
            {}, [s](const Value& self, std::vector<Value>&) { return s(str_field(self, "Uuid")); });
        m["Path"] = fn({}, [s](const Value& self, std::vector<Value>&) {
            return s("machines/" + str_field(self, "Uuid"));
        });
        m["ShortName"] = fn({}, [s](const Value& self, std::vector<Value>&) {
            std::string n = str_field(self, "Name");
            return s(n.substr(0, n.find('.')));
        });
        m["HexAddress"] = fn({}, [s](const Value& self, std::vector<Value>&) {
            return s(hex_address(str_field(self, "Address")));
        });
        m["HasProfile"] = fn({{Arg::String}}, [](const Value& self, std::vector<Value>& a) {
            if (self.map) {
                auto it = self.map->find("Profiles");
                if (it != self.map->end() && it->second.type == GoType::ListIface) {
                    for (size_t i = 0; i < it->second.size(); ++i) {
                        const Value& p = (*it->second.list)[i];
                        if (p.type == GoType::String && p.s == a[0].s) return Value::boolean(true);
                    }
                }
            }
            return Value::boolean(false);
        });
        m["HasFeature"] = fn({{Arg::String}}, [](const Value& self, std::vector<Value>& a) {
            std::string flags;
            if (self.map) {
                auto it = self.map->find("Meta");
                if (it != self.map->end() && it->second.type == GoType::MapIface) {
                    flags = str_field(it->second, "feature-flags");
                }
            }
            for (const auto& f : sprig::go_split(flags, ",", -1)) {
                size_t b = f.find_first_not_of(" \t\r\n"), e = f.find_last_not_of(" \t\r\n");
                std::string t = b == std::string::npos ? "" : f.substr(b, e - b + 1);
                if (t == a[0].s) return Value::boolean(true);
            }
            return Value::boolean(false);
        });
        if (with_ext) {
            m["Url"] = fn({}, [s](const Value& self, std::vector<Value>&) {
                auto* mo = static_cast<const MachineObject*>(self.obj.get());
                return s(mo->url() + "/machines/" + str_field(self, "Uuid"));
            });
        }
        return m;
    }
};

class RenderDataObject;
const RenderDataObject& rd(const Value& self);

class RenderDataObject : public Object {
  public:
    RenderDataObject(const RenderContext& ctx, std::shared_ptr<const TreeMap> set)
        : ctx_(ctx), set_(std::move(set)) {
        machine_ = json_or_nil_map(ctx.machine);
        machine_.obj = std::make_shared<MachineObject>(ctx.provisioner_url, ctx.extensions);
        task_ = json_or_nil_map(ctx.task);
        stage_ = json_or_nil_map(ctx.stage);
        env_ = json_or_nil_map(ctx.env);
    }
    std::string type_name() const override { return "*main.renderData"; }
    std::optional<Value> field(std::string_view name, bool* unexported) const override {
        *unexported = false;
        if (name == "Machine") return machine_;
        if (name == "Task") return task_;
        if (name == "Stage") return stage_;
        if (name == "Env") return env_;
        if (name == "in" || name == "root") {
            *unexported = true;
            return Value::invalid();
        }
        return std::nullopt;
    }
    std::vector<std::pair<std::string, Value>> exported_fields() const override {
        return {{"Machine", machine_}, {"Task", task_}, {"Stage", stage_}, {"Env", env_}};
    }
    const Function* method(std::string_view name) const override {
        static const Methods base = make(false);
        static const Methods ext = make(true);
        const Methods& m = ctx_.extensions ? ext : base;
        auto it = m.find(std::string(name));
        return it == m.end() ? nullptr : &it->second;
    }

    // One converted value per param and render: like Go's map values, a dict param
    // mutated with `set` stays mutated for later lookups in the same render.
    Value param(const std::string& key) const {
        if (auto it = param_cache_.find(key); it != param_cache_.end()) return it->second;
        auto v = found(key);
        if (!v) throw CallError{missing_param_message(ctx_, key)};
        return param_cache_[key] = from_json(*v);
    }
    bool param_exists(const std::string& key) const { return found(key).has_value(); }
    // The source's answer; its failure (a secure value that cannot be decrypted) is the call's.
    std::optional<nlohmann::json> found(const std::string& key) const {
        if (!ctx_.params) return std::nullopt;
        auto v = ctx_.params->lookup(key);
        if (!v.ok()) throw CallError{v.error()};
        return v.value();
    }
    std::string string_expand(const std::string& s, const Value& self) const {
        NestGuard guard;
        std::string err;
        auto parsed = parse_cached("expand", s, &err);
        if (!parsed) throw CallError{err};
        TreeMap clone = *set_;
        associate(clone, *parsed);
        auto r = execute_named(clone, "expand", self, ctx_.missing_key_error);
        if (!r.ok()) throw CallError{r.error()};
        return r.value();
    }
    Value expand(const Value& v, const Value& self) const {
        RenderBudget::walk_node();
        if (v.type == GoType::String) return Value::string(string_expand(v.s, self));
        if (v.type == GoType::ListIface && v.list) {
            List out;
            for (const auto& e : *v.list)
                out.push_back(expand(e, self));
            return Value::list_of(std::move(out));
        }
        if (v.type == GoType::MapIface && v.map) {
            Map out;
            for (const auto& [k, e] : *v.map)
                out[k] = expand(e, self);
            return Value::map_of(std::move(out));
        }
        return v;
    }
    std::string call_template(const std::string& name, const Value& data) const {
        NestGuard guard;
        // Go's Execute takes reflect.ValueOf(data): a nil interface becomes "no value".
        auto r = execute_named(*set_, name, data.type == GoType::Nil ? Value::invalid() : data,
                               ctx_.missing_key_error);
        if (!r.ok()) throw CallError{r.error()};
        return r.value();
    }
    std::string token() const {
        if (ctx_.tokens) return ctx_.tokens->token();
        Value uuid;
        if (machine_.map) {
            auto it = machine_.map->find("Uuid");
            if (it != machine_.map->end()) uuid = it->second;
        }
        return "token-for-" + sprint_value(uuid.valid() ? uuid : Value::nil());
    }
    const RenderContext& ctx() const { return ctx_; }

  private:
    RenderContext ctx_;
    std::shared_ptr<const TreeMap> set_;
    Value machine_, task_, stage_, env_;
    mutable std::map<std::string, Value> param_cache_;

    static Methods make(bool with_ext);
};

const RenderDataObject& rd(const Value& self) {
    return *static_cast<const RenderDataObject*>(self.obj.get());
}

Methods RenderDataObject::make(bool with_ext) {
    using sprig::fn;
    Methods m;
    const Signature s1{{Arg::String}};
    auto str = [](std::string s) { return Value::string(std::move(s)); };
    m["Param"] =
        fn(s1, [](const Value& self, std::vector<Value>& a) { return rd(self).param(a[0].s); });
    m["ParamExists"] = fn(s1, [](const Value& self, std::vector<Value>& a) {
        return Value::boolean(rd(self).param_exists(a[0].s));
    });
    m["ParamAsJSON"] = fn(s1, [str](const Value& self, std::vector<Value>& a) {
        return str(to_go_json(rd(self).param(a[0].s), false).value_or(""));
    });
    m["ParamAsYAML"] = fn(s1, [str](const Value& self, std::vector<Value>& a) {
        return str(to_go_yaml(rd(self).param(a[0].s)));
    });
    m["ParamExpand"] = fn(s1, [](const Value& self, std::vector<Value>& a) {
        return rd(self).expand(rd(self).param(a[0].s), self);
    });
    m["StringExpand"] = fn(s1, [str](const Value& self, std::vector<Value>& a) {
        return str(rd(self).string_expand(a[0].s, self));
    });
    m["CallTemplate"] =
        fn({{Arg::String, Arg::Any}}, [str](const Value& self, std::vector<Value>& a) {
            return str(rd(self).call_template(a[0].s, a[1]));
        });
    m["ApiURL"] = fn(
        {}, [str](const Value& self, std::vector<Value>&) { return str(rd(self).ctx().api_url); });
    m["ProvisionerURL"] = fn({}, [str](const Value& self, std::vector<Value>&) {
        return str(rd(self).ctx().provisioner_url);
    });
    m["ProvisionerAddress"] = fn({}, [str](const Value& self, std::vector<Value>&) {
        std::string err;
        auto u = go_url_parse(rd(self).ctx().provisioner_url, &err);
        return str(u ? u->hostname() : "");
    });
    m["GenerateToken"] =
        fn({}, [str](const Value& self, std::vector<Value>&) { return str(rd(self).token()); });
    m["GenerateInfiniteToken"] = fn({}, [str](const Value& self, std::vector<Value>&) {
        const auto& r = rd(self);
        return str(r.ctx().tokens ? r.ctx().tokens->infinite_token() : r.token());
    });
    m["GenerateProfileToken"] =
        fn({{Arg::String, Arg::Int}}, [str](const Value& self, std::vector<Value>& a) {
            const auto& r = rd(self);
            if (r.ctx().tokens) return str(r.ctx().tokens->profile_token(a[0].s, a[1].i));
            return str("token-for-profile-" + a[0].s);
        });
    m["ParseURL"] = fn({{Arg::String, Arg::String}}, [str](const Value&, std::vector<Value>& a) {
        std::string err;
        auto u = go_url_parse(a[1].s, &err);
        if (!u) throw CallError{err};
        if (a[0].s == "scheme") return str(u->scheme);
        if (a[0].s == "host") return str(u->host);
        if (a[0].s == "path") return str(u->path);
        throw CallError{"no idea how to get URL part " + a[0].s};
    });
    if (with_ext) {
        Impl compose = [](const Value& self, std::vector<Value>& a) {
            const auto& c = rd(self).ctx();
            if (!c.params) throw CallError{missing_param_message(c, a[0].s)};
            auto v = c.params->compose(a[0].s);
            if (!v.ok()) throw CallError{v.error()};
            if (!v.value()) throw CallError{missing_param_message(c, a[0].s)};
            return from_json(*v.value());
        };
        m["ComposeParam"] = fn(s1, compose);
        m["ParamCompose"] = fn(s1, compose);
        m["Info"] = fn({}, [](const Value& self, std::vector<Value>&) {
            const auto& c = rd(self).ctx();
            return c.info ? from_json(*c.info) : Value::nil();
        });
    }
    return m;
}

}  // namespace

Value make_render_data(const RenderContext& ctx, std::shared_ptr<const TreeMap> set) {
    Value v;
    v.type = GoType::Object;
    v.obj = std::make_shared<RenderDataObject>(ctx, std::move(set));
    return v;
}

}  // namespace drover::tmpl
