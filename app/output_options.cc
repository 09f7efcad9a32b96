#include "app/output_options.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "alerts/syslog.h"

namespace otsentry::app {

void add_output_options(CLI::App* cmd, OutputOptions& o, bool live)
{
    cmd->add_option("--db-sync", o.db_sync,
                    "SQLite durability: normal (a power cut may lose the last commits, never corrupts) or "
                    "full (every commit on disk)")
        ->check(CLI::IsMember({"normal", "full"}))
        ->capture_default_str();
    cmd->add_option("--on-queue-full", o.on_queue_full,
                    std::string{"When the writer falls behind: block (wait, lose nothing) or drop-events "
                                "(drop protocol events, never alerts); default "} +
                        (live ? "drop-events" : "block"))
        ->check(CLI::IsMember({"block", "drop-events"}));
    cmd->add_option("--aggregate", o.aggregate,
                    "Store repeated alerts of one signature as one row with a count: per flow, per host pair "
                    "(hosts), or not (none); the EVE file keeps every alert")
        ->check(CLI::IsMember({"flow", "hosts", "none"}))
        ->capture_default_str();
    cmd->add_option("--aggregate-window", o.aggregate_window_s,
                    "Seconds of packet time within which a repeated alert joins the same row")
        ->check(CLI::Range(0.001, 86400.0 * 30))
        ->capture_default_str();
    if (live) {
        cmd->add_option("--retention-days", o.retention_days,
                        "Days alerts are kept in the store (events 30 days; the store is also capped at 16 "
                        "GiB); 0 keeps everything")
            ->check(CLI::Range(0u, 36500u))
            ->capture_default_str();
    }
    cmd->add_option("--eve-rotate-mb", o.eve_rotate_mb, "Rotate the EVE file when it reaches this size (MiB)")
        ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 20));
    cmd->add_option("--eve-rotate-hours", o.eve_rotate_hours, "Rotate the EVE file at this age (hours)")
        ->check(CLI::Range(uint64_t{1}, uint64_t{24 * 366}));
    cmd->add_option("--eve-keep", o.eve_keep, "Rotated EVE files kept (eve.json.1 ...)")
        ->check(CLI::Range(1u, 1000u))
        ->capture_default_str();
    cmd->add_option("--syslog", o.syslog,
                    "Send alerts to a syslog collector (RFC 5424): udp://HOST:PORT or tcp://HOST:PORT");
    cmd->add_option("--syslog-format", o.syslog_format, "Syslog message: rfc5424 (EVE JSON) or cef")
        ->check(CLI::IsMember({"rfc5424", "cef"}))
        ->capture_default_str();
    cmd->add_flag("--syslog-events", o.syslog_events, "Send protocol events to syslog too, not only alerts");
}

bool OutputOptions::apply(alerts::WriterConfig& cfg, bool live, std::string& error) const
{
    cfg.synchronous = db_sync == "full" ? alerts::Synchronous::Full : alerts::Synchronous::Normal;
    const std::string policy = on_queue_full.empty() ? (live ? "drop-events" : "block") : on_queue_full;
    cfg.queue_full =
        policy == "drop-events" ? alerts::QueueFullPolicy::DropEvents : alerts::QueueFullPolicy::Block;
    auto& agg = cfg.store.aggregation;
    agg.key = aggregate == "hosts"  ? alerts::AggregationKey::Hosts
              : aggregate == "none" ? alerts::AggregationKey::None
                                    : alerts::AggregationKey::Flow;
    agg.window_us = static_cast<int64_t>(aggregate_window_s * 1e6);
    if (live && retention_days != 0) {
        alerts::RetentionConfig r;
        r.alert_max_age_us = int64_t{retention_days} * 86'400'000'000LL;
        cfg.retention = r;
    }
    cfg.eve_rotate_bytes = eve_rotate_mb << 20;
    cfg.eve_rotate_seconds = std::chrono::seconds{eve_rotate_hours * 3600};
    cfg.eve_keep = eve_keep;
    if (!syslog.empty()) {
        alerts::SyslogTarget target;
        if (!alerts::parse_syslog_target(syslog, target, error)) {
            error = "--syslog " + syslog + ": " + error;
            return false;
        }
        alerts::SyslogConfig s;
        s.target = syslog;
        if (!alerts::parse_syslog_format(syslog_format, s.format)) {
            error = "--syslog-format " + syslog_format + ": expected rfc5424 or cef";
            return false;
        }
        s.events = syslog_events;
        cfg.syslog = s;
    }
    return true;
}

std::string writer_problems(const alerts::WriterStats& s)
{
    std::string out;
    auto add = [&](uint64_t n, std::string_view what) {
        if (n != 0) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", n, what);
    };
    add(s.dropped_events, "events dropped (queue full)");
    add(s.events_not_stored, "events not stored (database)");
    add(s.alerts_not_stored, "alerts not stored (database; they are in the EVE file)");
    add(s.alerts_recovered, "alerts stored after the database recovered");
    add(s.eve_failed, "records not written to the EVE file");
    add(s.alerts_aggregated, "alerts aggregated into earlier rows");
    add(s.alerts_suppressed, "alerts suppressed");
    add(s.eve_rotations, "EVE rotations");
    if (s.syslog.sent != 0 || s.syslog.dropped != 0)
        out += fmt::format("{}syslog {} sent, {} dropped", out.empty() ? "" : ", ", s.syslog.sent,
                           s.syslog.dropped);
    return out;
}

}  // namespace otsentry::app
