// Tree walker ported from Go's exec.go. Errors are thrown as ExecError internally (as Go
// panics and recovers) and caught at the engine boundary. Function names, node positions
// and the "current node" bookkeeping follow Go so messages carry the same context.
#include "common/tmpl/exec.hpp"

#include <span>

#include "common/tmpl/func.hpp"
#include "common/tmpl/gofmt.hpp"

namespace drover::tmpl {

namespace {

constexpr int kMaxDepth = 3000;  // Go allows 100000; the message is the same (see README)
constexpr uintptr_t kTemplateStackBudget = 2u << 20;  // {{template}} recursion stops first

enum class Flow { Normal, Break, Continue };

using Args = std::span<const NodePtr>;

bool can_be_nil(Arg a) {
    return a == Arg::Any || a == Arg::Reflect || a == Arg::MapIface || a == Arg::ListString;
}

Value zero_of(Arg a) {
    switch (a) {
        case Arg::Any:
            return Value::nil();
        case Arg::MapIface: {
            Value v;
            v.type = GoType::MapIface;
            return v;
        }
        case Arg::ListString: {
            Value v;
            v.type = GoType::ListString;
            return v;
        }
        default:
            return Value::invalid();
    }
}

class State {
  public:
    State(const TreeMap& set, const Tree& tmpl, std::string& out, int depth, bool missing_error)
        : set_(set), tmpl_(&tmpl), out_(out), depth_(depth), missing_error_(missing_error) {}

    void run(const Value& dot) {
        vars_.push_back({"$", dot});
        walk(dot, *tmpl_->root);
    }

  private:
    const TreeMap& set_;
    const Tree* tmpl_;
    std::string& out_;
    int depth_;
    bool missing_error_;
    const Node* node_ = nullptr;
    std::vector<std::pair<std::string, Value>> vars_;

    void at(const Node& n) { node_ = &n; }

    // RenderLimits: every node, call and copied string spends from the render's budget.
    void charge(std::uint64_t units) {
        if (!RenderBudget::spend(units)) errorf(RenderBudget::steps_message());
    }
    void charge_bytes(const Value& v) { charge(RenderBudget::units_for(v.s.size())); }
    void append_output(std::string_view text) {
        charge(RenderBudget::units_for(text.size()));
        out_ += text;
        if (out_.size() > RenderBudget::limits().max_bytes) errorf(RenderBudget::bytes_message());
    }

    [[noreturn]] void errorf(const std::string& msg) {
        std::string name = tmpl_->name;
        if (node_ == nullptr) throw ExecError{"template: " + name + ": " + msg};
        const Tree* tree = node_->tree ? node_->tree : tmpl_;
        std::string_view text = std::string_view(*tree->text).substr(0, node_->pos);
        size_t nl = text.rfind('\n');
        size_t col = nl == std::string_view::npos ? text.size() : text.size() - nl - 1;
        size_t line = 1;
        for (char c : text)
            line += c == '\n';
        throw ExecError{"template: " + tree->parse_name + ":" + std::to_string(line) + ":" +
                        std::to_string(col) + ": executing " + go_quote(name) + " at <" +
                        node_string(*node_) + ">: " + msg};
    }

    // ---- variables ----------------------------------------------------------------
    void push(const std::string& name, const Value& v) { vars_.push_back({name, v}); }
    void set_var(const std::string& name, const Value& v) {
        for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
            if (it->first == name) {
                it->second = v;
                return;
            }
        }
        errorf("undefined variable: " + name);
    }
    Value var_value(const std::string& name) {
        for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
            if (it->first == name) {
                charge_bytes(it->second);
                return it->second;
            }
        }
        errorf("undefined variable: " + name);
    }

