// Recursive-descent parser mirroring Go's parse.go function by function; the token stream
// is a vector and Go's peek/backup buffer becomes an index, with "furthest token read"
// tracked because Go reports the line of the last token it pulled from the lexer.
#include "common/tmpl/parser.hpp"

#include <algorithm>

#include "common/tmpl/exec.hpp"
#include "common/tmpl/gofmt.hpp"
#include "common/tmpl/lexer.hpp"
#include "common/tmpl/strconv.hpp"

namespace drover::tmpl {

namespace {

using TreeSet = std::map<std::string, std::shared_ptr<Tree>>;

struct Shared {
    std::vector<Item> toks;
    size_t idx = 0;
    size_t hi = 0;  // number of tokens pulled from the lexer so far
    std::shared_ptr<const std::string> text;
    const std::function<bool(std::string_view)>* has_function;
    TreeSet* set;
};

class TreeParser {
  public:
    TreeParser(Shared& sh, std::string name, std::string parse_name)
        : sh_(sh), tree_(std::make_shared<Tree>()) {
        tree_->name = std::move(name);
        tree_->parse_name = std::move(parse_name);
        tree_->text = sh.text;
        vars_ = {"$"};
    }

    void parse_top() {
        tree_->root = new_node(NodeType::List, peek().pos);
        while (peek().typ != Tok::Eof) {
            if (peek().typ == Tok::LeftDelim) {
                size_t at = sh_.idx;
                next();
                if (next_non_space().typ == Tok::Define) {
                    TreeParser def(sh_, "definition", tree_->parse_name);
                    def.parse_definition();
                    continue;
                }
                sh_.idx = at;
            }
            NodePtr n = text_or_action();
            if (n->type == NodeType::End || n->type == NodeType::Else) {
                errorf("unexpected " + node_string(*n));
            }
            tree_->root->nodes.push_back(std::move(n));
        }
        add();
    }

  private:
    Shared& sh_;
    std::shared_ptr<Tree> tree_;
    std::vector<std::string> vars_;
    int action_line_ = 0;
    int range_depth_ = 0;

    // ---- token stream -------------------------------------------------------------
    const Item& next() {
        const Item& it = sh_.toks[std::min(sh_.idx, sh_.toks.size() - 1)];
        ++sh_.idx;
        sh_.hi = std::max(sh_.hi, sh_.idx);
        return it;
    }
    void backup(size_t n = 1) { sh_.idx -= n; }
    const Item& peek() {
        const Item& it = next();
        backup();
        return it;
    }
    const Item& next_non_space() {
        for (;;) {
            const Item& t = next();
            if (t.typ != Tok::Space) return t;
        }
    }
    const Item& peek_non_space() {
        const Item& t = next_non_space();
        backup();
        return t;
    }

    [[noreturn]] void errorf(const std::string& msg) {
        size_t last = std::min(sh_.hi, sh_.toks.size());
        int line = last == 0 ? 1 : sh_.toks[last - 1].line;
        throw ParseError{"template: " + tree_->parse_name + ":" + std::to_string(line) + ": " +
                         msg};
    }
    const Item& expect(Tok t, const std::string& context) {
        const Item& tok = next_non_space();
        if (tok.typ != t) unexpected(tok, context);
        return tok;
    }
    [[noreturn]] void unexpected(const Item& tok, const std::string& context) {
        if (tok.typ == Tok::Error) {
            std::string extra;
            if (action_line_ != 0 && action_line_ != tok.line) {
                extra = " in action started at " + tree_->parse_name + ":" +
                        std::to_string(action_line_);
                if (tok.val.ends_with(" action")) extra = extra.substr(10);
            }
            errorf(item_string(tok) + extra);
        }
        errorf("unexpected " + item_string(tok) + " in " + context);
    }

    NodePtr new_node(NodeType t, int pos) { return std::make_unique<Node>(t, pos, tree_.get()); }

