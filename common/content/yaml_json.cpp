#include "common/content/yaml_json.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>

#include "common/content/yaml_resolve.hpp"
#include "common/rules/utf8.hpp"

namespace drover::content {

namespace {

using nlohmann::json;

// Aliases let a small document expand enormously ("billion laughs"); real content packs stay
// far below these.
constexpr std::size_t kMaxNodes = 4'000'000;
constexpr std::size_t kMaxScalarBytes = 256u << 20;
constexpr int kMaxDepth = 512;

constexpr std::string_view kCoreTagPrefix = "tag:yaml.org,2002:";

std::string place(const YAML::Mark& m) {
    if (m.line < 0) return "";
    return "line " + std::to_string(m.line + 1) + ", column " + std::to_string(m.column + 1) + ": ";
}

// Go's json.Marshal writes a float64 without a fraction as an integer literal, which a JSON
// decoder then reads as an integer; NaN and infinities have no JSON form.
std::optional<json> json_number(double f) {
    if (!std::isfinite(f)) return std::nullopt;
    if (f == std::trunc(f) && std::fabs(f) < 1e21) {
        if (f >= -9223372036854775808.0 && f < 9223372036854775808.0)
            return json(static_cast<int64_t>(f));
        if (f >= 0 && f < 18446744073709551616.0) return json(static_cast<uint64_t>(f));
    }
    return json(f);
}

class Converter {
  public:
    std::string error;

    bool node(const YAML::Node& n, json& out, int depth) {
        if (++nodes_ > kMaxNodes || depth > kMaxDepth)
            return fail(n, "the document is too large or too deeply nested");
        switch (n.Type()) {
            case YAML::NodeType::Null:
                out = nullptr;
                return true;
            case YAML::NodeType::Scalar:
                return scalar(n, out);
            case YAML::NodeType::Sequence:
                out = json::array();
                for (const auto& item : n) {
                    json v;
                    if (!node(item, v, depth + 1)) return false;
                    out.push_back(std::move(v));
                }
                return true;
            case YAML::NodeType::Map:
                return mapping(n, out, depth);
            case YAML::NodeType::Undefined:
                break;
        }
        return fail(n, "undefined node");
    }

  private:
    std::size_t nodes_ = 0;
    std::size_t bytes_ = 0;

    bool fail(const YAML::Node& at, const std::string& msg) {
        error = place(at.Mark()) + msg;
        return false;
    }

    bool scalar(const YAML::Node& n, json& out) {
        const std::string& text = n.Scalar();
        if ((bytes_ += text.size()) > kMaxScalarBytes)
            return fail(n, "the document is too large or too deeply nested");
        const std::string& tag = n.Tag();
        if (tag == "?") return plain(n, resolve_plain_scalar(text), out);
        if (!std::string_view(tag).starts_with(kCoreTagPrefix)) {
            out = text;  // quoted or block ("!"), or an application tag yaml.v2 cannot resolve
            return true;
        }
        std::string wanted = tag.substr(kCoreTagPrefix.size());
        if (wanted == "str") {
            out = text;
            return true;
        }
        if (wanted == "binary") return fail(n, "!!binary scalars are not supported");
        ResolvedScalar r = resolve_plain_scalar(text);
        bool matches = std::string(short_tag(r.tag)) == "!!" + wanted;
        if (wanted == "float" && r.tag == ScalarTag::Int) {
            r = {ScalarTag::Float, r.value.get<double>()};
            matches = true;
        }
        if (matches) return plain(n, r, out);
        if (wanted != "null" && wanted != "bool" && wanted != "int" && wanted != "float" &&
            wanted != "timestamp") {
            out = text;
            return true;
        }
        return fail(n, std::string("cannot decode ") + short_tag(r.tag) + " `" + text +
                           "` as a !!" + wanted);
    }

    bool plain(const YAML::Node& n, const ResolvedScalar& r, json& out) {
        if (r.tag != ScalarTag::Float) {
            out = r.value;
            return true;
        }
        auto num = json_number(r.value.get<double>());
        if (!num) return fail(n, "`" + n.Scalar() + "` has no JSON representation");
        out = std::move(*num);
        return true;
    }

    // A map key as JSON text: ghodss/yaml formats the key yaml.v2 resolved.
    bool key_text(const YAML::Node& k, std::string& out) {
        if (k.Type() != YAML::NodeType::Scalar)
            return fail(k, k.Type() == YAML::NodeType::Null
                               ? "a null map key cannot be represented in JSON"
                               : "map keys must be scalars");
        json v;
        if (!scalar(k, v)) return false;
        if (v.is_null()) return fail(k, "a null map key cannot be represented in JSON");
        out = v.is_string() ? v.get<std::string>() : v.is_number_float() ? k.Scalar() : v.dump();
        return true;
    }

    static bool is_merge_key(const YAML::Node& k) {
        return k.Type() == YAML::NodeType::Scalar && k.Tag() == "?" && k.Scalar() == "<<";
    }

    // `<<: *base` or `<<: [*a, *b]`: keys not already present come from the merged maps, the
    // earlier map first.
    bool merge(const YAML::Node& v, json& merged, int depth) {
        std::vector<YAML::Node> sources;
        if (v.Type() == YAML::NodeType::Map) {
            sources.push_back(v);
        } else if (v.Type() == YAML::NodeType::Sequence) {
            for (const auto& item : v)
                sources.push_back(item);
        }
        if (sources.empty()) return fail(v, "a << merge needs a map or a list of maps");
        for (const auto& src : sources) {
            if (src.Type() != YAML::NodeType::Map)
                return fail(src, "a << merge needs a map or a list of maps");
            json m;
            if (!node(src, m, depth + 1)) return false;
            for (auto& [k, e] : m.items())
                if (!merged.contains(k)) merged[k] = std::move(e);
        }
        return true;
    }

    bool mapping(const YAML::Node& n, json& out, int depth) {
        out = json::object();
        json merged = json::object();
        for (const auto& kv : n) {
            if (is_merge_key(kv.first)) {
                if (!merge(kv.second, merged, depth)) return false;
                continue;
            }
            std::string key;
            if (!key_text(kv.first, key)) return false;
            if (out.contains(key)) return fail(kv.first, "duplicate key \"" + key + "\"");
            if (!node(kv.second, out[key], depth + 1)) return false;
        }
        for (auto& [k, e] : merged.items())
            if (!out.contains(k)) out[k] = std::move(e);
        return true;
    }
};

}  // namespace

api::Expected<json, std::string> yaml_to_json(std::string_view text) {
    // yaml-cpp passes invalid UTF-8 through into strings, which JSON cannot hold (dumping them
    // throws); Go's yaml.v2 refuses such a document, and so does this.
    if (std::size_t valid = rules::valid_utf8_prefix(text); valid < text.size()) {
        std::string_view before = text.substr(0, valid);
        std::size_t line_start = before.rfind('\n') + 1;  // npos + 1 == 0
        return api::unexpected(
            "line " + std::to_string(1 + std::count(before.begin(), before.end(), '\n')) +
            ", column " + std::to_string(valid - line_start + 1) + ": invalid UTF-8");
    }
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        return api::unexpected(place(e.mark) + e.msg);
    }
    Converter c;
    json out;
    try {
        if (!c.node(root, out, 0)) return api::unexpected(c.error);
    } catch (const YAML::Exception& e) {
        return api::unexpected(place(e.mark) + e.msg);
    }
    return out;
}

}  // namespace drover::content