    // ---- walking ------------------------------------------------------------------
    Flow walk(const Value& dot, const Node& node) {
        at(node);
        if (StackGuard::exhausted()) errorf("exceeded maximum template depth (100000)");
        charge(1);
        switch (node.type) {
            case NodeType::Action: {
                Value v = eval_pipeline(dot, node.pipe.get());
                if (node.pipe->decl.empty()) print_value(node, v);
                return Flow::Normal;
            }
            case NodeType::Break:
                return Flow::Break;
            case NodeType::Continue:
                return Flow::Continue;
            case NodeType::Comment:
                return Flow::Normal;
            case NodeType::If:
            case NodeType::With:
                return walk_if_or_with(dot, node);
            case NodeType::List:
                for (const auto& c : node.nodes) {
                    Flow f = walk(dot, *c);
                    if (f != Flow::Normal) return f;
                }
                return Flow::Normal;
            case NodeType::Range:
                return walk_range(dot, node);
            case NodeType::Template:
                walk_template(dot, node);
                return Flow::Normal;
            case NodeType::Text:
                append_output(node.text);
                return Flow::Normal;
            default:
                errorf("unknown node: " + node_string(node));
        }
    }

    Flow walk_if_or_with(const Value& dot, const Node& node) {
        size_t mark = vars_.size();
        Value val = eval_pipeline(dot, node.pipe.get());
        Flow f = Flow::Normal;
        if (is_true(val)) {
            f = walk(node.type == NodeType::With ? val : dot, *node.list);
        } else if (node.else_list) {
            f = walk(dot, *node.else_list);
        }
        vars_.resize(mark);
        return f;
    }

    Flow range_iteration(const Node& r, size_t mark, const Value& index, const Value& elem) {
        if (!r.pipe->decl.empty()) vars_[vars_.size() - 1].second = elem;
        if (r.pipe->decl.size() > 1) vars_[vars_.size() - 2].second = index;
        Flow f = walk(elem, *r.list);
        vars_.resize(mark);
        return f;
    }

    Flow walk_range(const Value& dot, const Node& r) {
        at(r);
        size_t outer = vars_.size();
        Value val = eval_pipeline(dot, r.pipe.get());
        size_t mark = vars_.size();
        bool iterated = false;
        if (val.is_list()) {
            for (size_t i = 0; i < val.size(); ++i) {
                iterated = true;
                Value elem = element_of(val, (*val.list)[i]);
                charge_bytes(elem);
                if (range_iteration(r, mark, Value::integer(static_cast<int64_t>(i)), elem) ==
                    Flow::Break) {
                    break;
                }
            }
        } else if (val.is_map()) {
            if (val.map) {
                for (const auto& [k, e] : *val.map) {
                    iterated = true;
                    if (range_iteration(r, mark, Value::string(k), element_of(val, e)) ==
                        Flow::Break) {
                        break;
                    }
                }
            }
        } else if (val.valid()) {
            errorf("range can't iterate over " + sprint_value(val));
        }
        if (!iterated && r.else_list) walk(dot, *r.else_list);
        vars_.resize(outer);
        return Flow::Normal;
    }

    void walk_template(const Value& dot, const Node& t) {
        at(t);
        auto it = set_.find(t.text);
        if (it == set_.end() || !it->second->root) {
            errorf("template " + go_quote(t.text) + " not defined");
        }
        if (depth_ >= kMaxDepth || StackGuard::exhausted(kTemplateStackBudget)) {
            errorf("exceeded maximum template depth (100000)");
        }
        Value newdot = eval_pipeline(dot, t.pipe.get());
        State sub(set_, *it->second, out_, depth_ + 1, missing_error_);
        sub.run(newdot);
    }

    // ---- evaluation ---------------------------------------------------------------
    Value eval_pipeline(const Value& dot, const Node* pipe) {
        if (pipe == nullptr) return Value::invalid();
        at(*pipe);
        if (StackGuard::exhausted()) errorf("exceeded maximum template depth (100000)");
        Value value;
        bool have = false;
        for (const auto& cmd : pipe->nodes) {
            value = eval_command(dot, *cmd, have ? &value : nullptr);
            have = true;
            // Go digs a value out of an interface{} at every pipeline stage.
            if (value.type == GoType::Nil) value.type = GoType::Invalid;
            value.boxed = false;
        }
        for (const auto& v : pipe->decl) {
            if (pipe->is_assign) {
                set_var(v->ident[0], value);
            } else {
                push(v->ident[0], value);
            }
        }
        return value;
    }

