// What the tests of the real `drover agent` share: a scratch directory per test (state dirs,
// marker files, config files) and tasks made of one bash script.
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

}  // namespace drover::testing
