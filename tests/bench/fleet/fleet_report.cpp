#include "fleet_report.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace drover::fleet {

std::uint64_t FleetReport::error_count() const {
    std::uint64_t n = counters.agent_errors;
    for (const auto& [kind, count] : errors)
        n += count;
    return n;
}

std::string to_table(const FleetReport& r) {
    std::string out = fmt::format(
        "scenario {}: {} machines, {} tasks, {} workers, {:.1f} s\n"
        "job cycles: {} ({:.0f}/s), failed jobs {}, reboots {}, machines done {}, agent restarts "
        "{}\n"
        "streams: {} connected in {:.1f} s; idle: droverd RSS {:.1f} MB, system memory +{:.1f} MB, "
        "notify one machine: PATCH p50 {:.2f} ms p99 {:.2f} ms, event delivery p50 {:.3f} ms p99 "
        "{:.3f} ms\n"
        "under load: event delivery p50 {:.3f} ms, p99 {:.3f} ms ({} events)\n"
        "droverd: RSS {:.1f} MB ({:.1f} MB before the fleet), CPU {:.0f}%; system memory used "
        "+{:.1f} MB; fleet CPU {:.0f}%\n"
        "store growth: {:.1f} KB per 1,000 jobs\n",
        r.scenario, r.machines, r.tasks, r.workers, r.seconds, r.counters.cycles,
        r.cycles_per_second, r.counters.failed_jobs, r.counters.reboots, r.counters.machines_done,
        r.counters.agent_restarts, r.streams_connected, r.streams_connect_seconds,
        r.idle_server_rss_mb, r.idle_system_used_delta_mb, r.idle_patch.p50_ms, r.idle_patch.p99_ms,
        r.idle_event_delivery.p50_ms, r.idle_event_delivery.p99_ms, r.event_delivery.p50_ms,
        r.event_delivery.p99_ms, r.event_delivery.count, r.server_rss_mb, r.server_rss_idle_mb,
        r.server_cpu_percent, r.system_used_delta_mb, r.fleet_cpu_percent,
        r.store_kb_per_1000_jobs);
    if (r.ceilings.measured)
        out += fmt::format(
            "ceilings: HTTP {:.0f} req/s, store {:.0f} writes/s ({:.1f} per commit); a cycle takes "
            "{:.2f} requests, {:.2f} writes -> ceiling {:.0f} cycles/s; ratio {:.2f}\n",
            r.ceilings.http_requests_per_second, r.ceilings.store_writes_per_second,
            r.ceilings.store_writes_per_commit, r.requests_per_cycle, r.writes_per_cycle,
            r.ceiling_cycles_per_second, r.ceiling_ratio);
    else
        out += "ceilings: not measured (--ceiling-seconds 0)\n";
    out += fmt::format("{:<34} {:>8} {:>9} {:>9} {:>9} {:>9}\n", "call", "count", "p50 ms",
                       "p95 ms", "p99 ms", "max ms");
    for (const auto& [kind, p] : r.calls)
        out += fmt::format("{:<34} {:>8} {:>9.2f} {:>9.2f} {:>9.2f} {:>9.2f}\n", kind, p.count,
                           p.p50_ms, p.p95_ms, p.p99_ms, p.max_ms);
    out += fmt::format("errors: {}\n", r.error_count());
    for (const auto& [kind, count] : r.errors)
        out += fmt::format("  {}: {}\n", kind, count);
    if (!r.all_done) out += "not every machine finished its workflow\n";
    return out;
}

std::string to_json(const FleetReport& r) {
    using nlohmann::json;
    auto pct = [](const Percentiles& p) {
        return json{{"count", p.count},
                    {"p50_ms", p.p50_ms},
                    {"p95_ms", p.p95_ms},
                    {"p99_ms", p.p99_ms},
                    {"max_ms", p.max_ms}};
    };
    json calls = json::object();
    for (const auto& [kind, p] : r.calls)
        calls[kind] = pct(p);
    json doc{{"scenario", r.scenario},
             {"machines", r.machines},
             {"tasks", r.tasks},
             {"workers", r.workers},
             {"seconds", r.seconds},
             {"cycles", r.counters.cycles},
             {"cycles_per_second", r.cycles_per_second},
             {"failed_jobs", r.counters.failed_jobs},
             {"reboots", r.counters.reboots},
             {"machines_done", r.counters.machines_done},
             {"agent_restarts", r.counters.agent_restarts},
             {"all_done", r.all_done},
             {"calls", calls},
             {"errors", r.errors},
             {"error_count", r.error_count()},
             {"event_delivery", pct(r.event_delivery)},
             {"idle",
              {{"server_rss_mb", r.idle_server_rss_mb},
               {"system_used_delta_mb", r.idle_system_used_delta_mb},
               {"patch_one_machine", pct(r.idle_patch)},
               {"event_delivery", pct(r.idle_event_delivery)}}},
             {"streams_connected", r.streams_connected},
             {"streams_connect_seconds", r.streams_connect_seconds},
             {"server_rss_mb", r.server_rss_mb},
             {"server_rss_idle_mb", r.server_rss_idle_mb},
             {"system_used_delta_mb", r.system_used_delta_mb},
             {"server_cpu_percent", r.server_cpu_percent},
             {"fleet_cpu_percent", r.fleet_cpu_percent},
             {"store_kb_per_1000_jobs", r.store_kb_per_1000_jobs},
             {"requests_per_cycle", r.requests_per_cycle},
             {"writes_per_cycle", r.writes_per_cycle},
             {"ceilings",
              {{"measured", r.ceilings.measured},
               {"http_requests_per_second", r.ceilings.http_requests_per_second},
               {"store_writes_per_second", r.ceilings.store_writes_per_second},
               {"store_writes_per_commit", r.ceilings.store_writes_per_commit},
               {"cycles_per_second", r.ceiling_cycles_per_second}}},
             {"ceiling_ratio", r.ceiling_ratio}};
    return doc.dump(2) + "\n";
}

}  // namespace drover::fleet
