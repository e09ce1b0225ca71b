// JSON and YAML encoding with Go's exact output conventions (see json_value.hpp).
#include "common/tmpl/json_value.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "common/tmpl/func.hpp"
#include "common/tmpl/gofmt.hpp"
#include "common/tmpl/render_budget.hpp"

namespace drover::tmpl {

Value from_json(const nlohmann::json& j) {
    switch (j.type()) {
        case nlohmann::json::value_t::null:
            return Value::nil();
        case nlohmann::json::value_t::boolean:
            return Value::boolean(j.get<bool>());
        case nlohmann::json::value_t::number_integer:
            return Value::number(static_cast<double>(j.get<int64_t>()));
        case nlohmann::json::value_t::number_unsigned:
            return Value::number(static_cast<double>(j.get<uint64_t>()));
        case nlohmann::json::value_t::number_float:
            return Value::number(j.get<double>());
        case nlohmann::json::value_t::string:
            return Value::string(j.get<std::string>());
        case nlohmann::json::value_t::array: {
            List l;
            l.reserve(j.size());
            for (const auto& e : j)
                l.push_back(from_json(e));
            return Value::list_of(std::move(l));
        }
        case nlohmann::json::value_t::object: {
            Map m;
            for (const auto& [k, e] : j.items())
                m[k] = from_json(e);
            return Value::map_of(std::move(m));
        }
        default:
            return Value::nil();
    }
}

std::optional<Value> parse_json(const std::string& text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return from_json(j);
}

namespace {

void json_string(std::string& out, const std::string& s, bool escape_html) {
    static const char* hex = "0123456789abcdef";
    out += '"';
    for (size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            bool html = escape_html && (c == '<' || c == '>' || c == '&');
            if (c >= 0x20 && c != '"' && c != '\\' && !html) {
                out += static_cast<char>(c);
            } else if (c == '"' || c == '\\') {
                out += '\\';
                out += static_cast<char>(c);
            } else if (c == '\n') {
                out += "\\n";
            } else if (c == '\r') {
                out += "\\r";
            } else if (c == '\t') {
                out += "\\t";
            } else {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 15];
            }
            ++i;
            continue;
        }
        size_t w;
        char32_t r = decode_rune(s, i, &w);
        if (r == 0xFFFD && w == 1) {
            out += "\\ufffd";
        } else if (r == 0x2028 || r == 0x2029) {
            out += r == 0x2028 ? "\\u2028" : "\\u2029";
        } else {
            out.append(s, i, w);
        }
        i += w;
    }
    out += '"';
}

bool json_float(std::string& out, double f) {
    if (!std::isfinite(f)) return false;
    double a = std::fabs(f);
    char fmt = (a != 0 && (a < 1e-6 || a >= 1e21)) ? 'e' : 'f';
    std::string b = format_float(f, fmt, -1);
    if (fmt == 'e') {
        size_t n = b.size();
        if (n >= 4 && b[n - 4] == 'e' && b[n - 3] == '-' && b[n - 2] == '0') {
            b.erase(n - 2, 1);
        }
    }
    out += b;
    return true;
}

bool encode(std::string& out, const Value& v, bool pretty, bool html, int depth) {
    RenderBudget::walk_node();  // a DAG of shared lists encodes exponentially
    RenderBudget::check_bytes(out.size());
    auto newline = [&](int d) {
        if (!pretty) return;
        out += '\n';
        out.append(static_cast<size_t>(d) * 2, ' ');
    };
    switch (v.type) {
        case GoType::Invalid:
        case GoType::Nil:
            out += "null";
            return true;
        case GoType::Bool:
            out += v.b ? "true" : "false";
            return true;
        case GoType::Int:
        case GoType::Int64:
        case GoType::Uint8:
            out += std::to_string(v.i);
            return true;
        case GoType::Float64:
            return json_float(out, v.f);
        case GoType::String:
            json_string(out, v.s, html);
            return true;
        case GoType::Object:
            if (auto s = v.obj->stringer()) {
                json_string(out, *s, html);
                return true;
            }
            {
                auto fields = v.obj->exported_fields();
                out += '{';
                for (size_t i = 0; i < fields.size(); ++i) {
                    if (i > 0) out += ',';
                    newline(depth + 1);
                    json_string(out, fields[i].first, html);
                    out += pretty ? ": " : ":";
                    if (!encode(out, fields[i].second, pretty, html, depth + 1)) return false;
                }
                if (!fields.empty()) newline(depth);
                out += '}';
            }
            return true;
        default:
            break;
    }
    if (v.is_list()) {
        if (!v.list) {
            out += "null";
            return true;
        }
        out += '[';
        for (size_t i = 0; i < v.list->size(); ++i) {
            if (i > 0) out += ',';
            newline(depth + 1);
            if (!encode(out, (*v.list)[i], pretty, html, depth + 1)) return false;
        }
        if (!v.list->empty()) newline(depth);
        out += ']';
        return true;
    }
    if (!v.map) {
        out += "null";
        return true;
    }
    out += '{';
    bool first = true;
    for (const auto& [k, e] : *v.map) {
        if (!first) out += ',';
        first = false;
        newline(depth + 1);
        json_string(out, k, html);
        out += pretty ? ": " : ":";
        if (!encode(out, e, pretty, html, depth + 1)) return false;
    }
    if (!v.map->empty()) newline(depth);
    out += '}';
    return true;
}

}  // namespace

std::optional<std::string> to_go_json(const Value& v, bool pretty, bool escape_html) {
    std::string out;
    if (!encode(out, v, pretty, escape_html, 0)) return std::nullopt;
    return out;
}

}  // namespace drover::tmpl
