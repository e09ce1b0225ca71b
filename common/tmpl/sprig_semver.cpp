// Sprig semver/semverCompare on a Masterminds/semver v3 compatible subset: versions with
// optional "v", missing minor/patch, prerelease and metadata; constraints with = != > < >=
// <= ~ ^, x/* wildcards, comma/space AND, || OR and hyphen ranges.
#include <re2/re2.h>
#include <cstring>

#include "common/tmpl/sprig_util.hpp"

namespace drover::tmpl {

using namespace sprig;

namespace {

struct Version {
    uint64_t major = 0, minor = 0, patch = 0;
    std::string pre, meta, original;
    std::string str() const {
        std::string s =
            std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
        if (!pre.empty()) s += "-" + pre;
        if (!meta.empty()) s += "+" + meta;
        return s;
    }
};

// RE2, not std::regex: libstdc++ recursed per character and a long string overflowed the stack
// (found by tests/fuzz/template_fuzz's seeds).
const RE2& version_re() {
    static const RE2 re(
        R"(v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?)");
    return re;
}

// Group i of a match as a string ("" when it did not take part).
struct Groups {
    re2::StringPiece at[10];
    std::string str(int i) const { return std::string(at[i].data() ? at[i] : ""); }
    bool matched(int i) const { return at[i].data() != nullptr; }
};

std::optional<Version> parse_version(const std::string& s, std::string* err) {
    Groups m;
    if (!version_re().Match(s, 0, s.size(), RE2::ANCHOR_BOTH, m.at, 10)) {
        *err = "Invalid Semantic Version";
        return std::nullopt;
    }
    Version v;
    v.original = s;
    try {
        v.major = std::stoull(m.str(1));
        if (m.matched(2)) v.minor = std::stoull(m.str(2).substr(1));
        if (m.matched(3)) v.patch = std::stoull(m.str(3).substr(1));
    } catch (...) {
        *err = "Invalid Semantic Version";
        return std::nullopt;
    }
    v.pre = m.str(5);
    v.meta = m.str(8);
    return v;
}

int cmp_pre_part(const std::string& a, const std::string& b) {
    bool an = !a.empty() && a.find_first_not_of("0123456789") == std::string::npos;
    bool bn = !b.empty() && b.find_first_not_of("0123456789") == std::string::npos;
    if (an && bn) {
        uint64_t x = std::stoull(a), y = std::stoull(b);
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if (an) return -1;
    if (bn) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
}

int compare(const Version& a, const Version& b) {
    if (a.major != b.major) return a.major < b.major ? -1 : 1;
    if (a.minor != b.minor) return a.minor < b.minor ? -1 : 1;
    if (a.patch != b.patch) return a.patch < b.patch ? -1 : 1;
    if (a.pre.empty() && b.pre.empty()) return 0;
    if (a.pre.empty()) return 1;
    if (b.pre.empty()) return -1;
    auto pa = go_split(a.pre, ".", -1), pb = go_split(b.pre, ".", -1);
    for (size_t i = 0; i < std::max(pa.size(), pb.size()); ++i) {
        if (i >= pa.size()) return -1;
        if (i >= pb.size()) return 1;
        int c = cmp_pre_part(pa[i], pb[i]);
        if (c != 0) return c;
    }
    return 0;
}

class SemverObject : public Object {
  public:
    explicit SemverObject(Version v) : v_(std::move(v)) {}
    std::string type_name() const override { return "*semver.Version"; }
    std::optional<std::string> stringer() const override { return v_.str(); }
    const Function* method(std::string_view name) const override {
        static const std::unordered_map<std::string, Function> methods = make_methods();
        auto it = methods.find(std::string(name));
        return it == methods.end() ? nullptr : &it->second;
    }
    const Version& version() const { return v_; }

  private:
    Version v_;
    static std::unordered_map<std::string, Function> make_methods() {
        auto get = [](const Value& self) -> const Version& {
            return static_cast<const SemverObject*>(self.obj.get())->v_;
        };
        std::unordered_map<std::string, Function> m;
        auto u64 = [](uint64_t x) {
            return Value::integer(static_cast<int64_t>(x), GoType::Int64);
        };
        m["Major"] = fn({}, [=](const Value& s, std::vector<Value>&) { return u64(get(s).major); });
        m["Minor"] = fn({}, [=](const Value& s, std::vector<Value>&) { return u64(get(s).minor); });
        m["Patch"] = fn({}, [=](const Value& s, std::vector<Value>&) { return u64(get(s).patch); });
        m["Prerelease"] =
            fn({}, [=](const Value& s, std::vector<Value>&) { return Value::string(get(s).pre); });
        m["Metadata"] =
            fn({}, [=](const Value& s, std::vector<Value>&) { return Value::string(get(s).meta); });
        m["Original"] = fn({}, [=](const Value& s, std::vector<Value>&) {
            return Value::string(get(s).original);
        });
        m["String"] = fn(
            {}, [=](const Value& s, std::vector<Value>&) { return Value::string(get(s).str()); });
        return m;
    }
};

// One primitive comparison: op against a (possibly wildcard) version.
struct Term {
    std::string op;
    Version v;
    int wild = 3;  // number of concrete components (3 = none wild)
};

bool parse_term(std::string t, Term& out) {
    static const char* ops[] = {">=", "=>", "<=", "=<", "!=", "~>", ">", "<", "=", "~", "^"};
    out.op.clear();
    for (const char* op : ops) {
        if (t.starts_with(op)) {
            out.op = op;
            t = t.substr(std::strlen(op));
            break;
        }
    }
    while (!t.empty() && t[0] == ' ')
        t.erase(0, 1);
    if (out.op == "=>") out.op = ">=";
    if (out.op == "=<") out.op = "<=";
    if (out.op == "~>") out.op = "~";
    if (!t.empty() && t[0] == 'v') t.erase(0, 1);
    std::string core = t, rest;
    size_t cut = t.find_first_of("-+");
    if (cut != std::string::npos) {
        core = t.substr(0, cut);
        rest = t.substr(cut);
    }
    auto parts = go_split(core, ".", -1);
    if (parts.empty() || parts.size() > 3) return false;
    out.wild = static_cast<int>(parts.size());
    std::string norm;
    for (size_t i = 0; i < 3; ++i) {
        std::string p = i < parts.size() ? parts[i] : "0";
        if (p == "x" || p == "X" || p == "*") {
            out.wild = std::min(out.wild, static_cast<int>(i));
            p = "0";
        }
        if (p.empty() || p.find_first_not_of("0123456789") != std::string::npos) return false;
        norm += (i ? "." : "") + p;
    }
    std::string err;
    auto v = parse_version(norm + rest, &err);
    if (!v) return false;
    out.v = *v;
    return true;
}

Version bump(const Version& v, int level) {
    Version r;
    r.major = v.major;
    if (level == 0) {
        r.major = v.major + 1;
    } else if (level == 1) {
        r.minor = v.minor + 1;
    } else {
        r.minor = v.minor;
        r.patch = v.patch + 1;
    }
    return r;
}

bool check_term(const Term& t, const Version& v) {
    if (!v.pre.empty() && t.v.pre.empty()) return false;
    int c = compare(v, t.v);
    const std::string& op = t.op;
    if (op.empty() || op == "=") {
        if (t.wild == 3) return c == 0;
        if (t.wild == 0) return true;
        return c >= 0 && compare(v, bump(t.v, t.wild - 1)) < 0;
    }
    if (op == "!=") {
        if (t.wild == 3) return c != 0;
        if (t.wild == 0) return false;
        return !(c >= 0 && compare(v, bump(t.v, t.wild - 1)) < 0);
    }
    if (op == ">")
        return t.wild == 3 ? c > 0 : t.wild == 0 ? false : compare(v, bump(t.v, t.wild - 1)) >= 0;
    if (op == ">=") return c >= 0;
    if (op == "<") return c < 0;
    if (op == "<=")
        return t.wild == 3 ? c <= 0 : t.wild == 0 ? true : compare(v, bump(t.v, t.wild - 1)) < 0;
    if (op == "~") {
        if (c < 0) return false;
        int level = t.wild >= 2 ? 1 : 0;
        return compare(v, bump(t.v, level)) < 0;
    }
    if (op == "^") {
        if (c < 0) return false;
        int level = t.v.major > 0 || t.wild <= 1 ? 0 : (t.v.minor > 0 || t.wild == 2) ? 1 : 2;
        return compare(v, bump(t.v, level)) < 0;
    }
    return false;
}

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

using Constraint = std::vector<std::vector<Term>>;  // OR of ANDs

// semver.NewConstraint: every OR segment must parse, else "improper constraint: <segment>".
Constraint parse_constraint(const std::string& c) {
    Constraint out;
    for (const auto& alt : go_split(c, "||", -1)) {
        std::string group = trim(alt);
        size_t dash = group.find(" - ");
        if (dash != std::string::npos) {
            group = ">=" + trim(group.substr(0, dash)) + ", <=" + trim(group.substr(dash + 3));
        }
        std::vector<std::string> raw;
        std::string cur;
        for (char ch : group) {
            if (ch == ',') {
                raw.push_back(cur);
                cur.clear();
            } else if (ch == ' ') {
                // A space separates terms unless it follows a bare operator.
                std::string t = trim(cur);
                if (!t.empty() && t.find_first_not_of("<>=!~^") != std::string::npos) {
                    raw.push_back(cur);
                    cur.clear();
                }
            } else {
                cur += ch;
            }
        }
        raw.push_back(cur);
        std::vector<Term> terms;
        for (const auto& r : raw) {
            std::string t = trim(r);
            if (t.empty()) continue;
            Term term;
            if (!parse_term(t, term)) throw CallError{"improper constraint: " + alt};
            terms.push_back(term);
        }
        if (terms.empty()) throw CallError{"improper constraint: " + alt};
        out.push_back(std::move(terms));
    }
    return out;
}

bool check_constraint(const Constraint& c, const Version& v) {
    for (const auto& group : c) {
        bool all = true;
        for (const auto& term : group)
            all = all && check_term(term, v);
        if (all) return true;
    }
    return false;
}

}  // namespace

void add_sprig_semver(FuncMap& m) {
    m["semver"] = fn({{Arg::String}}, [](const Value&, std::vector<Value>& a) {
        std::string err;
        auto v = parse_version(a[0].s, &err);
        if (!v) throw CallError{err};
        Value out;
        out.type = GoType::Object;
        out.obj = std::make_shared<SemverObject>(*v);
        return out;
    });
    m["semverCompare"] = fn({{Arg::String, Arg::String}}, [](const Value&, std::vector<Value>& a) {
        Constraint c = parse_constraint(a[0].s);  // Go parses the constraint first
        std::string err;
        auto v = parse_version(a[1].s, &err);
        if (!v) throw CallError{err};
        return Value::boolean(check_constraint(c, *v));
    });
}

}  // namespace drover::tmpl
