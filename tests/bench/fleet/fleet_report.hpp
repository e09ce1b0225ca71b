// What a fleet run measured, and its two renderings: a table for people, JSON for tools.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "call_stats.hpp"
#include "ceilings.hpp"
#include "fleet_scheduler.hpp"

namespace drover::fleet {

struct FleetReport {
    std::string scenario;
    int machines = 0, tasks = 0, workers = 0;
    double seconds = 0;  // of the measured run
    FleetCounters counters;
    double cycles_per_second = 0;
    std::map<std::string, Percentiles> calls;
    std::map<std::string, std::uint64_t> errors;
    Percentiles event_delivery;
    // With every stream connected and no agent running yet: droverd's RSS and the system's memory
    // growth since before the streams, and single-machine notifications (an admin PATCH of one
    // machine, its stream's event): the PATCH's latency and the event's delivery.
    double idle_server_rss_mb = 0, idle_system_used_delta_mb = 0;
    Percentiles idle_patch, idle_event_delivery;
    std::size_t streams_connected = 0;
    double streams_connect_seconds = 0;
    double server_rss_mb = 0, server_rss_idle_mb = 0, system_used_delta_mb = 0;
    double server_cpu_percent = 0, fleet_cpu_percent = 0;
    double store_kb_per_1000_jobs = 0;
    double requests_per_cycle = 0, writes_per_cycle = 0;
    Ceilings ceilings;
    double ceiling_cycles_per_second = 0;  // the lower ceiling over what one cycle needs of it
    double ceiling_ratio = 0;
    bool all_done = true;  // boot-storm: every machine finished its workflow

    std::uint64_t error_count() const;
};

std::string to_table(const FleetReport& r);
std::string to_json(const FleetReport& r);

}  // namespace drover::fleet
