// The output options `replay` and `monitor` share: how the store writer stores (durability,
// full-queue policy, aggregation, retention), how the EVE file rotates, and the syslog export.
#pragma once

#include <cstdint>
#include <string>

#include "alerts/writer.h"

namespace CLI {
class App;
}

namespace otsentry::app {

struct OutputOptions {
    std::string db_sync = "normal";  // normal | full
    std::string on_queue_full;       // block | drop-events (default: block for replay, drop-events live)
    std::string aggregate = "flow";  // flow | hosts | none
    double aggregate_window_s = 60;
    unsigned retention_days = 183;  // monitor: alerts older than this are pruned (0: never)
    uint64_t eve_rotate_mb = 0;     // 0: no size rotation
    uint64_t eve_rotate_hours = 0;  // 0: no time rotation
    unsigned eve_keep = 5;
    std::string syslog;                     // udp://host:514 | tcp://host:6514
    std::string syslog_format = "rfc5424";  // rfc5424 | cef
    bool syslog_events = false;

    // Fills the writer configuration (db_path and eve_path are set by the caller). False with a
    // message naming the option when a value is not usable.
    bool apply(alerts::WriterConfig& cfg, bool live, std::string& error) const;
};

void add_output_options(CLI::App* cmd, OutputOptions& o, bool live);

// Summary lines for what the writer could not do (dropped, not stored, spilled, recovered,
// syslog); empty when everything went through.
std::string writer_problems(const alerts::WriterStats& s);

}  // namespace otsentry::app
