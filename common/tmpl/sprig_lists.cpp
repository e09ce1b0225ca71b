// Sprig list functions (list.go): they accept any slice via reflection and return
// []interface{}; wrong kinds fail with Sprig's "Cannot <op> on type <kind>" panics.
#include <algorithm>

#include "common/tmpl/gofmt.hpp"
#include "common/tmpl/render_budget.hpp"
#include "common/tmpl/sprig_util.hpp"

namespace drover::tmpl {

using namespace sprig;

namespace {

bool in_list(const List& hay, const Value& needle) {
    return std::any_of(hay.begin(), hay.end(),
                       [&](const Value& h) { return deep_equal(needle, h); });
}

Value nil_list() {
    Value v;
    v.type = GoType::ListIface;
    return v;
}

// Go's int arithmetic, which wraps (seq's end+1 at MaxInt64).
int64_t go_add(int64_t a, int64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

// Sprig's untilStep, counting first: a range past the render's list limit is refused before it
// is built, and no `i += step` can overflow (in Go it wraps, and the loop never ends).
std::vector<int64_t> until_step(int64_t start, int64_t stop, int64_t step) {
    std::vector<int64_t> v;
    bool down = stop < start;
    if (down ? step >= 0 : step <= 0) return v;
    auto ustep = static_cast<uint64_t>(step);
    uint64_t distance = down ? static_cast<uint64_t>(start) - static_cast<uint64_t>(stop)
                             : static_cast<uint64_t>(stop) - static_cast<uint64_t>(start);
    uint64_t magnitude = down ? 0 - ustep : ustep;
    uint64_t count = distance / magnitude + (distance % magnitude != 0);
    if (count > RenderBudget::limits().max_items)
        throw CallError{"render limit: a list of more than " +
                        std::to_string(RenderBudget::limits().max_items) + " items"};
    v.reserve(count);
    for (uint64_t k = 0; k < count; ++k)  // exact: every element lies between start and stop
        v.push_back(static_cast<int64_t>(static_cast<uint64_t>(start) + k * ustep));
    return v;
}

Value int_list(const std::vector<int64_t>& l) {
    List out;
    for (auto i : l)
        out.push_back(Value::integer(i));
    return Value::list_of(std::move(out), GoType::ListInt);
}

std::string seq(const std::vector<Value>& p) {
    std::vector<int64_t> r;
    switch (p.size()) {
        case 0:
            return "";
        case 1: {
            int64_t start = 1, end = p[0].i, inc = end < start ? -1 : 1;
            r = until_step(start, go_add(end, inc), inc);
            break;
        }
        case 2: {
            int64_t start = p[0].i, end = p[1].i, step = end < start ? -1 : 1;
            r = until_step(start, go_add(end, step), step);
            break;
        }
        case 3: {
            int64_t start = p[0].i, end = p[2].i, step = p[1].i, inc = 1;
            if (end < start) {
                inc = -1;
                if (step > 0) return "";
            }
            r = until_step(start, go_add(end, inc), step);
            break;
        }
        default:
            return "";
    }
    std::string out;
    for (size_t i = 0; i < r.size(); ++i) {
        if (i > 0) out += ' ';
        out += std::to_string(r[i]);
    }
    return out;
}

Value slice_fn(const Value& list, const std::vector<Value>& idx) {
    const List& l = require_list(list, "slice");  // kind check below uses Sprig's text
    if (l.empty()) return Value::nil();
    int64_t start = idx.empty() ? 0 : to_int64(idx[0]);
    int64_t end = idx.size() < 2 ? static_cast<int64_t>(l.size()) : to_int64(idx[1]);
    if (start < 0 || end < start || end > static_cast<int64_t>(l.size())) {
        throw CallError{"reflect.Value.Slice: slice index out of bounds"};
    }
    Value out = list;
    out.boxed = false;
    out.list = std::make_shared<List>(l.begin() + start, l.begin() + end);
    return out;
}

void add_list_ops(FuncMap& m) {
    const Signature any1{{Arg::Any}};
    m["list"] =
        fn({{Arg::Any}, true}, [](const Value&, std::vector<Value>& a) { return iface_list(a); });
    m["tuple"] = m["list"];
    Impl push = [](const Value&, std::vector<Value>& a) {
        List l = require_list(a[0], "push");
        l.push_back(a[1]);
        return iface_list(std::move(l));
    };
    m["append"] = fn({{Arg::Any, Arg::Any}}, push);
    m["push"] = m["append"];
    m["mustAppend"] = m["append"];
    m["mustPush"] = m["append"];
    m["prepend"] = fn({{Arg::Any, Arg::Any}}, [](const Value&, std::vector<Value>& a) {
        List l = require_list(a[0], "prepend");
        l.insert(l.begin(), a[1]);
        return iface_list(std::move(l));
    });
    m["mustPrepend"] = m["prepend"];
    m["first"] = fn(any1, [](const Value&, std::vector<Value>& a) {
        const List& l = require_list(a[0], "find first");
        return l.empty() ? Value::nil() : l.front().unboxed();
    });
    m["mustFirst"] = m["first"];
    m["last"] = fn(any1, [](const Value&, std::vector<Value>& a) {
        const List& l = require_list(a[0], "find last");
        return l.empty() ? Value::nil() : l.back().unboxed();
    });
    m["mustLast"] = m["last"];
    m["rest"] = fn(any1, [](const Value&, std::vector<Value>& a) {
        const List& l = require_list(a[0], "find rest");
        if (l.empty()) return nil_list();
        return iface_list(List(l.begin() + 1, l.end()));
    });
    m["mustRest"] = m["rest"];
    m["initial"] = fn(any1, [](const Value&, std::vector<Value>& a) {
        const List& l = require_list(a[0], "find initial");
        if (l.empty()) return nil_list();
        return iface_list(List(l.begin(), l.end() - 1));
    });
    m["mustInitial"] = m["initial"];
    m["reverse"] = fn(any1, [](const Value&, std::vector<Value>& a) {
        List l = require_list(a[0], "find reverse");
        std::reverse(l.begin(), l.end());
        return iface_list(std::move(l));
    });
    m["mustReverse"] = m["reverse"];
}

void add_set_ops(FuncMap& m) {
    const Signature any1{{Arg::Any}};
    m["uniq"] = fn(any1, [](const Value&, std::vector<Value>& a) {
        List out;
        for (const auto& e : require_list(a[0], "find uniq")) {
            if (!in_list(out, e)) out.push_back(e);
        }
        return iface_list(std::move(out));
    });
    m["mustUniq"] = m["uniq"];
    m["compact"] = fn(any1, [](const Value&, std::vector<Value>& a) {
        List out;
        for (const auto& e : require_list(a[0], "compact")) {
            if (!empty(e)) out.push_back(e);
        }
        return iface_list(std::move(out));
    });
    m["mustCompact"] = m["compact"];
    m["without"] = fn({{Arg::Any, Arg::Any}, true}, [](const Value&, std::vector<Value>& a) {
        List omit(a.begin() + 1, a.end());
        List out;
        for (const auto& e : require_list(a[0], "find without")) {
            if (!in_list(omit, e)) out.push_back(e);
        }
        return iface_list(std::move(out));
    });
    m["mustWithout"] = m["without"];
    m["has"] = fn({{Arg::Any, Arg::Any}}, [](const Value&, std::vector<Value>& a) {
        if (a[1].type == GoType::Nil) return Value::boolean(false);
        return Value::boolean(in_list(require_list(a[1], "find has"), a[0]));
    });
    m["mustHas"] = m["has"];
    m["slice"] = fn({{Arg::Any, Arg::Any}, true}, [](const Value&, std::vector<Value>& a) {
        if (a[0].valid() && a[0].type != GoType::Nil && !a[0].is_list()) {
            throw CallError{"list should be type of slice or array but " + kind_name(a[0])};
        }
        return slice_fn(a[0], std::vector<Value>(a.begin() + 1, a.end()));
    });
    m["mustSlice"] = m["slice"];
    m["concat"] = fn({{Arg::Any}, true}, [](const Value&, std::vector<Value>& a) {
        List out;
        for (const auto& l : a) {
            if (l.type == GoType::Nil) nil_deref();
            if (!l.is_list()) throw CallError{"Cannot concat type " + kind_name(l) + " as list"};
            for (size_t i = 0; i < l.size(); ++i)
                out.push_back((*l.list)[i]);
        }
        if (out.empty()) return nil_list();
        return iface_list(std::move(out));
    });
    m["sortAlpha"] = fn(any1, [](const Value&, std::vector<Value>& a) {
        if (!a[0].is_list()) {
            return string_list({a[0].type == GoType::Nil ? "<nil>" : strval(a[0])});
        }
        auto s = strslice(a[0]);
        std::sort(s.begin(), s.end());
        return string_list(s);
    });
    m["toStrings"] =
        fn(any1, [](const Value&, std::vector<Value>& a) { return string_list(strslice(a[0])); });
    m["until"] = fn({{Arg::Int}}, [](const Value&, std::vector<Value>& a) {
        return int_list(until_step(0, a[0].i, a[0].i < 0 ? -1 : 1));
    });
    m["untilStep"] = fn({{Arg::Int, Arg::Int, Arg::Int}}, [](const Value&, std::vector<Value>& a) {
        return int_list(until_step(a[0].i, a[1].i, a[2].i));
    });
    m["seq"] = fn({{Arg::Int}, true},
                  [](const Value&, std::vector<Value>& a) { return Value::string(seq(a)); });
}

}  // namespace

void add_sprig_lists(FuncMap& m) {
    add_list_ops(m);
    add_set_ops(m);
}

}  // namespace drover::tmpl
