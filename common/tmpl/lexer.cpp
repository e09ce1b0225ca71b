// State-machine lexer ported from Go's lex.go; each state is a member function returning
// the next state, exactly mirroring Go so that corner cases (trim markers next to comments,
// "-3" vs "- 3", bad characters) behave identically.
#include "common/tmpl/lexer.hpp"

#include <cstdio>
#include <unordered_map>

#include "common/rules/unicode_classes.hpp"
#include "common/tmpl/gofmt.hpp"

namespace drover::tmpl {

namespace {

constexpr int kEof = -1;
const std::string_view kLeft = "{{";
const std::string_view kRight = "}}";

bool is_space(int r) {
    return r == ' ' || r == '\t' || r == '\r' || r == '\n';
}

bool is_alnum(int r) {
    if (r < 0) return false;
    if (r < 0x80) return r == '_' || std::isalnum(r);
    return rules::is_unicode_letter(static_cast<char32_t>(r)) ||
           rules::is_unicode_number(static_cast<char32_t>(r));
}

bool has_left_trim(std::string_view s) {
    return s.size() >= 2 && s[0] == '-' && is_space(s[1]);
}
bool has_right_trim(std::string_view s) {
    return s.size() >= 2 && is_space(s[0]) && s[1] == '-';
}

std::string rune_desc(int r) {
    // Go's %#U: U+0040 '@'
    char buf[32];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(r));
    std::string s = buf;
    if (is_print_rune(static_cast<char32_t>(r))) {
        s += " '";
        append_rune(s, static_cast<char32_t>(r));
        s += "'";
    }
    return s;
}

const std::unordered_map<std::string_view, Tok>& keywords() {
    static const std::unordered_map<std::string_view, Tok> k = {
        {".", Tok::Dot},
        {"block", Tok::Block},
        {"break", Tok::Break},
        {"continue", Tok::Continue},
        {"define", Tok::Define},
        {"else", Tok::Else},
        {"end", Tok::End},
        {"if", Tok::If},
        {"range", Tok::Range},
        {"nil", Tok::Nil},
        {"template", Tok::Template},
        {"with", Tok::With},
    };
    return k;
}

class Lexer {
  public:
    explicit Lexer(std::string_view in) : in_(in) {}

    std::vector<Item> run() {
        using State = bool (Lexer::*)();
        State state = &Lexer::lex_text;
        next_state_ = state;
        while (next_state_ != nullptr) {
            State s = next_state_;
            next_state_ = nullptr;
            if (!(this->*s)()) break;
        }
        return std::move(items_);
    }

  private:
    using State = bool (Lexer::*)();
    std::string_view in_;
    size_t pos_ = 0, start_ = 0;
    bool at_eof_ = false;
    int paren_depth_ = 0;
    int line_ = 1, start_line_ = 1;
    std::vector<Item> items_;
    State next_state_ = nullptr;

    bool go(State s) {
        next_state_ = s;
        return true;
    }

    int next() {
        if (pos_ >= in_.size()) {
            at_eof_ = true;
            return kEof;
        }
        size_t w;
        char32_t r = decode_rune(in_, pos_, &w);
        pos_ += w;
        if (r == '\n') ++line_;
        return static_cast<int>(r);
    }
    int peek() {
        int r = next();
        backup();
        return r;
    }
    void backup() {
        if (at_eof_ || pos_ == 0) return;
        // Step back over one UTF-8 sequence.
        size_t p = pos_ - 1;
        while (p > 0 && (static_cast<unsigned char>(in_[p]) & 0xC0) == 0x80 && pos_ - p < 4)
            --p;
        size_t w;
        decode_rune(in_, p, &w);
        if (p + w != pos_) p = pos_ - 1;
        if (in_[p] == '\n') --line_;
        pos_ = p;
    }
    void emit(Tok t) {
        items_.push_back({t, static_cast<int>(start_),
                          std::string(in_.substr(start_, pos_ - start_)), start_line_});
        start_ = pos_;
        start_line_ = line_;
    }
    void ignore() {
        for (size_t i = start_; i < pos_; ++i) {
            if (in_[i] == '\n') ++line_;
        }
        start_ = pos_;
        start_line_ = line_;
    }
    bool accept(std::string_view valid) {
        int r = next();
        if (r >= 0 && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos) {
            return true;
        }
        backup();
        return false;
    }
    void accept_run(std::string_view valid) {
        while (accept(valid)) {
        }
    }
    bool errorf(std::string msg) {
        items_.push_back({Tok::Error, static_cast<int>(start_), std::move(msg), start_line_});
        return false;
    }
    static size_t count_nl(std::string_view s) {
        size_t n = 0;
        for (char c : s)
            n += c == '\n';
        return n;
    }

