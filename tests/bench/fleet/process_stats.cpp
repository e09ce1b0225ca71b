#include "process_stats.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace drover::fleet {

namespace {

double field_kb(const std::string& file, const std::string& key) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key, 0) == 0) return std::atof(line.c_str() + key.size());
    return 0;
}

}  // namespace

double rss_mb(pid_t pid) {
    return field_kb("/proc/" + std::to_string(pid) + "/status", "VmRSS:") / 1024.0;
}

double cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto close = text.rfind(')');  // the command name may hold spaces
    if (close == std::string::npos) return 0;
    std::istringstream rest(text.substr(close + 2));
    std::string skip;
    for (int i = 3; i < 14; ++i)
        rest >> skip;
    double utime = 0, stime = 0;
    rest >> utime >> stime;
    return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double system_used_mb() {
    return (field_kb("/proc/meminfo", "MemTotal:") - field_kb("/proc/meminfo", "MemAvailable:")) /
           1024.0;
}

double dir_kb(const std::string& path) {
    double kb = 0;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode))
            kb += static_cast<double>(st.st_blocks) / 2.0;
    }
    return kb;
}

}  // namespace drover::fleet