    // ---- tree set -----------------------------------------------------------------
    void add() {
        auto it = sh_.set->find(tree_->name);
        if (it == sh_.set->end() || is_empty_tree(it->second->root.get())) {
            (*sh_.set)[tree_->name] = tree_;
            return;
        }
        if (!is_empty_tree(tree_->root.get())) {
            errorf("template: multiple definition of template " + go_quote(tree_->name));
        }
    }

    void parse_definition() {
        const std::string context = "define clause";
        const Item& name = next_non_space();
        if (name.typ != Tok::String && name.typ != Tok::RawString) unexpected(name, context);
        auto unq = go_unquote(name.val);
        if (!unq) errorf("invalid syntax");
        tree_->name = *unq;
        expect(Tok::RightDelim, context);
        auto [list, end] = item_list();
        if (end->type != NodeType::End)
            errorf("unexpected " + node_string(*end) + " in " + context);
        tree_->root = std::move(list);
        add();
    }

    std::pair<NodePtr, NodePtr> item_list() {
        NodePtr list = new_node(NodeType::List, peek_non_space().pos);
        while (peek_non_space().typ != Tok::Eof) {
            NodePtr n = text_or_action();
            if (n->type == NodeType::End || n->type == NodeType::Else) {
                return {std::move(list), std::move(n)};
            }
            list->nodes.push_back(std::move(n));
        }
        errorf("unexpected EOF");
    }

    NodePtr text_or_action() {
        const Item& tok = next_non_space();
        switch (tok.typ) {
            case Tok::Text: {
                NodePtr n = new_node(NodeType::Text, tok.pos);
                n->text = tok.val;
                return n;
            }
            case Tok::LeftDelim: {
                action_line_ = tok.line;
                NodePtr n = action();
                action_line_ = 0;
                return n;
            }
            default:
                unexpected(tok, "input");
        }
    }

    NodePtr action() {
        const Item& tok = next_non_space();
        switch (tok.typ) {
            case Tok::Block:
                return block_control();
            case Tok::Break:
                return break_control(tok.pos, "{{break}}", NodeType::Break);
            case Tok::Continue:
                return break_control(tok.pos, "{{continue}}", NodeType::Continue);
            case Tok::Else:
                return else_control();
            case Tok::End:
                return new_node(NodeType::End, expect(Tok::RightDelim, "end").pos);
            case Tok::If:
                return parse_control(true, "if", NodeType::If);
            case Tok::Range:
                return parse_control(false, "range", NodeType::Range);
            case Tok::Template:
                return template_control();
            case Tok::With:
                return parse_control(false, "with", NodeType::With);
            default:
                break;
        }
        backup();
        int pos = peek().pos;
        NodePtr n = new_node(NodeType::Action, pos);
        n->pipe = pipeline("command", Tok::RightDelim);
        return n;
    }

    NodePtr break_control(int pos, const std::string& what, NodeType t) {
        const Item& tok = next_non_space();
        if (tok.typ != Tok::RightDelim) unexpected(tok, what);
        if (range_depth_ == 0) errorf(what + " outside {{range}}");
        return new_node(t, pos);
    }

