// Tokeniser for Go text/template source, a port of text/template/parse/lex.go: same token
// boundaries, trim-marker handling, line counting and error texts, so parse errors and
// positions match Go's. The whole input is lexed up front; an error item ends the stream.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace drover::tmpl {

enum class Tok : uint8_t {
    Error,
    Bool,
    Char,
    CharConstant,
    Comment,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    // keywords (everything after Keyword is one)
    Keyword,
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
};

struct Item {
    Tok typ;
    int pos;
    std::string val;
    int line;
};

// Go's item.String(): "EOF", the error text, "<keyword>", or a %q-quoted (10-rune) value.
std::string item_string(const Item& it);

std::vector<Item> lex(std::string_view input);

}  // namespace drover::tmpl