    bool lex_text() {
        size_t x = in_.find(kLeft, pos_);
        if (x != std::string_view::npos) {
            size_t ldn = kLeft.size();
            pos_ = x;
            size_t trim = 0;
            if (has_left_trim(in_.substr(pos_ + ldn))) {
                std::string_view t = in_.substr(start_, pos_ - start_);
                size_t e = t.size();
                while (e > 0 && is_space(t[e - 1]))
                    --e;
                trim = t.size() - e;
            }
            pos_ -= trim;
            if (pos_ > start_) {
                line_ += count_nl(in_.substr(start_, pos_ - start_));
                emit(Tok::Text);
            }
            pos_ += trim;
            ignore();
            return go(&Lexer::lex_left_delim);
        }
        pos_ = in_.size();
        if (pos_ > start_) {
            line_ += count_nl(in_.substr(start_, pos_ - start_));
            emit(Tok::Text);
        }
        emit(Tok::Eof);
        return false;
    }

    std::pair<bool, bool> at_right_delim() {
        std::string_view rest = in_.substr(pos_);
        if (has_right_trim(rest) && rest.substr(2).starts_with(kRight)) return {true, true};
        if (rest.starts_with(kRight)) return {true, false};
        return {false, false};
    }

    size_t left_trim_length(std::string_view s) {
        size_t i = 0;
        while (i < s.size() && is_space(s[i]))
            ++i;
        return i;
    }

    bool lex_left_delim() {
        pos_ += kLeft.size();
        bool trim = has_left_trim(in_.substr(pos_));
        size_t after = trim ? 2 : 0;
        if (in_.substr(pos_ + after).starts_with("/*")) {
            pos_ += after;
            ignore();
            return go(&Lexer::lex_comment);
        }
        emit(Tok::LeftDelim);
        pos_ += after;
        ignore();
        paren_depth_ = 0;
        return go(&Lexer::lex_inside_action);
    }

    bool lex_comment() {
        pos_ += 2;
        size_t i = in_.find("*/", pos_);
        if (i == std::string_view::npos) return errorf("unclosed comment");
        pos_ = i + 2;
        auto [delim, trim] = at_right_delim();
        if (!delim) return errorf("comment ends before closing delimiter");
        if (trim) pos_ += 2;
        pos_ += kRight.size();
        if (trim) pos_ += left_trim_length(in_.substr(pos_));
        ignore();
        return go(&Lexer::lex_text);
    }

    bool lex_right_delim() {
        bool trim = has_right_trim(in_.substr(pos_));
        if (trim) {
            pos_ += 2;
            ignore();
        }
        pos_ += kRight.size();
        emit(Tok::RightDelim);
        if (trim) {
            pos_ += left_trim_length(in_.substr(pos_));
            ignore();
        }
        return go(&Lexer::lex_text);
    }

    bool lex_inside_action() {
        auto [delim, trim_unused] = at_right_delim();
        (void)trim_unused;
        if (delim) {
            if (paren_depth_ == 0) return go(&Lexer::lex_right_delim);
            return errorf("unclosed left paren");
        }
        int r = next();
        if (r == kEof) return errorf("unclosed action");
        if (is_space(r)) {
            backup();
            return go(&Lexer::lex_space);
        }
        switch (r) {
            case '=':
                emit(Tok::Assign);
                return go(&Lexer::lex_inside_action);
            case ':':
                if (next() != '=') return errorf("expected :=");
                emit(Tok::Declare);
                return go(&Lexer::lex_inside_action);
            case '|':
                emit(Tok::Pipe);
                return go(&Lexer::lex_inside_action);
            case '"':
                return go(&Lexer::lex_quote);
            case '`':
                return go(&Lexer::lex_raw_quote);
            case '$':
                return go(&Lexer::lex_variable);
            case '\'':
                return go(&Lexer::lex_char);
            case '(':
                emit(Tok::LeftParen);
                ++paren_depth_;
                return go(&Lexer::lex_inside_action);
            case ')':
                emit(Tok::RightParen);
                --paren_depth_;
                if (paren_depth_ < 0) return errorf("unexpected right paren " + rune_desc(r));
                return go(&Lexer::lex_inside_action);
            default:
                break;
        }
        if (r == '.') {
            if (pos_ < in_.size()) {
                char c = in_[pos_];
                if (c < '0' || c > '9') return go(&Lexer::lex_field);
            }
        }
        if (r == '.' || r == '+' || r == '-' || (r >= '0' && r <= '9')) {
            backup();
            return go(&Lexer::lex_number);
        }
        if (is_alnum(r)) {
            backup();
            return go(&Lexer::lex_identifier);
        }
        if (r < 0x80 && r >= 0x20 && r != 0x7F) {
            emit(Tok::Char);
            return go(&Lexer::lex_inside_action);
        }
        return errorf("unrecognized character in action: " + rune_desc(r));
    }

    bool lex_space() {
        int spaces = 0;
        while (is_space(peek())) {
            next();
            ++spaces;
        }
        std::string_view prev = in_.substr(pos_ - 1);
        if (has_right_trim(prev) && prev.substr(2).starts_with(kRight)) {
            backup();
            if (spaces == 1) return go(&Lexer::lex_right_delim);
        }
        emit(Tok::Space);
        return go(&Lexer::lex_inside_action);
    }