    void not_a_function(Args args, const Value* final) {
        if (args.size() > 1 || final != nullptr) {
            errorf("can't give argument to non-function " + node_string(*args[0]));
        }
    }

    Value eval_command(const Value& dot, const Node& cmd, const Value* final) {
        const Node& first = *cmd.nodes[0];
        Args args(cmd.nodes);
        switch (first.type) {
            case NodeType::Field:
                return eval_field_node(dot, first, args, final);
            case NodeType::Chain:
                return eval_chain_node(dot, first, args, final);
            case NodeType::Identifier:
                return eval_function(dot, first, cmd, args, final);
            case NodeType::Pipe:
                not_a_function(args, final);
                return eval_pipeline(dot, &first);
            case NodeType::Variable:
                return eval_variable_node(dot, first, args, final);
            default:
                break;
        }
        at(first);
        not_a_function(args, final);
        switch (first.type) {
            case NodeType::Bool:
                return Value::boolean(first.boolean);
            case NodeType::Dot:
                return dot;
            case NodeType::Nil:
                errorf("nil is not a command");
            case NodeType::Number:
                return ideal_constant(first);
            case NodeType::String:
                return Value::string(first.text);
            default:
                errorf("can't evaluate command " + go_quote(node_string(first)));
        }
    }

    static bool is_hex_int(const std::string& s) {
        return s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
               s.find_first_of("pP") == std::string::npos;
    }

    Value ideal_constant(const Node& c) {
        at(c);
        const Number& n = c.num;
        if (n.is_float && !is_hex_int(c.text) && c.text[0] != '\'' &&
            c.text.find_first_of(".eEpP") != std::string::npos) {
            return Value::number(n.f);
        }
        if (n.is_int) return Value::integer(n.i);
        if (n.is_uint) errorf(c.text + " overflows int");
        return Value::invalid();
    }

    Value eval_field_node(const Value& dot, const Node& field, Args args, const Value* final) {
        at(field);
        return eval_field_chain(dot, dot, field, field.ident, args, final);
    }

    Value eval_chain_node(const Value& dot, const Node& chain, Args args, const Value* final) {
        at(chain);
        if (chain.pipe->type == NodeType::Nil) {
            errorf("indirection through explicit nil in " + node_string(chain));
        }
        Value pipe = eval_arg(dot, std::nullopt, *chain.pipe);
        return eval_field_chain(dot, pipe, chain, chain.ident, args, final);
    }

    Value eval_variable_node(const Value& dot, const Node& var, Args args, const Value* final) {
        at(var);
        Value value = var_value(var.ident[0]);
        if (var.ident.size() == 1) {
            not_a_function(args, final);
            return value;
        }
        std::vector<std::string> rest(var.ident.begin() + 1, var.ident.end());
        return eval_field_chain(dot, value, var, rest, args, final);
    }

    Value eval_field_chain(const Value& dot, Value receiver, const Node& node,
                           const std::vector<std::string>& ident, Args args, const Value* final) {
        size_t n = ident.size();
        for (size_t i = 0; i + 1 < n; ++i) {
            receiver = eval_field(dot, ident[i], node, {}, nullptr, receiver);
        }
        return eval_field(dot, ident[n - 1], node, args, final, receiver);
    }

    Value eval_function(const Value& dot, const Node& node, const Node& cmd, Args args,
                        const Value* final) {
        at(node);
        const std::string& name = node.text;
        bool builtin = false;
        const Function* fn = nullptr;
        if (auto it = sprig_funcs().find(name); it != sprig_funcs().end()) {
            fn = &it->second;
        } else if (auto b = builtin_funcs().find(name); b != builtin_funcs().end()) {
            fn = &b->second;
            builtin = true;
        }
        if (fn == nullptr) errorf(go_quote(name) + " is not a defined function");
        return eval_call(dot, *fn, builtin, cmd, name, args, final, Value::invalid());
    }

