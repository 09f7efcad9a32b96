// The SQLite store: schema with versioned migrations (PRAGMA user_version), WAL mode, and the
// functions the writer, the CLI and the web UI use: the insert path (with alert aggregation,
// suppression and evidence), triage (status, assignee, comments, suppressions, audit log),
// queries (filtered pages, facet counts, detail, evidence) and retention. One Store per thread:
// SQLite connections are not shared across threads here. See alerts/README.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/record.h"

// Declared at global scope so that they name SQLite's own types: an elaborated `struct sqlite3*`
// inside the namespace below would declare a different otsentry::alerts::sqlite3.
struct sqlite3;
struct sqlite3_stmt;

namespace otsentry::alerts {

// Startup problems (cannot open, migration failed) and failed writes: the message is
// "<path>: <what failed>: <SQLite's message>".
class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Bad input to the triage and query API (unknown status, limit out of range, text too long):
// nothing was written.
class InvalidRequest : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

enum class AlertStatus : uint8_t { New, Acknowledged, Resolved, FalsePositive };
// "new", "acknowledged", "resolved", "false_positive": the values of the `status` column.
std::string_view to_string(AlertStatus s);
std::optional<AlertStatus> parse_status(std::string_view name);

// Which alerts are one storm. Flow: same gid, sid and flow_id. Hosts: same gid, sid, src_ip and
// dest_ip (any ports, any flow: a scanner opening a connection per probe). None: a row per alert.
enum class AggregationKey : uint8_t { None, Flow, Hosts };
std::string_view to_string(AggregationKey k);
std::optional<AggregationKey> parse_aggregation_key(std::string_view name);

// Default: key `flow`, window 60 s of packet time. An alert joins the stored row with the same key
// whose [first_seen, last_seen] is within window_us of its timestamp, and whose status is still
// new or acknowledged (a resolved alert that fires again is news: it gets a row of its own).
struct AggregationConfig {
    AggregationKey key = AggregationKey::Flow;
    int64_t window_us = 60'000'000;
    // Open windows kept in memory (key -> row id); past this, expired windows are dropped and, if
    // that is not enough, all of them: lookups then go to SQL (index alerts_agg), never wrong.
    size_t max_open = 100'000;
};

struct StoreOptions {
    bool read_only = false;
    AggregationConfig aggregation;
    // Evidence pcaps longer than this keep their global header and the newest packets that fit
    // (the triggering packet is the last one); counted in InsertResult::evidence_truncated.
    size_t evidence_max_bytes = 256 * 1024;
    // A database created by an otsentry before schema v2 has no incremental auto-vacuum; if it is
    // smaller than this, opening it read-write runs the one VACUUM that switches it on.
    int64_t vacuum_on_open_max_bytes = 64 * 1024 * 1024;
};

// What one insert_batch did with its records.
struct InsertResult {
    uint64_t events = 0;              // event rows inserted
    uint64_t alerts = 0;              // alert rows inserted
    uint64_t aggregated = 0;          // alerts counted into an existing row
    uint64_t suppressed = 0;          // alerts matching a suppression: not stored
    uint64_t evidence = 0;            // evidence blobs stored
    uint64_t evidence_truncated = 0;  // of which cut to StoreOptions::evidence_max_bytes
};

// Totals since this Store was opened, plus the state of the aggregation cache.
struct StoreStats {
    InsertResult inserted;
    uint64_t open_windows = 0;      // aggregation windows in memory now
    uint64_t window_evictions = 0;  // windows dropped from memory because of max_open
};

struct StoredAlert {
    int64_t id = 0;
    int64_t ts_us = 0;  // the first alert of the row (its EVE line is the one kept)
    uint64_t flow_id = 0;
    uint32_t gid = 0, sid = 0, rev = 0;
    std::string signature, category, proto, app_proto, src_ip, dest_ip;
    uint16_t src_port = 0, dest_port = 0;
    uint8_t severity = 3;
    std::string eve_json;
    AlertStatus status = AlertStatus::New;
    std::string assignee;
    int64_t updated_us = 0;  // last triage change, 0 if none
    int64_t count = 1;       // alerts aggregated into this row
    int64_t first_seen_us = 0, last_seen_us = 0;
    int64_t evidence_bytes = 0;  // 0: no evidence
};

// One `otsentry replay` (or monitor session), written by the app when it ends.
struct RunRecord {
    int64_t started_us = 0, finished_us = 0;
    std::string command;              // "replay", "monitor"
    std::vector<std::string> inputs;  // stored as a JSON array of strings
    uint64_t packets = 0, bytes = 0, events = 0, alerts = 0;
};

// A finished (or timed-out) flow, for the `flows` table.
struct FlowSummary {
    uint64_t flow_id = 0;
    std::string src_ip, dest_ip;
    uint16_t src_port = 0, dest_port = 0;
    std::string proto, app_proto;
    int64_t first_ts_us = 0, last_ts_us = 0;
    uint64_t pkts_toserver = 0, pkts_toclient = 0, bytes_toserver = 0, bytes_toclient = 0;
};

// Who does a triage change, and when (the CLI passes the wall clock, tests a fixed time).
struct Actor {
    std::string name;
    int64_t now_us = 0;
};

// Per id asked for: changed, already in that state, or no such alert.
struct TriageResult {
    std::vector<int64_t> changed, unchanged, missing;
};

struct AlertCursor {
    int64_t ts_us = 0;
    int64_t id = 0;
};

// Filters of the alert list (all optional, combined with AND). Results are newest first by
// (ts_us, id); `before` continues a page where the previous one ended.
struct AlertFilter {
    std::optional<int64_t> since_us, until_us;  // on last_seen_us >= since, ts_us < until
    std::vector<uint8_t> severities;
    std::vector<AlertStatus> statuses;
    std::string app_proto;
    std::optional<uint32_t> sid;
    std::string host;  // src_ip or dest_ip
    std::string text;  // substring of signature (case-insensitive for ASCII)
    std::optional<AlertCursor> before;
    int limit = 50;  // 1..1000
};

struct AlertPage {
    std::vector<StoredAlert> alerts;
    std::optional<AlertCursor> next;  // set when more rows match
};

enum class Facet : uint8_t { Severity, Status, AppProto, Sid, SrcIp, DestIp };
std::optional<Facet> parse_facet(std::string_view name);  // severity status app_proto sid src_ip dest_ip

struct FacetCount {
    std::string value;   // "" for NULL (no app_proto, no IP)
    int64_t rows = 0;    // alert rows
    int64_t alerts = 0;  // alerts, counting aggregated ones (sum of count)
};

struct Comment {
    int64_t id = 0, ts_us = 0;
    std::string actor, text;
};

struct HistoryEntry {
    int64_t ts_us = 0;
    std::string actor, field, old_value, new_value;
};

struct AlertDetail {
    StoredAlert alert;
    std::vector<Comment> comments;      // oldest first
    std::vector<HistoryEntry> history;  // oldest first
    int64_t evidence_packets = 0;       // 0 with no evidence
    bool evidence_truncated = false;
};

struct Suppression {
    int64_t id = 0;
    uint32_t gid = 0, sid = 0;
    std::string src_ip, dest_ip;  // "" matches any
    std::string created_by, reason;
    int64_t created_us = 0;
    int64_t from_alert_id = 0;  // 0 once that alert is pruned
    int64_t hits = 0;           // alerts not stored because of it
};

struct AuditEntry {
    int64_t id = 0, ts_us = 0;
    std::string actor, action, target, detail;  // detail: a JSON object
    bool ok = true;
};

// Retention defaults: alerts six months (183 days, a common requirement for ICS audit logs),
// at most 10 million alert rows, protocol events 30 days / 50 million rows, the whole database
// at most 16 GiB. A limit of 0 disables it. See alerts/README.md ("Retention").
struct RetentionConfig {
    int64_t alert_max_age_us = 183LL * 86'400'000'000LL;
    int64_t alert_max_rows = 10'000'000;
    int64_t event_max_age_us = 30LL * 86'400'000'000LL;
    int64_t event_max_rows = 50'000'000;
    int64_t max_db_bytes = 16LL << 30;
    int64_t audit_max_age_us = 2LL * 366 * 86'400'000'000LL;
    int batch_rows = 1000;  // rows per DELETE transaction: the write lock is held for one batch
    // Per prune() call; PruneResult::complete says whether more is due. At 1 million alerts a
    // 1000-row batch takes ~0.1 s (p95 0.25 s, bench/store_bench), so 10 keep a call near a second.
    int max_batches = 10;
};

struct PruneResult {
    int64_t alerts_by_age = 0, alerts_by_rows = 0, alerts_by_size = 0;
    int64_t events_by_age = 0, events_by_rows = 0, events_by_size = 0;
    int64_t flows_by_age = 0;  // flow summaries age out with the events
    int64_t audit_by_age = 0;
    int batches = 0;             // DELETE transactions that removed rows
    int64_t pages_vacuumed = 0;  // pages returned to the file system by incremental vacuum
    bool complete = true;        // false: stopped at max_batches with rows still due
    [[nodiscard]] int64_t alerts() const { return alerts_by_age + alerts_by_rows + alerts_by_size; }
    [[nodiscard]] int64_t events() const { return events_by_age + events_by_rows + events_by_size; }
};

struct StoreState;

class Store {
public:
    // Opens (creating if needed) and migrates to the newest schema version.
    static Store open(const std::string& path, bool read_only = false);
    static Store open(const std::string& path, const StoreOptions& options);
    ~Store();
    Store(Store&&) noexcept;
    Store& operator=(Store&&) noexcept;

