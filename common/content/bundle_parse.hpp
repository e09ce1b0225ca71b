// Reading content bundles, the pure part (the client walks the files, the server parses its
// request body). Two layouts, as DRP has them:
//  - one document (YAML or JSON): {"meta": {...}, "sections": {"<section>": {"<key>": obj}}};
//    the sections may also sit at the top level beside meta. A section key fills an object's
//    missing key field and must match a present one.
//  - a directory: meta.yaml, meta.yml or meta.json (at most one) and/or DRP's ._<Field>.meta
//    files (one meta field each, overriding), and one subdirectory per section holding one
//    object per .yaml/.yml/.json file; in templates/ any other file is a raw template whose ID
//    is the file name and whose Contents is the file's text. Hidden files are skipped, deeper
//    subdirectories are not read and other top-level files are ignored.
// Meta values are kept; strings are trimmed (except Documentation) and numbers or booleans
// become their text (except the Writable and Overwritable flags), as DRP's loader does.
// Every problem is collected, each prefixed with its place ("tasks/foo.yaml: Name: expected
// string, got integer", "bundle.yaml: sections.stages.s1: ..."); unknown sections are errors.
#pragma once
#include <string>
#include <vector>

#include "common/api/expected.hpp"
#include "common/content/bundle.hpp"

namespace drover::content {

struct SourceFile {
    std::string path;  // relative to the bundle directory, '/'-separated; or the file's name
    std::string text;
};

using ParseResult = api::Expected<Bundle, model::Errors>;

// A bundle document already parsed to JSON; `place` prefixes every message ("" for none).
ParseResult parse_document(const model::Json& doc, const std::string& place);
// One bundle file (.json is JSON, anything else YAML).
ParseResult parse_file(const SourceFile& file);
// A directory's files (see above); the order of `files` does not matter.
ParseResult parse_directory(const std::vector<SourceFile>& files);

// A file's text as JSON by its extension (.json: JSON, otherwise YAML); the message has no
// file name.
api::Expected<model::Json, std::string> parse_text(const SourceFile& file);

}  // namespace drover::content