    NodePtr pipeline(const std::string& context, Tok end) {
        // Go's parser recurses without limit; ours is bounded by native stack.
        if (StackGuard::exhausted()) errorf("nesting too deep");
        NodePtr pipe = new_node(NodeType::Pipe, peek_non_space().pos);
        for (;;) {
            const Item& v = peek_non_space();
            if (v.typ != Tok::Variable) break;
            size_t var_idx = sh_.idx;  // index of the variable token
            while (sh_.toks[var_idx].typ == Tok::Space)
                ++var_idx;
            sh_.idx = var_idx;
            next();
            const Item& after = peek();
            const Item& nx = peek_non_space();
            if (nx.typ == Tok::Assign || nx.typ == Tok::Declare) {
                pipe->is_assign = nx.typ == Tok::Assign;
                next_non_space();
                pipe->decl.push_back(new_variable(v.pos, v.val));
                vars_.push_back(v.val);
                break;
            }
            if (nx.typ == Tok::Char && nx.val == ",") {
                next_non_space();
                pipe->decl.push_back(new_variable(v.pos, v.val));
                vars_.push_back(v.val);
                if (context == "range" && pipe->decl.size() < 2) {
                    Tok p = peek_non_space().typ;
                    if (p == Tok::Variable || p == Tok::RightDelim || p == Tok::RightParen) {
                        continue;
                    }
                    errorf("range can only initialize variables");
                }
                errorf("too many declarations in " + context);
            }
            (void)after;
            sh_.idx = var_idx;
            break;
        }
        for (;;) {
            const Item& tok = next_non_space();
            if (tok.typ == end) {
                check_pipeline(*pipe, context);
                return pipe;
            }
            switch (tok.typ) {
                case Tok::Bool:
                case Tok::CharConstant:
                case Tok::Complex:
                case Tok::Dot:
                case Tok::Field:
                case Tok::Identifier:
                case Tok::Number:
                case Tok::Nil:
                case Tok::RawString:
                case Tok::String:
                case Tok::Variable:
                case Tok::LeftParen:
                    backup();
                    pipe->nodes.push_back(command());
                    break;
                default:
                    unexpected(tok, context);
            }
        }
    }

    void check_pipeline(const Node& pipe, const std::string& context) {
        if (pipe.nodes.empty()) errorf("missing value for " + context);
        for (size_t i = 1; i < pipe.nodes.size(); ++i) {
            switch (pipe.nodes[i]->nodes[0]->type) {
                case NodeType::Bool:
                case NodeType::Dot:
                case NodeType::Nil:
                case NodeType::Number:
                case NodeType::String:
                    errorf("non executable command in pipeline stage " + std::to_string(i + 1));
                default:
                    break;
            }
        }
    }

    NodePtr parse_control(bool allow_else_if, const std::string& context, NodeType t) {
        if (StackGuard::exhausted()) errorf("nesting too deep");
        size_t nvars = vars_.size();
        NodePtr pipe = pipeline(context, Tok::RightDelim);
        if (context == "range") ++range_depth_;
        auto [list, next_node] = item_list();
        if (context == "range") --range_depth_;
        NodePtr else_list;
        if (next_node->type == NodeType::Else) {
            if (allow_else_if && peek().typ == Tok::If) {
                next();
                else_list = new_node(NodeType::List, next_node->pos);
                else_list->nodes.push_back(parse_control(true, "if", NodeType::If));
            } else {
                auto [el, end] = item_list();
                if (end->type != NodeType::End) errorf("expected end; found " + node_string(*end));
                else_list = std::move(el);
            }
        }
        vars_.resize(nvars);
        NodePtr n = new_node(t, pipe->pos);
        n->pipe = std::move(pipe);
        n->list = std::move(list);
        n->else_list = std::move(else_list);
        return n;
    }

    NodePtr else_control() {
        const Item& pk = peek_non_space();
        if (pk.typ == Tok::If) return new_node(NodeType::Else, pk.pos);
        return new_node(NodeType::Else, expect(Tok::RightDelim, "else").pos);
    }

    std::string template_name(const Item& tok, const std::string& context) {
        if (tok.typ != Tok::String && tok.typ != Tok::RawString) unexpected(tok, context);
        auto s = go_unquote(tok.val);
        if (!s) errorf("invalid syntax");
        return *s;
    }

    NodePtr block_control() {
        const std::string context = "block clause";
        const Item& tok = next_non_space();
        int pos = tok.pos;
        std::string name = template_name(tok, context);
        NodePtr pipe = pipeline(context, Tok::RightDelim);
        TreeParser block(sh_, name, tree_->parse_name);
        auto [list, end] = block.item_list();
        if (end->type != NodeType::End)
            errorf("unexpected " + node_string(*end) + " in " + context);
        block.tree_->root = std::move(list);
        block.add();
        NodePtr n = new_node(NodeType::Template, pos);
        n->text = name;
        n->pipe = std::move(pipe);
        return n;
    }

