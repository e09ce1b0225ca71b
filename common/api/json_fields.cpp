#include "common/api/json_fields.hpp"

#include <cstddef>

namespace drover::api {

namespace {

// A cursor over the document; every step returns false on text that is not JSON.
class Scanner {
  public:
    explicit Scanner(std::string_view doc) : doc_(doc) {}

    // Where the next token starts (after any whitespace).
    std::size_t token_start() {
        skip_space();
        return pos_;
    }
    bool at_end() {
        skip_space();
        return pos_ == doc_.size();
    }

    bool expect(char c) {
        skip_space();
        if (pos_ == doc_.size() || doc_[pos_] != c) return false;
        ++pos_;
        return true;
    }

    bool peek_is(char c) {
        skip_space();
        return pos_ < doc_.size() && doc_[pos_] == c;
    }

    // A string's text, quotes included; escapes are stepped over, not decoded.
    bool skip_string() {
        skip_space();
        if (pos_ == doc_.size() || doc_[pos_] != '"') return false;
        for (++pos_; pos_ < doc_.size(); ++pos_) {
            char c = doc_[pos_];
            if (c == '\\') {
                ++pos_;
            } else if (c == '"') {
                ++pos_;
                return true;
            } else if (static_cast<unsigned char>(c) < 0x20) {
                return false;
            }
        }
        return false;
    }

    // One value of any kind; nested objects and arrays by their brackets, strings inside them
    // stepped over so a bracket in a string does not count. Scalars end at a delimiter; whether
    // they are valid is left to the parse of the members kept (skipped ones are never read).
    bool skip_value() {
        skip_space();
        if (pos_ == doc_.size()) return false;
        char c = doc_[pos_];
        if (c == '"') return skip_string();
        if (c != '{' && c != '[') return skip_scalar();
        std::string nesting;
        while (pos_ < doc_.size()) {
            c = doc_[pos_];
            if (c == '"') {
                if (!skip_string()) return false;
                continue;
            }
            if (c == '{' || c == '[') nesting.push_back(c == '{' ? '}' : ']');
            if (c == '}' || c == ']') {
                if (nesting.empty() || nesting.back() != c) return false;
                nesting.pop_back();
                if (nesting.empty()) {
                    ++pos_;
                    return true;
                }
            }
            ++pos_;
        }
        return false;
    }

    std::string_view text(std::size_t from) const { return doc_.substr(from, pos_ - from); }

  private:
    void skip_space() {
        while (pos_ < doc_.size() && (doc_[pos_] == ' ' || doc_[pos_] == '\n' ||
                                      doc_[pos_] == '\r' || doc_[pos_] == '\t'))
            ++pos_;
    }

    bool skip_scalar() {
        std::size_t from = pos_;
        while (pos_ < doc_.size()) {
            char c = doc_[pos_];
            if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t')
                break;
            ++pos_;
        }
        return pos_ > from;
    }

    std::string_view doc_;
    std::size_t pos_ = 0;
};

// A key's text as a name: plain keys as they are, escaped ones decoded by the JSON parser.
std::optional<std::string> key_name(std::string_view quoted) {
    std::string_view inner = quoted.substr(1, quoted.size() - 2);
    if (inner.find('\\') == std::string_view::npos) return std::string(inner);
    auto decoded = nlohmann::json::parse(quoted, nullptr, false);
    if (!decoded.is_string()) return std::nullopt;
    return decoded.get<std::string>();
}

}  // namespace

std::optional<nlohmann::json> project_fields(std::string_view doc, const FieldSet& fields) {
    Scanner s(doc);
    nlohmann::json out = nlohmann::json::object();
    if (!s.expect('{')) return std::nullopt;
    if (!s.peek_is('}')) {
        do {
            std::size_t key_start = s.token_start();
            if (!s.skip_string()) return std::nullopt;
            auto name = key_name(s.text(key_start));
            if (!name || !s.expect(':')) return std::nullopt;
            bool wanted = fields.count(*name) > 0;
            std::size_t value_start = s.token_start();
            if (!s.skip_value()) return std::nullopt;
            if (!wanted) continue;
            auto value = nlohmann::json::parse(s.text(value_start), nullptr, false);
            if (value.is_discarded()) return std::nullopt;
            out[*name] = std::move(value);
        } while (s.expect(','));
    }
    if (!s.expect('}') || !s.at_end()) return std::nullopt;
    return out;
}

}  // namespace drover::api