    Value eval_field(const Value& dot, const std::string& name, const Node& node, Args args,
                     const Value* final, const Value& receiver) {
        if (!receiver.valid()) {
            if (missing_error_) errorf("nil data; no entry for key " + go_quote(name));
            return Value::invalid();
        }
        std::string typ = static_type_name(receiver);
        if (receiver.type == GoType::Nil) {
            errorf("nil pointer evaluating " + std::string("interface {}") + "." + name);
        }
        if (receiver.obj) {
            if (const Function* m = receiver.obj->method(name)) {
                return eval_call(dot, *m, false, node, name, args, final, receiver);
            }
        }
        bool has_args = args.size() > 1 || final != nullptr;
        if (receiver.type == GoType::Object) {
            bool unexported = false;
            auto f = receiver.obj->field(name, &unexported);
            if (f) {
                if (unexported) {
                    errorf(name + " is an unexported field of struct type " + typ);
                }
                if (has_args) errorf(name + " has arguments but cannot be invoked as function");
                return *f;
            }
        } else if (receiver.is_map()) {
            if (has_args) errorf(name + " is not a method but has arguments");
            auto it = receiver.map ? receiver.map->find(name) : Map::iterator{};
            if (!receiver.map || it == receiver.map->end()) {
                if (missing_error_) errorf("map has no entry for key " + go_quote(name));
                return Value::invalid();
            }
            charge_bytes(it->second);
            return element_of(receiver, it->second);
        }
        errorf("can't evaluate field " + name + " in type " + typ);
    }

    Value eval_call(const Value& dot, const Function& fn, bool builtin, const Node& node,
                    const std::string& name, Args args, const Value* final, const Value& self) {
        if (!args.empty()) args = args.subspan(1);
        const Signature& sig = fn.sig;
        size_t num_in = args.size() + (final ? 1 : 0);
        size_t num_fixed = args.size();
        if (sig.variadic) {
            num_fixed = sig.in.size() - 1;
            if (num_in < num_fixed) {
                errorf("wrong number of args for " + name + ": want at least " +
                       std::to_string(sig.in.size() - 1) + " got " + std::to_string(args.size()));
            }
        } else if (num_in != sig.in.size()) {
            errorf("wrong number of args for " + name + ": want " + std::to_string(sig.in.size()) +
                   " got " + std::to_string(num_in));
        }
        if (builtin && (name == "and" || name == "or")) {
            Value v;
            for (const auto& a : args) {
                v = eval_arg(dot, Arg::Reflect, *a);
                if (is_true(v) == (name == "or")) return v;
            }
            if (final) v = validate_type(*final, Arg::Reflect);
            return v;
        }
        std::vector<Value> argv;
        argv.reserve(num_in);
        size_t i = 0;
        for (; i < num_fixed && i < args.size(); ++i)
            argv.push_back(eval_arg(dot, sig.in[i], *args[i]));
        if (sig.variadic) {
            for (; i < args.size(); ++i)
                argv.push_back(eval_arg(dot, sig.in.back(), *args[i]));
        }
        if (final) {
            Arg t = sig.in.back();
            if (sig.variadic && num_in - 1 < num_fixed) t = sig.in[num_in - 1];
            argv.push_back(validate_type(*final, t));
        }
        charge(1);
        try {
            Value result = fn.fn(self, argv);
            RenderBudget::check_result(result);
            charge_bytes(result);
            return result;
        } catch (const CallError& e) {
            at(node);
            errorf("error calling " + name + ": " + e.msg);
        }
    }

    Value validate_type(const Value& v, std::optional<Arg> typ) {
        if (!v.valid()) {
            if (!typ) return Value::invalid();
            if (can_be_nil(*typ)) return zero_of(*typ);
            errorf("invalid value; expected " + arg_type_name(*typ));
        }
        if (!typ || *typ == Arg::Reflect) return v;
        Arg t = *typ;
        if (t == Arg::Any) return v.type == GoType::Nil ? Value::nil() : v.unboxed();
        bool ok = false;
        switch (t) {
            case Arg::String:
                ok = v.type == GoType::String;
                break;
            case Arg::Int:
                ok = v.type == GoType::Int;
                break;
            case Arg::Int64:
                ok = v.type == GoType::Int64;
                break;
            case Arg::Float64:
                ok = v.type == GoType::Float64;
                break;
            case Arg::Bool:
                ok = v.type == GoType::Bool;
                break;
            case Arg::MapIface:
                ok = v.type == GoType::MapIface;
                break;
            case Arg::ListString:
                ok = v.type == GoType::ListString;
                break;
            default:
                break;
        }
        if (ok) return v.unboxed();
        std::string got = v.type == GoType::Nil ? "interface {}" : type_name(v);
        errorf("wrong type for value; expected " + arg_type_name(t) + "; got " + got);
    }

