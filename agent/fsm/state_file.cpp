#include "agent/fsm/state_file.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace drover::agent {
namespace {

std::int64_t boot_time() {
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

std::string boot_id() {
    std::ifstream in("/proc/sys/kernel/random/boot_id");
    std::string id;
    in >> id;
    return id;
}

bool same_boot(const model::Json& doc, const HostBoot& boot) {
    auto id = doc.find("BootId");
    if (id != doc.end() && id->is_string() && !boot.id.empty()) return *id == boot.id;
    return doc.value("BootTime", std::int64_t{-1}) == boot.time;
}

}  // namespace

HostBoot current_boot() {
    return {boot_id(), boot_time()};
}

std::optional<model::Json> load_state(const std::string& state_dir, const std::string& machine,
                                      const HostBoot& boot) {
    std::ifstream in(state_dir + "/" + machine + ".state");
    if (!in) return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    auto doc = model::Json::parse(text.str(), nullptr, false);
    if (!doc.is_object() || !same_boot(doc, boot)) return std::nullopt;
    auto m = doc.find("Machine");
    if (m == doc.end() || !m->is_object() || m->value("Uuid", "") != machine) return std::nullopt;
    return *m;
}

void save_state(const std::string& state_dir, const std::string& machine, const HostBoot& boot,
                const model::Json& machine_copy) {
    std::error_code ec;
    std::filesystem::create_directories(state_dir, ec);
    std::string path = state_dir + "/" + machine + ".state";
    {
        std::ofstream out(path + ".new", std::ios::trunc);
        if (!out) return;
        model::Json doc{{"BootTime", boot.time}, {"Machine", machine_copy}};
        if (!boot.id.empty()) doc["BootId"] = boot.id;
        out << doc.dump();
        if (!out) return;
    }
    std::filesystem::rename(path + ".new", path, ec);
}

}  // namespace drover::agent
