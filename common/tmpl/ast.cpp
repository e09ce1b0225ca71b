// Source-form printing of nodes (Go's String() methods), used in error contexts.
#include "common/tmpl/ast.hpp"

#include "common/tmpl/gofmt.hpp"

namespace drover::tmpl {

namespace {

void write(std::string& sb, const Node& n);

void write_pipe(std::string& sb, const Node& p) {
    if (!p.decl.empty()) {
        for (size_t i = 0; i < p.decl.size(); ++i) {
            if (i > 0) sb += ", ";
            write(sb, *p.decl[i]);
        }
        sb += " := ";
    }
    for (size_t i = 0; i < p.nodes.size(); ++i) {
        if (i > 0) sb += " | ";
        write(sb, *p.nodes[i]);
    }
}

void write_joined(std::string& sb, const std::vector<std::string>& ident, bool lead_dot) {
    for (size_t i = 0; i < ident.size(); ++i) {
        if (lead_dot || i > 0) sb += '.';
        sb += ident[i];
    }
}

void write_branch(std::string& sb, const Node& n, const char* name) {
    sb += "{{";
    sb += name;
    sb += ' ';
    write_pipe(sb, *n.pipe);
    sb += "}}";
    write(sb, *n.list);
    if (n.else_list) {
        sb += "{{else}}";
        write(sb, *n.else_list);
    }
    sb += "{{end}}";
}

void write(std::string& sb, const Node& n) {
    switch (n.type) {
        case NodeType::Text:
            sb += n.text;
            return;
        case NodeType::Action:
            sb += "{{";
            write_pipe(sb, *n.pipe);
            sb += "}}";
            return;
        case NodeType::Bool:
            sb += n.boolean ? "true" : "false";
            return;
        case NodeType::Chain:
            if (n.pipe->type == NodeType::Pipe) {
                sb += '(';
                write(sb, *n.pipe);
                sb += ')';
            } else {
                write(sb, *n.pipe);
            }
            for (const auto& f : n.ident)
                sb += "." + f;
            return;
        case NodeType::Command:
            for (size_t i = 0; i < n.nodes.size(); ++i) {
                if (i > 0) sb += ' ';
                if (n.nodes[i]->type == NodeType::Pipe) {
                    sb += '(';
                    write(sb, *n.nodes[i]);
                    sb += ')';
                } else {
                    write(sb, *n.nodes[i]);
                }
            }
            return;
        case NodeType::Dot:
            sb += '.';
            return;
        case NodeType::Field:
            write_joined(sb, n.ident, true);
            return;
        case NodeType::Variable:
            write_joined(sb, n.ident, false);
            return;
        case NodeType::Identifier:
        case NodeType::Number:
            sb += n.text;
            return;
        case NodeType::String:
            sb += n.quoted;
            return;
        case NodeType::Nil:
            sb += "nil";
            return;
        case NodeType::If:
            write_branch(sb, n, "if");
            return;
        case NodeType::Range:
            write_branch(sb, n, "range");
            return;
        case NodeType::With:
            write_branch(sb, n, "with");
            return;
        case NodeType::List:
            for (const auto& c : n.nodes)
                write(sb, *c);
            return;
        case NodeType::Pipe:
            write_pipe(sb, n);
            return;
        case NodeType::Template:
            sb += "{{template " + go_quote(n.text);
            if (n.pipe) {
                sb += ' ';
                write_pipe(sb, *n.pipe);
            }
            sb += "}}";
            return;
        case NodeType::Comment:
            sb += "{{" + n.text + "}}";
            return;
        case NodeType::Break:
            sb += "{{break}}";
            return;
        case NodeType::Continue:
            sb += "{{continue}}";
            return;
        case NodeType::End:
            sb += "{{end}}";
            return;
        case NodeType::Else:
            sb += "{{else}}";
            return;
    }
}

}  // namespace

std::string node_string(const Node& n) {
    std::string sb;
    write(sb, n);
    return sb;
}

bool is_empty_tree(const Node* n) {
    if (n == nullptr) return true;
    switch (n->type) {
        case NodeType::Comment:
            return true;
        case NodeType::List:
            for (const auto& c : n->nodes) {
                if (!is_empty_tree(c.get())) return false;
            }
            return true;
        case NodeType::Text:
            for (char c : n->text) {
                if (!(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')) {
                    return false;
                }
            }
            return true;
        default:
            return false;
    }
}

}  // namespace drover::tmpl
