// go-yaml v2 output for JSON-shaped values, as ghodss/yaml.Marshal produces it (JSON ->
// yaml.v2 -> text): integral numbers become ints, keys sort in yaml.v2's "natural" order,
// and each string gets the style libyaml's emitter would pick (plain, single-quoted,
// double-quoted or literal block), with plain/single-quoted lines folded at 80 columns.
#include <re2/re2.h>
#include <cmath>

#include "common/content/yaml_resolve.hpp"
#include "common/tmpl/gofmt.hpp"
#include "common/tmpl/json_value.hpp"
#include "common/tmpl/render_budget.hpp"
#include "common/tmpl/strconv.hpp"

namespace drover::tmpl {

namespace {

constexpr int kBestWidth = 80;

// Would yaml.v2's resolve() read this plain scalar as something other than a string?
bool resolves_to_non_string(const std::string& in) {
    return content::resolve_plain_scalar(in).tag != content::ScalarTag::Str;
}

bool is_base60_float(const std::string& s) {
    static const RE2 re(R"([-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)");
    return RE2::FullMatch(s, re);  // RE2: std::regex recursed per character of a long string
}

enum class Style { Plain, Single, Double, Literal };

// libyaml's yaml_emitter_analyze_scalar + select_scalar_style for a block context.
Style choose_style(const std::string& s, bool simple_key) {
    bool can_plain = !resolves_to_non_string(s) && !is_base60_float(s);
    Style wanted = s.find('\n') != std::string::npos ? Style::Literal
                   : can_plain                       ? Style::Plain
                                                     : Style::Double;
    if (s.empty())
        return simple_key || !can_plain ? (can_plain ? Style::Single : Style::Double)
                                        : Style::Plain;
    bool block_ind = false, flow_ind = false, line_breaks = false, special = false;
    bool lead_space = false, trail_space = false, lead_break = false, trail_break = false;
    bool break_space = false, space_break = false, prev_space = false, prev_break = false;
    if (s.starts_with("---") || s.starts_with("...")) block_ind = flow_ind = true;
    bool preceded_ws = true;
    for (size_t i = 0; i < s.size();) {
        size_t w;
        char32_t r = decode_rune(s, i, &w);
        bool followed_ws = i + w >= s.size() || s[i + w] == ' ' || s[i + w] == '\t' ||
                           s[i + w] == '\n' || s[i + w] == '\r';
        if (i == 0) {
            if (std::string_view("#,[]{}&*!|>'\"%@`").find(static_cast<char>(r)) !=
                    std::string_view::npos &&
                r < 0x80) {
                flow_ind = block_ind = true;
            } else if (r == '?' || r == ':') {
                flow_ind = true;
                if (followed_ws) block_ind = true;
            } else if (r == '-' && followed_ws) {
                flow_ind = block_ind = true;
            }
        } else {
            if (r == ',' || r == '?' || r == '[' || r == ']' || r == '{' || r == '}') {
                flow_ind = true;
            } else if (r == ':') {
                flow_ind = true;
                if (followed_ws) block_ind = true;
            } else if (r == '#' && preceded_ws) {
                flow_ind = block_ind = true;
            }
        }
        // libyaml's is_printable: no tab, CR, NEL or 4-byte runes.
        bool printable = r == 0xA || (r >= 0x20 && r <= 0x7E) || (r >= 0xA0 && r <= 0xD7FF) ||
                         (r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF);
        if (!printable || (r == 0xFFFD && w == 1)) special = true;
        if (r == ' ') {
            if (i == 0) lead_space = true;
            if (i + w == s.size()) trail_space = true;
            if (prev_break) break_space = true;
            prev_space = true;
            prev_break = false;
        } else if (r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029) {
            line_breaks = true;
            if (i == 0) lead_break = true;
            if (i + w == s.size()) trail_break = true;
            if (prev_space) space_break = true;
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = prev_break = false;
        }
        preceded_ws = r == ' ' || r == '\t' || r == '\n' || r == '\r';
        i += w;
    }
    bool plain_ok = true, single_ok = true, block_ok = true;
    if (lead_space || lead_break || trail_space || trail_break) plain_ok = false;
    if (trail_space) block_ok = false;
    if (break_space) plain_ok = single_ok = false;
    if (space_break || special) plain_ok = single_ok = block_ok = false;
    if (line_breaks) plain_ok = false;
    if (block_ind) plain_ok = false;
    (void)flow_ind;
    Style st = wanted;
    if (st == Style::Plain && !plain_ok) st = Style::Single;
    if (st == Style::Single && !single_ok) st = Style::Double;
    if (st == Style::Literal && (!block_ok || simple_key)) st = Style::Double;
    return st;
}

// yaml.v2 keyList.Less for string keys ("natural" order: digit runs compare numerically).
bool key_less(const std::string& a8, const std::string& b8) {
    auto runes = [](const std::string& s) {
        std::vector<char32_t> r;
        for (size_t i = 0; i < s.size();) {
            size_t w;
            r.push_back(decode_rune(s, i, &w));
            i += w;
        }
        return r;
    };
    auto ar = runes(a8), br = runes(b8);
    auto letter = [](char32_t c) {
        return c < 0x80 ? std::isalpha(static_cast<int>(c)) != 0 : true;
    };
    auto digit = [](char32_t c) { return c >= '0' && c <= '9'; };
    for (size_t i = 0; i < ar.size() && i < br.size(); ++i) {
        if (ar[i] == br[i]) continue;
        bool al = letter(ar[i]), bl = letter(br[i]);
        if (al && bl) return ar[i] < br[i];
        if (al || bl) return bl;
        int64_t an = 0, bn = 0;
        if (ar[i] == '0' || br[i] == '0') {
            for (size_t j = i; j-- > 0 && digit(ar[j]);) {
                if (ar[j] != '0') {
                    an = bn = 1;
                    break;
                }
            }
        }
        size_t ai = i, bi = i;
        for (; ai < ar.size() && digit(ar[ai]); ++ai)
            an = an * 10 + (ar[ai] - '0');
        for (; bi < br.size() && digit(br[bi]); ++bi)
            bn = bn * 10 + (br[bi] - '0');
        if (an != bn) return an < bn;
        if (ai != bi) return ai < bi;
        return ar[i] < br[i];
    }
    return ar.size() < br.size();
}

// JSON prints an integral float64 below 1e21 as digits (shortest form, zero padded); YAML
// then reads it back as an int when it fits int64/uint64, otherwise as a float.
std::string yaml_number(double f) {
    if (f == 0) return "0";
    if (f == std::floor(f) && std::fabs(f) < 1e21) {
        std::string digits = format_float(f, 'f', -1);
        if (go_parse_int(digits) || go_parse_uint(digits)) return digits;
    }
    return format_float(f, 'g', -1);
}

class Writer {
  public:
    std::string out;