    // The schema migrations, oldest first: migrations()[k] upgrades version k to k + 1. Exposed so
    // that tests can build a database at every older version and upgrade it.
    static std::span<const char* const> migrations();
    static int latest_schema_version();
    [[nodiscard]] int schema_version() const;

    void set_aggregation(const AggregationConfig& config);
    [[nodiscard]] const AggregationConfig& aggregation() const;

    // --- insert path (the writer thread) ---
    // Inserts the records in one transaction (events; alerts aggregated, suppressed or inserted
    // with their evidence). On error nothing is written, StoreError is thrown, and the
    // aggregation cache forgets what the failed batch taught it.
    InsertResult insert_batch(std::span<const Record> records);
    // Returns the new row id. A run with finished_us 0 is still going (stored as NULL) until
    // finish_run records its end and totals.
    int64_t record_run(const RunRecord& run);
    void finish_run(int64_t id, const RunRecord& run);
    void insert_flows(std::span<const FlowSummary> flows);
    [[nodiscard]] StoreStats stats() const;

    // --- retention (see RetentionConfig) ---
    PruneResult prune(const RetentionConfig& config, int64_t now_us);
    // Full VACUUM (switches an old database to incremental auto-vacuum); needs free disk space
    // about the size of the database, and holds the write lock throughout.
    void vacuum();
    [[nodiscard]] int64_t database_bytes() const;  // page_count * page_size