    NodePtr template_control() {
        const std::string context = "template clause";
        const Item& tok = next_non_space();
        int pos = tok.pos;
        std::string name = template_name(tok, context);
        NodePtr pipe;
        if (next_non_space().typ != Tok::RightDelim) {
            backup();
            pipe = pipeline(context, Tok::RightDelim);
        }
        NodePtr n = new_node(NodeType::Template, pos);
        n->text = name;
        n->pipe = std::move(pipe);
        return n;
    }

    NodePtr command() {
        NodePtr cmd = new_node(NodeType::Command, peek_non_space().pos);
        for (;;) {
            peek_non_space();
            NodePtr op = operand();
            if (op) cmd->nodes.push_back(std::move(op));
            const Item& tok = next();
            if (tok.typ == Tok::Space) continue;
            if (tok.typ == Tok::RightDelim || tok.typ == Tok::RightParen) {
                backup();
            } else if (tok.typ != Tok::Pipe) {
                unexpected(tok, "operand");
            }
            break;
        }
        if (cmd->nodes.empty()) errorf("empty command");
        return cmd;
    }

    NodePtr operand() {
        NodePtr node = term();
        if (!node) return nullptr;
        if (peek().typ == Tok::Field) {
            NodePtr chain = new_node(NodeType::Chain, peek().pos);
            while (peek().typ == Tok::Field) {
                // Go's ChainNode.Add: strip the leading dot.
                chain->ident.push_back(next().val.substr(1));
            }
            switch (node->type) {
                case NodeType::Field:
                case NodeType::Variable: {
                    std::string s = node_string(*node);
                    for (const auto& f : chain->ident)
                        s += "." + f;
                    return node->type == NodeType::Field ? new_field(chain->pos, s)
                                                         : new_variable(chain->pos, s);
                }
                case NodeType::Bool:
                case NodeType::String:
                case NodeType::Number:
                case NodeType::Nil:
                case NodeType::Dot:
                    errorf("unexpected . after term " + go_quote(node_string(*node)));
                default:
                    chain->pipe = std::move(node);
                    return chain;
            }
        }
        return node;
    }

    NodePtr new_field(int pos, const std::string& ident) {
        NodePtr n = new_node(NodeType::Field, pos);
        // Go: strings.Split(ident[1:], ".")
        split_into(ident.substr(1), n->ident);
        return n;
    }
    NodePtr new_variable(int pos, const std::string& ident) {
        NodePtr n = new_node(NodeType::Variable, pos);
        split_into(ident, n->ident);
        return n;
    }
    static void split_into(const std::string& s, std::vector<std::string>& out) {
        size_t start = 0;
        for (;;) {
            size_t d = s.find('.', start);
            out.push_back(s.substr(start, d == std::string::npos ? std::string::npos : d - start));
            if (d == std::string::npos) break;
            start = d + 1;
        }
    }

    NodePtr term() {
        const Item& tok = next_non_space();
        switch (tok.typ) {
            case Tok::Identifier: {
                if (!(*sh_.has_function)(tok.val)) {
                    errorf("function " + go_quote(tok.val) + " not defined");
                }
                NodePtr n = new_node(NodeType::Identifier, tok.pos);
                n->text = tok.val;
                return n;
            }
            case Tok::Dot:
                return new_node(NodeType::Dot, tok.pos);
            case Tok::Nil:
                return new_node(NodeType::Nil, tok.pos);
            case Tok::Variable:
                return use_var(tok.pos, tok.val);
            case Tok::Field:
                return new_field(tok.pos, tok.val);
            case Tok::Bool: {
                NodePtr n = new_node(NodeType::Bool, tok.pos);
                n->boolean = tok.val == "true";
                return n;
            }
            case Tok::CharConstant:
            case Tok::Complex:
            case Tok::Number:
                return new_number(tok);
            case Tok::LeftParen:
                return pipeline("parenthesized pipeline", Tok::RightParen);
            case Tok::String:
            case Tok::RawString: {
                auto s = go_unquote(tok.val);
                if (!s) errorf("invalid syntax");
                NodePtr n = new_node(NodeType::String, tok.pos);
                n->quoted = tok.val;
                n->text = *s;
                return n;
            }
            default:
                backup();
                return nullptr;
        }
    }

