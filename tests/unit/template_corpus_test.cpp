// Differential corpus: every case under tests/templates/expected was rendered by Go's own
// text/template + Sprig (the gotmpl-oracle); drover must produce the same bytes, and fail
// exactly where Go fails. Error texts must match exactly, except for cases marked "loose"
// (messages drover cannot reproduce, e.g. RE2 parse errors): there only the text up to and
// including the first "error calling <func>:" must match.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/tmpl/oracle_doc.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kDir = fs::path(DROVER_SOURCE_DIR) / "tests" / "templates" / "expected";

json read_json(const fs::path& p) {
    std::ifstream in(p);
    return json::parse(in);
}

// Same merge as corpus_gen.py: params are added to the defaults, other keys replace.
json full_doc(const json& defaults, const json& overrides) {
    json d = defaults;
    for (const auto& [k, v] : overrides.items()) {
        if (k == "params") {
            for (const auto& [pk, pv] : v.items())
                d["params"][pk] = pv;
        } else {
            d[k] = v;
        }
    }
    return d;
}

std::string loose_prefix(const std::string& msg) {
    auto at = msg.find("error calling ");
    if (at == std::string::npos) return msg;
    auto colon = msg.find(':', at);
    return colon == std::string::npos ? msg : msg.substr(0, colon + 1);
}

}  // namespace

TEST_CASE("template corpus matches Go text/template byte for byte", "[tmpl][corpus]") {
    REQUIRE(fs::is_directory(kDir));
    json defaults = read_json(kDir / "defaults.json");
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(kDir)) {
        if (e.path().extension() == ".jsonl") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    size_t total = 0;
    for (const auto& file : files) {
        std::ifstream in(file);
        std::string line;
        while (std::getline(in, line)) {
            if (line.empty()) continue;
            json c = json::parse(line);
            ++total;
            INFO(c["name"].get<std::string>() << ": " << c["input"]["templates"].dump());
            auto r = drover::tmpl::render_oracle_document(full_doc(defaults, c["input"]));
            if (c.contains("out")) {
                INFO("unexpected error: " << (r.ok() ? "" : r.error()));
                REQUIRE(r.ok());
                CHECK(r.value() == c["out"].get<std::string>());
            } else {
                REQUIRE_FALSE(r.ok());
                std::string want = c["err"].get<std::string>();
                if (c.value("loose", false)) {
                    CHECK(loose_prefix(r.error()) == loose_prefix(want));
                } else {
                    CHECK(r.error() == want);
                }
            }
        }
    }
    CHECK(total >= 400);
}
