// See render_budget.hpp. The budget is thread-local state of the outermost render, so the many
// places that spend from it need no parameter threaded through Go's call shapes.
#include "common/tmpl/render_budget.hpp"

#include <optional>

#include "common/tmpl/func.hpp"

namespace drover::tmpl {

namespace {

thread_local uintptr_t g_stack_base = 0;

struct ActiveBudget {
    RenderLimits limits;
    std::uint64_t spent = 0;
};

thread_local std::optional<ActiveBudget> g_budget;

}  // namespace

StackGuard::StackGuard() {
    if (g_stack_base == 0) {
        char marker;
        g_stack_base = reinterpret_cast<uintptr_t>(&marker);
        owner_ = true;
    }
}

StackGuard::~StackGuard() {
    if (owner_) g_stack_base = 0;
}

bool StackGuard::exhausted(uintptr_t budget) {
    char probe;
    auto here = reinterpret_cast<uintptr_t>(&probe);
    if (g_stack_base == 0) return false;
    uintptr_t used = g_stack_base > here ? g_stack_base - here : here - g_stack_base;
    return used > budget;
}

RenderBudget::RenderBudget(const RenderLimits& limits) {
    if (g_budget) return;
    g_budget.emplace(ActiveBudget{limits, 0});
    owner_ = true;
}

RenderBudget::~RenderBudget() {
    if (!owner_) return;
    g_budget.reset();
}

bool RenderBudget::spend(std::uint64_t units) {
    if (!g_budget) return true;
    g_budget->spent += units;
    return g_budget->spent <= g_budget->limits.max_steps;
}

const RenderLimits& RenderBudget::limits() {
    static const RenderLimits defaults;
    return g_budget ? g_budget->limits : defaults;
}

std::string RenderBudget::steps_message() {
    return "render limit: more than " + std::to_string(limits().max_steps) +
           " steps (a runaway loop or recursion?)";
}

std::string RenderBudget::bytes_message() {
    return "render limit: a string or output over " + std::to_string(limits().max_bytes) + " bytes";
}

void RenderBudget::walk_node() {
    if (!spend()) throw CallError{steps_message()};
    if (StackGuard::exhausted()) throw CallError{"render limit: value nests too deeply"};
}

void RenderBudget::check_bytes(std::size_t bytes) {
    if (bytes > limits().max_bytes) throw CallError{bytes_message()};
}

void RenderBudget::check_result(const Value& v) {
    if (v.type == GoType::String) check_bytes(v.s.size());
    std::size_t items = v.list ? v.list->size() : v.map ? v.map->size() : 0;
    if (items > limits().max_items)
        throw CallError{"render limit: a list or map of more than " +
                        std::to_string(limits().max_items) + " items"};
}

}  // namespace drover::tmpl
