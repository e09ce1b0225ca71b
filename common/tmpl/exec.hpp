// Executor for parsed templates: a port of Go text/template's exec.go. It walks the tree
// with Go's rules (truthiness, variable scopes, range order, missing keys as <no value>,
// argument checking) and raises errors formatted as Go formats them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "common/tmpl/ast.hpp"
#include "common/tmpl/value.hpp"

namespace drover::tmpl {

using TreeMap = std::map<std::string, std::shared_ptr<const Tree>>;

// An execution error, already formatted ("template: name:1:2: executing ...").
struct ExecError {
    std::string msg;
};

// Runs `tree` (the template named tree.name) with dot; appends to out. Throws ExecError.
// missing_key_error is Go's Option("missingkey=error") (spec 7.1: Path fields).
void execute(const TreeMap& set, const Tree& tree, const Value& dot, std::string& out,
             bool missing_key_error = false);

// Guards native stack use of recursive evaluation (Go grows goroutine stacks; we cannot):
// the outermost guard on a thread records the stack position, nested ones measure from it.
class StackGuard {
  public:
    StackGuard();
    ~StackGuard();
    StackGuard(const StackGuard&) = delete;
    StackGuard& operator=(const StackGuard&) = delete;
    // True when more than `budget` bytes of stack are in use since the outermost guard.
    static bool exhausted(uintptr_t budget = kDefaultBudget);
    static constexpr uintptr_t kDefaultBudget = 3u << 20;

  private:
    bool owner_ = false;
};

// Go's isTrue for if/with/and/or/not; ok=false for values Go cannot judge.
bool is_true(const Value& v);

}  // namespace drover::tmpl