    Value eval_arg(const Value& dot, std::optional<Arg> typ, const Node& n) {
        at(n);
        switch (n.type) {
            case NodeType::Dot:
                return validate_type(dot, typ);
            case NodeType::Nil:
                if (typ && can_be_nil(*typ)) return zero_of(*typ);
                errorf("cannot assign nil to " + arg_type_name(typ.value_or(Arg::Any)));
            case NodeType::Field:
                return validate_type(eval_field_node(dot, n, Args(&field_arg_, 1), nullptr), typ);
            case NodeType::Variable:
                return validate_type(eval_variable_node(dot, n, {}, nullptr), typ);
            case NodeType::Pipe:
                return validate_type(eval_pipeline(dot, &n), typ);
            case NodeType::Identifier:
                return validate_type(eval_function(dot, n, n, {}, nullptr), typ);
            case NodeType::Chain:
                return validate_type(eval_chain_node(dot, n, {}, nullptr), typ);
            default:
                break;
        }
        Arg t = typ.value_or(Arg::Any);
        switch (t) {
            case Arg::Bool:
                if (n.type == NodeType::Bool) return Value::boolean(n.boolean);
                errorf("expected bool; found " + node_string(n));
            case Arg::Float64:
                if (n.type == NodeType::Number && n.num.is_float) return Value::number(n.num.f);
                errorf("expected float; found " + node_string(n));
            case Arg::Int:
            case Arg::Int64:
                if (n.type == NodeType::Number && n.num.is_int) {
                    return Value::integer(n.num.i, t == Arg::Int ? GoType::Int : GoType::Int64);
                }
                errorf("expected integer; found " + node_string(n));
            case Arg::Any:
            case Arg::Reflect:
                return eval_empty_interface(dot, n);
            case Arg::String:
                if (n.type == NodeType::String) return Value::string(n.text);
                errorf("expected string; found " + node_string(n));
            default:
                errorf("can't handle " + node_string(n) + " for arg of type " + arg_type_name(t));
        }
    }

    // A placeholder single-element arg list: Go passes []Node{n} so a field used as an
    // argument never counts as having arguments.
    NodePtr field_arg_;

    Value eval_empty_interface(const Value& dot, const Node& n) {
        at(n);
        switch (n.type) {
            case NodeType::Bool:
                return Value::boolean(n.boolean);
            case NodeType::Number:
                return ideal_constant(n);
            case NodeType::String:
                return Value::string(n.text);
            default:
                break;
        }
        (void)dot;
        errorf("can't handle assignment of " + node_string(n) + " to empty interface argument");
    }

    void print_value(const Node& n, const Value& v) {
        at(n);
        if (!v.valid()) {
            append_output("<no value>");
            return;
        }
        try {
            append_output(sprint_value(v));
        } catch (const CallError& e) {  // a limit hit while printing a large or deep value
            errorf(e.msg);
        }
    }
};

}  // namespace

bool is_true(const Value& v) {
    switch (v.type) {
        case GoType::Invalid:
        case GoType::Nil:
            return false;
        case GoType::Bool:
            return v.b;
        case GoType::Int:
        case GoType::Int64:
        case GoType::Uint8:
            return v.i != 0;
        case GoType::Float64:
            return v.f != 0;
        case GoType::String:
            return !v.s.empty();
        case GoType::Object:
            return true;
        default:
            return v.size() > 0;
    }
}

void execute(const TreeMap& set, const Tree& tree, const Value& dot, std::string& out,
             bool missing_key_error, const RenderLimits& limits) {
    StackGuard guard;
    RenderBudget budget(limits);
    State st(set, tree, out, 0, missing_key_error);
    st.run(dot);
}

}  // namespace drover::tmpl
