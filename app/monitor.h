// `otsentry monitor`: live capture on one or more interfaces (a mirrored switch port) through
// the same engine and store writer as replay, until SIGTERM or SIGINT; periodic statistics on
// stderr and as EVE `stats` records; optional drop of root privileges once everything is open.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "alerts/writer.h"
#include "app/output_options.h"
#include "app/pipeline.h"
#include "app/rule_options.h"
#include "app/rule_service.h"
#include "capture/source/live_source.h"

namespace otsentry::app {

struct MonitorOptions {
    std::vector<std::string> interfaces;
    std::string bpf;  // capture filter; empty: every frame
    int snaplen = 262144;
    unsigned buffer_mb = 64;         // kernel ring per interface, MiB
    std::string eve_path;            // empty: no EVE file; "-": standard output
    std::string db_path;             // empty: no database
    unsigned stats_interval_s = 60;  // 0: no periodic statistics (the final record is still written)
    std::string user;                // drop to this user once capture and outputs are open; empty: stay
    unsigned workers = 1;            // engine threads (1: the capture thread runs the engine)
    bool quiet = false;              // no summary, no periodic stats lines on stderr
    RuleOptions rules;
    OutputOptions output;
    ReloadSlot* reload_slot = nullptr;  // monitor --serve: the web UI's way to reload the rules
};

// Returns the process exit code: 0 after a clean stop (SIGTERM/SIGINT), 1 when an interface,
// the filter, an output or the user could not be used (or capture failed while running).
// A second SIGINT while stopping ends the process at once with status 130.
int run_monitor(const MonitorOptions& opts);

// One point of the periodic statistics: what the `stats` record and the stderr line show.
struct MonitorSnapshot {
    int64_t ts_us = 0;             // wall clock, microseconds since the epoch
    double uptime_s = 0;           // since capture started
    double interval_s = 0;         // since the previous snapshot
    uint64_t interval_events = 0;  // protocol events in that interval
    std::vector<capture::InterfaceStats> interfaces;
    uint64_t packets = 0, bytes = 0;  // processed by the engine
    uint64_t events = 0, alerts = 0, anomalies = 0;
    uint64_t flows_active = 0, flows_created = 0, flows_timed_out = 0, flows_evicted = 0;
    alerts::WriterStats written;
    std::vector<WorkerSnapshot> workers;  // one per worker
    // Summed over the workers (and the reader's defragmentation).
    capture::DecodeStats decode;
    capture::StreamStats stream;
    capture::DefragStats defrag;

    [[nodiscard]] double events_per_s() const;
};

// {"timestamp":..,"event_type":"stats","stats":{..}} (layout in docs/output.md).
std::string render_stats_record(const MonitorSnapshot& s);
// "otsentry: stats: eth1: received 1,234, dropped 0 by the kernel, 0 by the interface; processed
// 1,234 packets, 3.5 events/s, 2 alerts, 4 flows active" (no newline).
std::string stats_line(const MonitorSnapshot& s);

}  // namespace otsentry::app
