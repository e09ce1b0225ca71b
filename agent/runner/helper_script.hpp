// The bash helper library the runner writes to `$RS_TASK_DIR/helper` before a task's first
// script (spec 5.7): templates source it for the sane exit-code helpers, OS detection, package
// installs and machine params. Sourcing it marks the task for the sane exit-code table (spec 2.5).
#pragma once
#include <string>
#include <string_view>

namespace drover::agent {

// The library's text; get_param/set_param call `drover_path` (drpcli-compatible).
std::string helper_script(std::string_view drover_path);

}  // namespace drover::agent