    // --- counts and queries ---
    [[nodiscard]] int64_t count_events() const;
    // Alerts, counting each aggregated alert (the sum of `count`), not rows.
    [[nodiscard]] int64_t count_alerts() const;
    [[nodiscard]] int64_t count_alert_rows() const;
    [[nodiscard]] int64_t count_events(const std::string& app_proto) const;
    [[nodiscard]] std::vector<StoredAlert> latest_alerts(int limit) const;
    [[nodiscard]] AlertPage list_alerts(const AlertFilter& filter) const;
    // Counts per value of one column over the alerts the filter matches (its cursor and limit
    // are ignored), most alerts first, at most `limit` (1..1000) values.
    [[nodiscard]] std::vector<FacetCount> count_by(Facet facet, const AlertFilter& filter,
                                                   int limit = 100) const;
    [[nodiscard]] std::optional<AlertDetail> alert_detail(int64_t id) const;
    // The evidence pcap of an alert; nullopt when the alert has none (or does not exist).
    [[nodiscard]] std::optional<std::string> evidence(int64_t alert_id) const;

    // --- triage (each change in triage_history and audit_log, in the same transaction) ---
    TriageResult set_status(std::span<const int64_t> ids, AlertStatus status, const Actor& actor,
                            const std::string& comment = {});
    TriageResult assign(std::span<const int64_t> ids, const std::string& assignee, const Actor& actor);
    // Returns the comment id; InvalidRequest if the alert does not exist.
    int64_t add_comment(int64_t alert_id, const std::string& text, const Actor& actor);
    // Stops storing alerts with this alert's gid, sid, src_ip and dest_ip; returns the
    // suppression id (an existing one if the same suppression is already there).
    int64_t suppress(int64_t alert_id, const Actor& actor, const std::string& reason);
    bool remove_suppression(int64_t suppression_id, const Actor& actor);
    [[nodiscard]] std::vector<Suppression> suppressions() const;
    // For actions that are not triage (logins, rule changes): one audit_log row.
    void record_audit(const Actor& actor, const std::string& action, const std::string& target,
                      const std::string& detail_json, bool ok);
    [[nodiscard]] std::vector<AuditEntry> audit_log(int limit) const;  // newest first, limit 1..1000

    // The raw connection for code in alerts/ that needs more (tests, later queries).
    [[nodiscard]] sqlite3* handle() const noexcept;
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

private:
    Store(sqlite3* db, std::string path, const StoreOptions& options);
    void close() noexcept;
    void reload_suppressions_if_changed();
    sqlite3* db_ = nullptr;
    std::string path_;
    std::unique_ptr<StoreState> state_;
};

}  // namespace otsentry::alerts
