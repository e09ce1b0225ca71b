// Go's path package where drover needs its exact results: Sprig's `clean` and the task renderer,
// which cleans rendered task paths as DRP does (spec 1.3). Purely lexical: no file system access.
#pragma once

#include <string>

namespace drover::tmpl {

// path.Clean: "" becomes ".", repeated and trailing slashes, "." and resolvable ".." go.
std::string path_clean(const std::string& p);

}  // namespace drover::tmpl
