// Executor for parsed templates: a port of Go text/template's exec.go. It walks the tree
// with Go's rules (truthiness, variable scopes, range order, missing keys as <no value>,
// argument checking) and raises errors formatted as Go formats them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "common/tmpl/ast.hpp"
#include "common/tmpl/render_budget.hpp"
#include "common/tmpl/value.hpp"

namespace drover::tmpl {

using TreeMap = std::map<std::string, std::shared_ptr<const Tree>>;

// An execution error, already formatted ("template: name:1:2: executing ...").
struct ExecError {
    std::string msg;
};

// Runs `tree` (the template named tree.name) with dot; appends to out. Throws ExecError.
// missing_key_error is Go's Option("missingkey=error") (spec 7.1: Path fields). `limits` apply
// when this is the thread's outermost render; a nested one spends from the outer budget.
void execute(const TreeMap& set, const Tree& tree, const Value& dot, std::string& out,
             bool missing_key_error = false, const RenderLimits& limits = {});

// Go's isTrue for if/with/and/or/not; ok=false for values Go cannot judge.
bool is_true(const Value& v);

}  // namespace drover::tmpl
