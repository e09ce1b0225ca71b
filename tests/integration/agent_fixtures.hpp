// What the tests of the real `drover agent` share: a scratch directory per test (state dirs,
// marker files, config files), tasks made of one bash script, and counting what droverd logged.
#pragma once
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "droverd_process.hpp"

namespace drover::testing {

// A fresh directory under /tmp, removed with everything in it at the end of the test.
struct WorkDir {
    std::string path;
    WorkDir() {
        char tmpl[] = "/tmp/drover-agent-XXXXXX";
        REQUIRE(mkdtemp(tmpl));
        path = tmpl;
    }
    ~WorkDir() { std::filesystem::remove_all(path); }
    WorkDir(const WorkDir&) = delete;
    WorkDir& operator=(const WorkDir&) = delete;
};

// A task whose one template is `script` under #!/bin/bash.
inline void make_task(httplib::Client& c, const std::string& name, const std::string& script,
                      const nlohmann::json& meta = nlohmann::json::object()) {
    REQUIRE(post(c, "/api/v3/tasks",
                 {{"Name", name},
                  {"Meta", meta},
                  {"Templates", {{{"Name", "run"}, {"Contents", "#!/bin/bash\n" + script}}}}})
                .status == 201);
}

// How many times `what` occurs in `text` (overlapping occurrences counted).
inline std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

// How many of droverd's log lines so far contain `what`.
inline std::size_t log_lines_with(const DroverdProcess& d, const std::string& what) {
    std::size_t n = 0;
    for (const auto& line : d.log_lines())
        n += line.find(what) != std::string::npos;
    return n;
}

}  // namespace drover::testing