    void node(const Value& v, int indent, bool first_on_line) {
        (void)first_on_line;
        RenderBudget::walk_node();  // a DAG of shared lists encodes exponentially
        RenderBudget::check_bytes(out.size());
        if (v.is_map() && v.size() > 0) {
            mapping(v, indent);
        } else if (v.is_list() && v.size() > 0) {
            sequence(v, indent);
        } else {
            scalar_value(v, indent);
        }
    }

    void line_end() {
        if (column_ != 0) put("\n");
    }

  private:
    int column_ = 0;

    void put(std::string_view s) {
        out += s;
        for (char c : s) {
            if (c == '\n') {
                column_ = 0;
            } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
                ++column_;
            }
        }
    }
    void write_indent(int indent) {
        if (column_ != 0) put("\n");
        put(std::string(static_cast<size_t>(indent), ' '));
    }

    void mapping(const Value& v, int indent) {
        std::vector<std::pair<std::string, const Value*>> items;
        for (const auto& [k, e] : *v.map)
            items.push_back({k, &e});
        std::stable_sort(items.begin(), items.end(),
                         [](const auto& a, const auto& b) { return key_less(a.first, b.first); });
        bool first = true;
        for (const auto& [k, e] : items) {
            if (!first || column_ != indent) write_indent(indent);
            first = false;
            const Value& val = *e;
            if (k.find('\n') != std::string::npos || k.size() > 128) {
                complex_entry(k, val, indent);
                continue;
            }
            string_scalar(k, indent + 2, true);
            put(":");
            if (val.is_map() && val.size() > 0) {
                put("\n");
                mapping(val, indent + 2);
            } else if (val.is_list() && val.size() > 0) {
                put("\n");
                sequence(val, indent);  // yaml.v2 does not indent sequences under a key
            } else {
                put(" ");
                scalar_value(val, indent + 2);
            }
        }
    }

    // "? key\n: value" for keys that cannot be simple (multi-line or longer than 128).
    void complex_entry(const std::string& k, const Value& val, int indent) {
        put("? ");
        string_scalar(k, indent + 2, false);
        write_indent(indent);
        put(": ");
        if (val.is_map() && val.size() > 0) {
            mapping(val, indent + 2);
        } else if (val.is_list() && val.size() > 0) {
            sequence(val, indent + 2);
        } else {
            scalar_value(val, indent + 2);
        }
    }

