// Parser for Go text/template source, a port of text/template/parse/parse.go (Go 1.19):
// same grammar (else-if, break/continue, define/block), same variable scoping checks and
// the same error texts ("template: name:3: unexpected ..."), so Go-rejected input is rejected.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/tmpl/ast.hpp"

namespace drover::tmpl {

struct ParseError {
    std::string msg;
};

// All trees one source text defines: the text itself under `name` plus every {{define}}
// and {{block}}. Throws ParseError. `has_function` tells which identifiers are functions.
std::map<std::string, std::shared_ptr<Tree>> parse_text(
    const std::string& name, std::string_view text,
    const std::function<bool(std::string_view)>& has_function);

}  // namespace drover::tmpl
