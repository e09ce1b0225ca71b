// Content bundles (common/content/bundle_parse, yaml_json): any text as a bundle. Input: one
// bundle document (YAML, or JSON when it starts with '{'), or, when it starts with "=== ", a
// directory: "=== <path>\n<text>" per file (meta.yaml, ._Name.meta, tasks/t.yaml,
// templates/raw.tmpl, ...). Properties beyond not crashing: a refused bundle says why; an
// accepted one written back as DRP's Content document reads back to the same document.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/content/bundle_parse.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace drover::content;

namespace {

constexpr std::string_view kFileMark = "=== ";

std::vector<SourceFile> directory_of(std::string_view text) {
    std::vector<SourceFile> files;
    while (text.substr(0, kFileMark.size()) == kFileMark) {
        text.remove_prefix(kFileMark.size());
        auto nl = text.find('\n');
        SourceFile f{std::string(text.substr(0, nl)), ""};
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        auto next = text.find("\n=== ");
        f.text = std::string(text.substr(0, next));
        text = next == std::string_view::npos ? std::string_view{} : text.substr(next + 1);
        files.push_back(std::move(f));
    }
    return files;
}

void check(const ParseResult& parsed) {
    if (!parsed) {
        FUZZ_CHECK(!parsed.error().empty(), "a refused bundle has errors");
        for (const auto& e : parsed.error())
            FUZZ_CHECK(!e.empty(), "every error says why");
        return;
    }
    auto doc = to_document(*parsed);
    auto again = parse_document(doc, "");
    FUZZ_CHECK(again.has_value(), "a bundle's own Content document is a valid bundle");
    FUZZ_CHECK(to_document(*again) == doc, "the Content document round-trips");
    summary(*parsed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text = drover::fuzz::as_text(data, size);
    if (text.substr(0, kFileMark.size()) == kFileMark) {
        check(parse_directory(directory_of(text)));
        return 0;
    }
    std::string name = !text.empty() && text.front() == '{' ? "bundle.json" : "bundle.yaml";
    check(parse_file({name, std::string(text)}));
    return 0;
}