    void sequence(const Value& v, int indent) {
        bool first = true;
        for (const auto& e : *v.list) {
            if (!first || column_ != indent) write_indent(indent);
            first = false;
            put("- ");
            if (e.is_map() && e.size() > 0) {
                mapping(e, indent + 2);
            } else if (e.is_list() && e.size() > 0) {
                sequence(e, indent + 2);
            } else {
                scalar_value(e, indent + 2);
            }
        }
    }

    void scalar_value(const Value& v, int indent) {
        switch (v.type) {
            case GoType::Invalid:
            case GoType::Nil:
                put("null");
                return;
            case GoType::Bool:
                put(v.b ? "true" : "false");
                return;
            case GoType::Float64:
                put(yaml_number(v.f));
                return;
            case GoType::String:
                string_scalar(v.s, indent, false);
                return;
            default:
                if (v.is_list()) {
                    put("[]");
                } else if (v.is_map()) {
                    put("{}");
                } else {
                    put(sprint_value(v));
                }
        }
    }

    void string_scalar(const std::string& s, int indent, bool simple_key) {
        switch (choose_style(s, simple_key)) {
            case Style::Plain:
                folded(s, indent, !simple_key, false);
                return;
            case Style::Single:
                put("'");
                folded(s, indent, !simple_key, true);
                put("'");
                return;
            case Style::Double:
                put(double_quoted(s));
                return;
            case Style::Literal:
                literal(s, indent);
                return;
        }
    }

    // Plain and single-quoted writers: a space past column 80 becomes a line break.
    void folded(const std::string& s, int indent, bool allow_breaks, bool single) {
        bool spaces = false;
        for (size_t i = 0; i < s.size();) {
            size_t w;
            decode_rune(s, i, &w);
            if (s[i] == ' ') {
                bool next_space = i + 1 < s.size() && s[i + 1] == ' ';
                bool inner = !single || (i > 0 && i + 1 < s.size());
                if (allow_breaks && !spaces && column_ > kBestWidth && !next_space && inner) {
                    write_indent(indent);
                } else {
                    put(" ");
                }
                spaces = true;
            } else {
                if (single && s[i] == '\'') put("'");
                put(std::string_view(s).substr(i, w));
                spaces = false;
            }
            i += w;
        }
    }

    void literal(const std::string& s, int indent) {
        put("|");
        if (s[0] == ' ' || s[0] == '\n') put("2");
        if (s.back() != '\n') {
            put("-");
        } else if (s.size() == 1 || s[s.size() - 2] == '\n') {
            put("+");
        }
        put("\n");
        bool breaks = true;
        for (size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '\n') {
                put("\n");
                breaks = true;
            } else {
                if (breaks) put(std::string(static_cast<size_t>(indent), ' '));
                out += s[i];
                ++column_;
                breaks = false;
            }
        }
        if (!out.empty() && out.back() == '\n') column_ = 0;
    }

    static std::string double_quoted(const std::string& s) {
        std::string o = "\"";
        for (size_t i = 0; i < s.size();) {
            size_t w;
            char32_t r = decode_rune(s, i, &w);
            bool printable = (r >= 0x20 && r <= 0x7E) || (r >= 0xA0 && r <= 0xD7FF && r != 0x85) ||
                             (r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF) || r >= 0x10000;
            if (r == 0xFFFD && w == 1) printable = false;
            if (r == '"' || r == '\\') {
                o += '\\';
                o += static_cast<char>(r);
            } else if (printable) {
                o.append(s, i, w);
            } else {
                static const std::pair<char32_t, const char*> esc[] = {
                    {0, "\\0"},    {7, "\\a"},      {8, "\\b"},     {9, "\\t"},  {10, "\\n"},
                    {11, "\\v"},   {12, "\\f"},     {13, "\\r"},    {27, "\\e"}, {0x85, "\\N"},
                    {0xA0, "\\_"}, {0x2028, "\\L"}, {0x2029, "\\P"}};
                const char* e = nullptr;
                for (const auto& [c, t] : esc) {
                    if (c == r) e = t;
                }
                char buf[16];
                if (e) {
                    o += e;
                } else if (r <= 0xFF) {
                    std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(r));
                    o += buf;
                } else if (r <= 0xFFFF) {
                    std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(r));
                    o += buf;
                } else {
                    std::snprintf(buf, sizeof buf, "\\U%08X", static_cast<unsigned>(r));
                    o += buf;
                }
            }
            i += w;
        }
        return o + "\"";
    }
};

}  // namespace

std::string to_go_yaml(const Value& v) {
    Writer w;
    if (v.type == GoType::String && v.s.find('\n') == std::string::npos) {
        w.node(v, 2, true);
    } else {
        w.node(v, v.is_map() || v.is_list() ? 0 : 2, true);
    }
    w.line_end();
    return w.out;
}

}  // namespace drover::tmpl
