// The guards that bound one render: the native stack (StackGuard) and the RenderLimits budget
// (RenderBudget). Both are per thread: the outermost render installs them, nested renders
// (CallTemplate, StringExpand, ParamExpand, {{template}}) spend from the same ones, and code
// running outside a render (the CLI's YAML output) is not limited.
#pragma once

#include <cstdint>
#include <string>

#include "common/tmpl/template.hpp"
#include "common/tmpl/value.hpp"

namespace drover::tmpl {

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

class RenderBudget {
  public:
    // Installs a budget with `limits` unless this thread already renders (then it is shared).
    explicit RenderBudget(const RenderLimits& limits);
    ~RenderBudget();
    RenderBudget(const RenderBudget&) = delete;
    RenderBudget& operator=(const RenderBudget&) = delete;

    static constexpr std::size_t kBytesPerUnit = 128;
    // One unit plus one per kBytesPerUnit bytes moved.
    static std::uint64_t units_for(std::size_t bytes) { return 1 + bytes / kBytesPerUnit; }
    // Spends work units; false once the render's max_steps are spent (always true outside one).
    static bool spend(std::uint64_t units = 1);
    // The active render's limits (the defaults outside one).
    static const RenderLimits& limits();
    static std::string steps_message();
    static std::string bytes_message();

    // For code that walks values (printing, JSON and YAML encoding, deep equality and copies):
    // spends one unit per node; throws CallError when the budget is spent or the value nests
    // deeper than the native stack allows.
    static void walk_node();
    // Throws CallError when a string grows past max_bytes.
    static void check_bytes(std::size_t bytes);
    // Throws CallError when a function's result is a string over max_bytes or a list or map
    // over max_items.
    static void check_result(const Value& v);

  private:
    bool owner_ = false;
};

}  // namespace drover::tmpl
