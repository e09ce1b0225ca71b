#include "agent/fsm/state_file.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace drover::agent {

std::int64_t host_boot_time() {
    std::ifstream stat("/proc/stat");
    std::string key;
    while (stat >> key) {
        if (key == "btime") {
            std::int64_t t = 0;
            stat >> t;
            return t;
        }
        stat.ignore(1 << 20, '\n');
    }
    return 0;
}

std::optional<model::Json> load_state(const std::string& state_dir, const std::string& machine,
                                      std::int64_t boot_time) {
    std::ifstream in(state_dir + "/" + machine + ".state");
    if (!in) return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    auto doc = model::Json::parse(text.str(), nullptr, false);
    if (!doc.is_object() || doc.value("BootTime", std::int64_t{-1}) != boot_time)
        return std::nullopt;
    auto m = doc.find("Machine");
    if (m == doc.end() || !m->is_object() || m->value("Uuid", "") != machine) return std::nullopt;
    return *m;
}

void save_state(const std::string& state_dir, const std::string& machine, std::int64_t boot_time,
                const model::Json& machine_copy) {
    std::error_code ec;
    std::filesystem::create_directories(state_dir, ec);
    std::string path = state_dir + "/" + machine + ".state";
    {
        std::ofstream out(path + ".new", std::ios::trunc);
        if (!out) return;
        out << model::Json{{"BootTime", boot_time}, {"Machine", machine_copy}}.dump();
        if (!out) return;
    }
    std::filesystem::rename(path + ".new", path, ec);
}

}  // namespace drover::agent