    bool lex_identifier() {
        int r;
        while (is_alnum(r = next())) {
        }
        backup();
        std::string_view word = in_.substr(start_, pos_ - start_);
        if (!at_terminator()) return errorf("bad character " + rune_desc(r));
        auto it = keywords().find(word);
        if (it != keywords().end() && it->second > Tok::Keyword) {
            emit(it->second);
        } else if (word[0] == '.') {
            emit(Tok::Field);
        } else if (word == "true" || word == "false") {
            emit(Tok::Bool);
        } else {
            emit(Tok::Identifier);
        }
        return go(&Lexer::lex_inside_action);
    }

    bool lex_field() { return lex_field_or_variable(Tok::Field); }

    bool lex_variable() {
        if (at_terminator()) {
            emit(Tok::Variable);
            return go(&Lexer::lex_inside_action);
        }
        return lex_field_or_variable(Tok::Variable);
    }

    bool lex_field_or_variable(Tok typ) {
        if (at_terminator()) {
            emit(typ == Tok::Variable ? Tok::Variable : Tok::Dot);
            return go(&Lexer::lex_inside_action);
        }
        int r;
        while (is_alnum(r = next())) {
        }
        backup();
        if (!at_terminator()) return errorf("bad character " + rune_desc(r));
        emit(typ);
        return go(&Lexer::lex_inside_action);
    }

    bool at_terminator() {
        int r = peek();
        if (is_space(r)) return true;
        switch (r) {
            case kEof:
            case '.':
            case ',':
            case '|':
            case ':':
            case ')':
            case '(':
                return true;
            default:
                break;
        }
        return in_.substr(pos_).starts_with(kRight);
    }

    bool lex_char() {
        for (;;) {
            int r = next();
            if (r == '\\') {
                int r2 = next();
                if (r2 != kEof && r2 != '\n') continue;
                return errorf("unterminated character constant");
            }
            if (r == kEof || r == '\n') return errorf("unterminated character constant");
            if (r == '\'') break;
        }
        emit(Tok::CharConstant);
        return go(&Lexer::lex_inside_action);
    }

    bool lex_number() {
        if (!scan_number()) {
            return errorf("bad number syntax: " + go_quote(in_.substr(start_, pos_ - start_)));
        }
        int sign = peek();
        if (sign == '+' || sign == '-') {
            if (!scan_number() || in_[pos_ - 1] != 'i') {
                return errorf("bad number syntax: " + go_quote(in_.substr(start_, pos_ - start_)));
            }
            emit(Tok::Complex);
        } else {
            emit(Tok::Number);
        }
        return go(&Lexer::lex_inside_action);
    }

    bool scan_number() {
        accept("+-");
        std::string_view digits = "0123456789_";
        if (accept("0")) {
            if (accept("xX")) {
                digits = "0123456789abcdefABCDEF_";
            } else if (accept("oO")) {
                digits = "01234567_";
            } else if (accept("bB")) {
                digits = "01_";
            }
        }
        accept_run(digits);
        if (accept(".")) accept_run(digits);
        if (digits.size() == 11 && accept("eE")) {
            accept("+-");
            accept_run("0123456789_");
        }
        if (digits.size() == 23 && accept("pP")) {
            accept("+-");
            accept_run("0123456789_");
        }
        accept("i");
        if (is_alnum(peek())) {
            next();
            return false;
        }
        return true;
    }

    bool lex_quote() {
        for (;;) {
            int r = next();
            if (r == '\\') {
                int r2 = next();
                if (r2 != kEof && r2 != '\n') continue;
                return errorf("unterminated quoted string");
            }
            if (r == kEof || r == '\n') return errorf("unterminated quoted string");
            if (r == '"') break;
        }
        emit(Tok::String);
        return go(&Lexer::lex_inside_action);
    }

    bool lex_raw_quote() {
        for (;;) {
            int r = next();
            if (r == kEof) return errorf("unterminated raw quoted string");
            if (r == '`') break;
        }
        emit(Tok::RawString);
        return go(&Lexer::lex_inside_action);
    }
};

}  // namespace

std::string item_string(const Item& it) {
    if (it.typ == Tok::Eof) return "EOF";
    if (it.typ == Tok::Error) return it.val;
    if (it.typ > Tok::Keyword) return "<" + it.val + ">";
    if (it.val.size() <= 10) return go_quote(it.val);
    // %.10q...: quote at most 10 runes.
    size_t i = 0;
    int n = 0;
    while (i < it.val.size() && n < 10) {
        size_t w;
        decode_rune(it.val, i, &w);
        i += w;
        ++n;
    }
    return go_quote(std::string_view(it.val).substr(0, i)) + "...";
}

std::vector<Item> lex(std::string_view input) {
    return Lexer(input).run();
}

}  // namespace drover::tmpl