    NodePtr use_var(int pos, const std::string& name) {
        NodePtr v = new_variable(pos, name);
        if (std::find(vars_.begin(), vars_.end(), v->ident[0]) == vars_.end()) {
            errorf("undefined variable " + go_quote(v->ident[0]));
        }
        return v;
    }

    NodePtr new_number(const Item& tok) {
        NodePtr n = new_node(NodeType::Number, tok.pos);
        n->text = tok.val;
        Number& num = n->num;
        const std::string& text = tok.val;
        if (tok.typ == Tok::CharConstant) {
            std::string_view rest = std::string_view(text).substr(1);
            auto r = go_unquote_char(rest, '\'');
            if (!r) errorf("invalid syntax");
            if (rest != "'") errorf("malformed character constant: " + text);
            num.i = *r;
            num.u = *r;
            num.f = *r;
            num.is_int = num.is_uint = num.is_float = true;
            return n;
        }
        if (tok.typ == Tok::Complex || (!text.empty() && text.back() == 'i')) {
            if (tok.typ == Tok::Complex || go_parse_float(text.substr(0, text.size() - 1))) {
                errorf("complex numbers are not supported: " + go_quote(text));
            }
        }
        auto u = go_parse_uint(text);
        if (u) {
            num.is_uint = true;
            num.u = *u;
        }
        auto i = go_parse_int(text);
        if (i) {
            num.is_int = true;
            num.i = *i;
            if (*i == 0) {
                num.is_uint = true;
                num.u = u ? *u : 0;
            }
        }
        if (num.is_int) {
            num.is_float = true;
            num.f = static_cast<double>(num.i);
        } else if (num.is_uint) {
            num.is_float = true;
            num.f = static_cast<double>(num.u);
        } else if (auto f = go_parse_float(text)) {
            if (text.find_first_of(".eEpP") == std::string::npos) {
                errorf("integer overflow: " + go_quote(text));
            }
            num.is_float = true;
            num.f = *f;
            if (*f >= -9223372036854775808.0 && *f < 9223372036854775808.0 &&
                static_cast<double>(static_cast<int64_t>(*f)) == *f) {
                num.is_int = true;
                num.i = static_cast<int64_t>(*f);
            }
            if (*f >= 0 && *f < 18446744073709551616.0 &&
                static_cast<double>(static_cast<uint64_t>(*f)) == *f) {
                num.is_uint = true;
                num.u = static_cast<uint64_t>(*f);
            }
        }
        if (!num.is_int && !num.is_uint && !num.is_float) {
            errorf("illegal number syntax: " + go_quote(text));
        }
        return n;
    }
};

}  // namespace

TreeSet parse_text(const std::string& name, std::string_view text,
                   const std::function<bool(std::string_view)>& has_function) {
    TreeSet set;
    StackGuard guard;
    Shared sh;
    sh.toks = lex(text);
    // Past the end Go's closed channel yields zero items (error type, empty text, line 0).
    for (int k = 0; k < 4; ++k)
        sh.toks.push_back({Tok::Error, 0, "", 0});
    sh.text = std::make_shared<const std::string>(text);
    sh.has_function = &has_function;
    sh.set = &set;
    TreeParser top(sh, name, name);
    top.parse_top();
    return set;
}

}  // namespace drover::tmpl
