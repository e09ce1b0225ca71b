// Parse tree of a template, shaped like Go's parse.Node types. Nodes keep their byte
// position and owning tree so execution errors can report "name:line:col" and the node's
// source form (String()) exactly as Go does.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace drover::tmpl {

enum class NodeType : uint8_t {
    Text,
    Action,
    Bool,
    Chain,
    Command,
    Dot,
    Field,
    Identifier,
    If,
    List,
    Nil,
    Number,
    Pipe,
    Range,
    String,
    Template,
    Variable,
    With,
    Comment,
    Break,
    Continue,
    End,
    Else,
};

struct Tree;
struct Node;
using NodePtr = std::unique_ptr<Node>;

struct Number {
    bool is_int = false, is_uint = false, is_float = false, is_complex = false;
    int64_t i = 0;
    uint64_t u = 0;
    double f = 0;
};

struct Node {
    NodeType type;
    int pos = 0;
    const Tree* tree = nullptr;
    std::string text;                // Text, String (unquoted), Identifier, Number, Template name
    std::string quoted;              // String: source form
    std::vector<std::string> ident;  // Field / Variable / Chain field names
    std::vector<NodePtr> nodes;      // List items, Command args, Pipe commands
    std::vector<NodePtr> decl;       // Pipe: declared variables
    bool is_assign = false;          // Pipe: "=" rather than ":="
    bool boolean = false;            // Bool
    Number num;                      // Number
    NodePtr pipe;                    // Action/If/Range/With/Template pipe; Chain: the operand
    NodePtr list, else_list;         // If/Range/With bodies

    Node(NodeType t, int p, const Tree* tr) : type(t), pos(p), tree(tr) {}
};

// Go's Node.String(): the node printed back as template source.
std::string node_string(const Node& n);

struct Tree {
    std::string name;        // template name
    std::string parse_name;  // name of the top-level template this text was parsed as
    std::shared_ptr<const std::string> text;
    NodePtr root;
};

// Go's parse.IsEmptyTree: only whitespace text, comments and nothing else.
bool is_empty_tree(const Node* n);

}  // namespace drover::tmpl
