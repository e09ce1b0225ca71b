// Readings from /proc for the fleet report: a process's RSS and CPU time, the system's memory in
// use (kernel included: socket buffers count), and a directory's size on disk.
#pragma once
#include <sys/types.h>
#include <string>

namespace drover::fleet {

double rss_mb(pid_t pid);
double cpu_seconds(pid_t pid);           // user + system
double system_used_mb();                 // MemTotal - MemAvailable
double dir_kb(const std::string& path);  // allocated blocks, recursively

}  // namespace drover::fleet
