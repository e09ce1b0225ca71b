// The file side of content bundles for the CLI: reading a bundle file or walking a bundle
// directory into the SourceFiles that common/content parses. The
// walk reads every regular file at the top (meta.yaml, ._Name.meta, ...) and in each visible
// subdirectory, one level deep; symlinks are followed; hidden subdirectories are not entered.
#pragma once
#include <string>

#include "common/content/bundle_parse.hpp"

namespace drover::cli {

// A bundle from a file or a directory; read failures are errors too ("<path>: <why>").
content::ParseResult read_bundle(const std::string& path);

}  // namespace drover::cli
