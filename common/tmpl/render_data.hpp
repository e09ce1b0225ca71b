// The dot of a task render (spec 7.2): a Go-like *renderData object with the fields
// Machine/Task/Stage/Env and the helper methods task content calls (.Param, .CallTemplate,
// .GenerateToken ...). Internal to the engine; the public surface is template.hpp.
#pragma once

#include "common/tmpl/exec.hpp"
#include "common/tmpl/template.hpp"
#include "common/tmpl/value.hpp"

namespace drover::tmpl {

// Builds the dot for ctx over the template set `set` (needed by CallTemplate/StringExpand).
Value make_render_data(const RenderContext& ctx, std::shared_ptr<const TreeMap> set);

// Executes `name` of `set` with dot; Go's error text on failure. `limits` apply unless this runs
// inside another render (then that render's budget is spent).
Result<std::string> execute_named(const TreeMap& set, const std::string& name, const Value& dot,
                                  bool missing_key_error = false, const RenderLimits& limits = {});

// Adds parsed trees to a set with Go's associate rule (an empty body never replaces).
void associate(TreeMap& set, const TreeMap& parsed);
// Parses (through the content-hash cache) and returns the trees of one text.
std::shared_ptr<const TreeMap> parse_cached(const std::string& name, std::string_view text,
                                            std::string* err);

}  // namespace drover::tmpl
