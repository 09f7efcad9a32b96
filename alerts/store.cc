#include "alerts/store.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <nlohmann/json.hpp>

#include "alerts/sqlite_util.h"

namespace otsentry::alerts {

using detail::as_i64;
using detail::bind_text;
using detail::bind_text_not_null;
using detail::column_text;
using detail::exec;
using detail::fail;
using detail::prepare;
using detail::query_int;
using detail::require;
using detail::StmtPtr;

namespace {

// Schema migrations, oldest first: entry k takes user_version k to k + 1. Append, never edit a
// shipped entry: sensors in the field already ran it. See alerts/README.md.
constexpr const char* schema_migrations[] = {
    // v1: protocol events, alerts, replay/monitor runs, and the indexes behind the UI's queries.
    R"sql(
CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    ts_us     INTEGER NOT NULL,
    flow_id   INTEGER,
    src_ip    TEXT,
    src_port  INTEGER,
    dest_ip   TEXT,
    dest_port INTEGER,
    proto     TEXT,
    app_proto TEXT,
    pcap_cnt  INTEGER,
    eve       TEXT NOT NULL
);
CREATE TABLE alerts (
    id        INTEGER PRIMARY KEY,
    ts_us     INTEGER NOT NULL,
    flow_id   INTEGER,
    src_ip    TEXT,
    src_port  INTEGER,
    dest_ip   TEXT,
    dest_port INTEGER,
    proto     TEXT,
    app_proto TEXT,
    pcap_cnt  INTEGER,
    gid       INTEGER,
    sid       INTEGER,
    rev       INTEGER,
    signature TEXT,
    category  TEXT,
    severity  INTEGER,
    status    TEXT NOT NULL DEFAULT 'new',
    eve       TEXT NOT NULL
);
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    started_us  INTEGER NOT NULL,
    finished_us INTEGER,
    command     TEXT,
    inputs      TEXT,
    packets     INTEGER,
    bytes       INTEGER,
    events      INTEGER,
    alerts      INTEGER
);
CREATE INDEX alerts_ts ON alerts(ts_us);
CREATE INDEX alerts_severity_ts ON alerts(severity, ts_us);
CREATE INDEX alerts_sid ON alerts(sid);
CREATE INDEX alerts_app_proto_ts ON alerts(app_proto, ts_us);
CREATE INDEX alerts_status_ts ON alerts(status, ts_us);
CREATE INDEX events_ts ON events(ts_us);
CREATE INDEX events_app_proto_ts ON events(app_proto, ts_us);
CREATE INDEX events_flow ON events(flow_id);
)sql",
    // v2 (issue 6): triage and aggregation columns on alerts, evidence pcaps, flow summaries,
    // assets, rule state, users and web sessions, triage history, comments, suppressions and the
    // audit log; indexes for the UI's filters. Existing alerts keep their rows: first/last seen
    // start at their timestamp, count at 1, and they have no aggregation key (new alerts of the
    // same storm start a row of their own).
    R"sql(
ALTER TABLE alerts ADD COLUMN assignee TEXT;
ALTER TABLE alerts ADD COLUMN updated_us INTEGER;
ALTER TABLE alerts ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE alerts ADD COLUMN first_seen_us INTEGER;
ALTER TABLE alerts ADD COLUMN last_seen_us INTEGER;
ALTER TABLE alerts ADD COLUMN agg_key TEXT;
UPDATE alerts SET first_seen_us = ts_us, last_seen_us = ts_us;
DROP INDEX alerts_sid;
-- count: "count by sid" over the whole store walks this index alone, already grouped.
CREATE INDEX alerts_sid_ts ON alerts(sid, ts_us, count);
CREATE INDEX alerts_src_ts ON alerts(src_ip, ts_us);
CREATE INDEX alerts_dest_ts ON alerts(dest_ip, ts_us);
CREATE INDEX alerts_severity_proto_ts ON alerts(severity, app_proto, ts_us);
-- Retention by age, --since, and the UI's facet counts: covering, so counting by severity,
-- status, protocol, sid or host over any time range never reads the (wide) table rows.
CREATE INDEX alerts_last_seen ON alerts(last_seen_us, severity, app_proto, status, sid, src_ip, dest_ip, count);
CREATE INDEX alerts_agg ON alerts(agg_key, last_seen_us) WHERE agg_key IS NOT NULL;
CREATE TABLE evidence (
    alert_id   INTEGER PRIMARY KEY REFERENCES alerts(id) ON DELETE CASCADE,
    pcap       BLOB NOT NULL,
    bytes      INTEGER NOT NULL,
    packets    INTEGER NOT NULL,
    truncated  INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE flows (
    id             INTEGER PRIMARY KEY,
    flow_id        INTEGER NOT NULL,
    src_ip         TEXT,
    src_port       INTEGER,
    dest_ip        TEXT,
    dest_port      INTEGER,
    proto          TEXT,
    app_proto      TEXT,
    first_ts_us    INTEGER NOT NULL,
    last_ts_us     INTEGER NOT NULL,
    pkts_toserver  INTEGER NOT NULL DEFAULT 0,
    pkts_toclient  INTEGER NOT NULL DEFAULT 0,
    bytes_toserver INTEGER NOT NULL DEFAULT 0,
    bytes_toclient INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX flows_flow ON flows(flow_id);
CREATE INDEX flows_last_ts ON flows(last_ts_us);
CREATE INDEX flows_app_proto_ts ON flows(app_proto, last_ts_us);
-- Schema only: the asset inventory fills it in a later issue.
CREATE TABLE assets (
    id            INTEGER PRIMARY KEY,
    ip            TEXT,
    mac           TEXT,
    name          TEXT,
    vendor        TEXT,
    model         TEXT,
    role          TEXT,
    protocols     TEXT,
    first_seen_us INTEGER NOT NULL,
    last_seen_us  INTEGER NOT NULL,
    UNIQUE (ip, mac)
);
CREATE TABLE rules_state (
    gid        INTEGER NOT NULL,
    sid        INTEGER NOT NULL,
    enabled    INTEGER NOT NULL,
    updated_by TEXT,
    updated_us INTEGER,
    PRIMARY KEY (gid, sid)
);
CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'viewer')),
    password_hash   TEXT NOT NULL,
    created_us      INTEGER NOT NULL,
    disabled        INTEGER NOT NULL DEFAULT 0,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until_us INTEGER NOT NULL DEFAULT 0
);
-- id and csrf_token are hashes of the secrets the browser holds, never the secrets.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_us   INTEGER NOT NULL,
    last_seen_us INTEGER NOT NULL,
    expires_us   INTEGER NOT NULL,
    csrf_token   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_us);
CREATE TABLE triage_history (
    id       INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    ts_us    INTEGER NOT NULL,
    actor    TEXT NOT NULL,
    field    TEXT NOT NULL,
    old      TEXT,
    new      TEXT
);
CREATE INDEX triage_history_alert ON triage_history(alert_id, ts_us);
CREATE TABLE comments (
    id       INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    ts_us    INTEGER NOT NULL,
    actor    TEXT NOT NULL,
    text     TEXT NOT NULL
);
CREATE INDEX comments_alert ON comments(alert_id, ts_us);
CREATE TABLE suppressions (
    id            INTEGER PRIMARY KEY,
    gid           INTEGER NOT NULL,
    sid           INTEGER NOT NULL,
    src_ip        TEXT,
    dest_ip       TEXT,
    created_by    TEXT NOT NULL,
    created_us    INTEGER NOT NULL,
    reason        TEXT,
    from_alert_id INTEGER REFERENCES alerts(id) ON DELETE SET NULL,
    hits          INTEGER NOT NULL DEFAULT 0,
    last_hit_us   INTEGER
);
CREATE INDEX suppressions_from_alert ON suppressions(from_alert_id);
CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    ts_us  INTEGER NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT,
    ok     INTEGER NOT NULL
);
CREATE INDEX audit_log_ts ON audit_log(ts_us);
)sql",
    // v3 (issue 7): the rule set an engine loaded, for the UI's rules page (the catalogue, and
    // when and from what it loaded); rule files uploaded in the UI, which the engine loads after
    // its own; the live capture's periodic statistics, for the UI's status page. rule_load has
    // one row (id 1); its ts_us is NULL until an engine has loaded rules into this store, and
    // changed_us moves with every change an admin makes to rule states or files.
    R"sql(
CREATE TABLE rule_catalog (
    id        INTEGER PRIMARY KEY,
    gid       INTEGER NOT NULL,
    sid       INTEGER,
    rev       INTEGER,
    action    TEXT,
    proto     TEXT,
    msg       TEXT,
    classtype TEXT,
    severity  INTEGER,
    source    TEXT NOT NULL,
    line      INTEGER NOT NULL,
    state     TEXT NOT NULL CHECK (state IN ('active', 'unavailable', 'disabled', 'rejected')),
    reason    TEXT,
    text      TEXT NOT NULL
);
CREATE INDEX rule_catalog_sid ON rule_catalog(sid, gid);
CREATE TABLE rule_load (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    ts_us      INTEGER,
    summary    TEXT,
    sources    TEXT,
    vars       TEXT,
    changed_us INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE rule_files (
    name        TEXT PRIMARY KEY,
    text        TEXT NOT NULL,
    rules       INTEGER NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_us INTEGER NOT NULL
);
CREATE TABLE capture_stats (
    ts_us INTEGER PRIMARY KEY,
    stats TEXT NOT NULL
);
)sql",
};

constexpr int busy_timeout_ms = 5000;
// A day of statistics at the default 60 s interval.
constexpr int capture_stats_kept = 1440;

constexpr const char* insert_event_sql =
    "INSERT INTO events (ts_us, flow_id, src_ip, src_port, dest_ip, dest_port, proto, app_proto,"
    " pcap_cnt, eve) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
constexpr const char* insert_alert_sql =
    "INSERT INTO alerts (ts_us, flow_id, src_ip, src_port, dest_ip, dest_port, proto, app_proto,"
    " pcap_cnt, eve, gid, sid, rev, signature, category, severity, first_seen_us, last_seen_us, agg_key)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?1, ?1, ?17)";
// Counts the alert into row ?1 if that row is still open: triage has not closed it and ?2 is
// within the window ?3 of its [first_seen, last_seen].
constexpr const char* aggregate_sql =
    "UPDATE alerts SET count = count + 1, last_seen_us = max(last_seen_us, ?2),"
    " first_seen_us = min(first_seen_us, ?2)"
    " WHERE id = ?1 AND status IN ('new', 'acknowledged') AND last_seen_us >= ?2 - ?3"
    " AND first_seen_us <= ?2 + ?3";
// The open row of a key when the in-memory cache does not know it (after a restart, an eviction).
constexpr const char* find_window_sql =
    "SELECT id, last_seen_us FROM alerts WHERE agg_key = ?1 AND last_seen_us >= ?2 - ?3"
    " AND first_seen_us <= ?2 + ?3 AND status IN ('new', 'acknowledged')"
    " ORDER BY last_seen_us DESC LIMIT 1";
constexpr const char* insert_evidence_sql =
    "INSERT INTO evidence (alert_id, pcap, bytes, packets, truncated) VALUES (?1, ?2, ?3, ?4, ?5)";

void bind_record(sqlite3_stmt* s, const Record& r)
{
    sqlite3_bind_int64(s, 1, r.ts_us);
    sqlite3_bind_int64(s, 2, as_i64(r.flow_id));
    bind_text(s, 3, r.src_ip);
    sqlite3_bind_int(s, 4, r.src_port);
    bind_text(s, 5, r.dest_ip);
    sqlite3_bind_int(s, 6, r.dest_port);
    bind_text(s, 7, r.proto);
    bind_text(s, 8, r.app_proto);
    sqlite3_bind_int64(s, 9, as_i64(r.pcap_cnt));
    // The EVE line is NOT NULL even when empty.
    bind_text_not_null(s, 10, r.eve_json);
    if (r.kind != RecordKind::Alert) return;
    sqlite3_bind_int64(s, 11, r.gid);
    sqlite3_bind_int64(s, 12, r.sid);
    sqlite3_bind_int64(s, 13, r.rev);
    bind_text(s, 14, r.signature);
    bind_text(s, 15, r.category);
    sqlite3_bind_int(s, 16, r.severity);
}

int user_version(sqlite3* db, const std::string& path)
{
    return static_cast<int>(query_int(db, path, "PRAGMA user_version"));
}

[[noreturn]] void newer_schema(const std::string& path, int found)
{
    throw StoreError(path + ": schema version " + std::to_string(found) + " is newer than this otsentry (" +
                     std::to_string(Store::latest_schema_version()) + ")");
}

void migrate(sqlite3* db, const std::string& path, bool read_only)
{
    const int latest = Store::latest_schema_version();
    int version = user_version(db, path);
    if (version > latest) newer_schema(path, version);
    if (version == latest) return;
    if (read_only)
        throw StoreError(path + ": schema version " + std::to_string(version) +
                         " is older than this otsentry (" + std::to_string(latest) +
                         "); open it read-write once to migrate it");
    while (version < latest) {
        exec(db, path, "BEGIN IMMEDIATE", "begin migration");
        try {
            // Another process may have migrated while we waited for the write lock.
            version = user_version(db, path);
            if (version > latest) newer_schema(path, version);
            if (version == latest) {
                exec(db, path, "COMMIT", "commit");
                break;
            }
            const std::string step = "migration to schema version " + std::to_string(version + 1);
            exec(db, path, schema_migrations[version], step);
            // PRAGMA takes no bound parameters; the value is our own integer, not input.
            exec(db, path, ("PRAGMA user_version = " + std::to_string(version + 1)).c_str(), step);
            exec(db, path, "COMMIT", step);
            ++version;
        } catch (...) {
            if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    }
}

void configure(sqlite3* db, const std::string& path, bool read_only)
{
    // Set first: switching to WAL needs a lock another process may briefly hold.
    if (sqlite3_busy_timeout(db, busy_timeout_ms) != SQLITE_OK) fail(db, path, "busy_timeout");
    if (!read_only) {
        // Incremental auto-vacuum lets retention give pages back to the file system a few at a
        // time (PRAGMA incremental_vacuum) instead of a full VACUUM. It can only be switched on
        // before the first table exists; an older database is switched by switch_auto_vacuum.
        if (query_int(db, path, "SELECT count(*) FROM sqlite_master") == 0)
            exec(db, path, "PRAGMA auto_vacuum=INCREMENTAL", "PRAGMA auto_vacuum=INCREMENTAL");
        // The PRAGMA answers with the mode now in force; anything but "wal" means it did not take
        // (e.g. a filesystem without shared memory), and readers would then block the writer.
        auto s = prepare(db, path, "PRAGMA journal_mode=WAL");
        if (sqlite3_step(s.get()) != SQLITE_ROW) fail(db, path, "PRAGMA journal_mode=WAL");
        const std::string mode = column_text(s.get(), 0);
        if (mode != "wal")
            throw StoreError(path + ": PRAGMA journal_mode=WAL: journal mode is '" + mode + "', not 'wal'");
        // In WAL mode NORMAL loses at most the last transactions on power loss, never integrity.
        exec(db, path, "PRAGMA synchronous=NORMAL", "PRAGMA synchronous=NORMAL");
        // Checkpoint every ~40 MB of WAL rather than every 4 MB: each checkpoint syncs the
        // database file, and at tens of thousands of rows per second the default checkpoints
        // several times a second (measured: 57k -> 85k rows/s with the cache below).
        exec(db, path, "PRAGMA wal_autocheckpoint=10000", "PRAGMA wal_autocheckpoint");
    }
    // 64 MiB of page cache (default 2 MiB): the flow_id and time indexes stay in memory
    // instead of being re-read on every batch.
    exec(db, path, "PRAGMA cache_size=-65536", "PRAGMA cache_size");
    exec(db, path, "PRAGMA foreign_keys=ON", "PRAGMA foreign_keys=ON");
}

// A database created before schema v2 has auto_vacuum NONE, which only a full VACUUM changes.
// Small ones are switched when opened; for a large one that would stall the sensor's start, so
// it is left to `otsentry alerts vacuum` (Store::vacuum). Best effort: a busy database is
// switched at a later start.
void switch_auto_vacuum(sqlite3* db, const std::string& path, int64_t max_bytes)
{
    if (query_int(db, path, "PRAGMA auto_vacuum") == 2) return;  // 2: INCREMENTAL
    const int64_t bytes = query_int(db, path, "PRAGMA page_count") * query_int(db, path, "PRAGMA page_size");
    if (bytes > max_bytes) return;
    if (sqlite3_exec(db, "PRAGMA auto_vacuum=INCREMENTAL", nullptr, nullptr, nullptr) != SQLITE_OK) return;
    sqlite3_exec(db, "VACUUM", nullptr, nullptr, nullptr);
}

// Cuts a pcap (global header + records) to at most `max` bytes, keeping the global header and
// the newest records; if even the newest does not fit, it is cut like a short snaplen would
// (incl_len < orig_len). Returns the record count, or -1 if `pcap` is not a classic pcap file.
int64_t fit_pcap(std::string_view pcap, size_t max, std::string& out, bool& truncated)
{
    constexpr size_t global_len = 24, record_len = 16;
    truncated = false;
    if (pcap.size() < global_len) return -1;
    uint32_t magic = 0;
    std::memcpy(&magic, pcap.data(), 4);
    bool swapped = false;
    if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
        swapped = false;
    else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
        swapped = true;
    else
        return -1;
    const auto read_u32 = [&](size_t off) {
        uint32_t v = 0;
        std::memcpy(&v, pcap.data() + off, 4);
        return swapped ? __builtin_bswap32(v) : v;
    };
    std::vector<size_t> starts;
    size_t off = global_len;
    while (off < pcap.size()) {
        if (pcap.size() - off < record_len) return -1;
        const size_t incl = read_u32(off + 8);
        if (pcap.size() - off - record_len < incl) return -1;
        starts.push_back(off);
        off += record_len + incl;
    }
    if (pcap.size() <= max) {
        out.assign(pcap);
        return static_cast<int64_t>(starts.size());
    }
    truncated = true;
    out.assign(pcap.substr(0, global_len));
    if (starts.empty() || max < global_len + record_len) return 0;
    // The first record whose suffix fits.
    size_t first = starts.size();
    for (size_t i = starts.size(); i-- > 0;) {
        if (global_len + (pcap.size() - starts[i]) > max) break;
        first = i;
    }
    if (first < starts.size()) {
        out.append(pcap.substr(starts[first]));
        return static_cast<int64_t>(starts.size() - first);
    }
    // Only part of the last packet fits.
    const size_t last = starts.back();
    const uint32_t keep = static_cast<uint32_t>(max - global_len - record_len);
    std::string header(pcap.substr(last, record_len));
    const uint32_t incl = swapped ? __builtin_bswap32(keep) : keep;
    std::memcpy(header.data() + 8, &incl, 4);
    out.append(header);
    out.append(pcap.substr(last + record_len, keep));
    return 1;
}

struct OpenWindow {
    int64_t id = 0;
    int64_t last_seen_us = 0;
};

// The aggregation key of an alert: stored in alerts.agg_key, and the key of the in-memory map.
void make_agg_key(AggregationKey key, const Record& r, std::string& out)
{
    out.clear();
    if (key == AggregationKey::Flow) {
        out += "f:";
        out += std::to_string(r.gid);
        out += ':';
        out += std::to_string(r.sid);
        out += ':';
        out += std::to_string(r.flow_id);
    } else if (key == AggregationKey::Hosts) {
        out += "h:";
        out += std::to_string(r.gid);
        out += ':';
        out += std::to_string(r.sid);
        out += ':';
        out += r.src_ip;
        out += '|';
        out += r.dest_ip;
    }
}

std::string suppression_key(uint32_t gid, uint32_t sid, std::string_view src, std::string_view dst)
{
    std::string k = std::to_string(gid) + ':' + std::to_string(sid) + ':';
    k += src.empty() ? std::string_view("*") : src;
    k += '|';
    k += dst.empty() ? std::string_view("*") : dst;
    return k;
}

uint64_t gid_sid(uint32_t gid, uint32_t sid)
{
    return (static_cast<uint64_t>(gid) << 32) | sid;
}

}  // namespace

// Everything a Store keeps besides the connection: cached statements (prepared on first use),
// the aggregation cache and the suppression set.
struct StoreState {
    StoreOptions options;
    StmtPtr insert_event, insert_alert, aggregate, find_window, insert_evidence;
    std::unordered_map<std::string, OpenWindow> windows;
    int64_t newest_ts_us = 0;
    // No open window that is missing from `windows` has a last_seen_us above this: the newest
    // alert in the table when the Store started aggregating, raised by every window dropped
    // from memory since. An alert more than a window after it whose key is not in memory cannot
    // join any row, so the SQL lookup is skipped (it halves the insert rate of a diverse stream).
    std::optional<int64_t> sql_horizon_us;
    // Suppressions: (gid, sid) for a quick miss, then the four keys with wildcards; id -> key.
    std::unordered_set<uint64_t> suppressed_sids;
    std::unordered_map<std::string, int64_t> suppressed;
    int64_t suppression_rows = -1, suppression_max_id = -1;
    StoreStats stats;
    std::string key_buf;

    sqlite3_stmt* stmt(StmtPtr& s, sqlite3* db, const std::string& path, const char* sql)
    {
        if (!s) s = prepare(db, path, sql);
        return s.get();
    }

    // Keeps the map under max_open: first drop windows that have closed (packet time), then,
    // if that was not enough, everything (lookups fall back to SQL).
    void make_room()
    {
        const auto& cfg = options.aggregation;
        if (windows.size() < cfg.max_open) return;
        const size_t before = windows.size();
        std::erase_if(windows, [&](const auto& kv) {
            if (newest_ts_us - kv.second.last_seen_us <= cfg.window_us) return false;
            forget(kv.second);
            return true;
        });
        if (windows.size() >= cfg.max_open * 9 / 10) forget_all();
        stats.window_evictions += before - windows.size();
    }

    void forget(const OpenWindow& w)
    {
        if (sql_horizon_us) sql_horizon_us = std::max(*sql_horizon_us, w.last_seen_us);
    }

    void forget_all()
    {
        for (const auto& kv : windows)
            forget(kv.second);
        windows.clear();
    }
};

namespace {

// Resets a statement and drops its SQLITE_STATIC bindings, which point into caller data.
struct StmtReset {
    sqlite3_stmt* s;
    ~StmtReset()
    {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
};

}  // namespace

std::string_view to_string(AlertStatus s)
{
    switch (s) {
        case AlertStatus::New:
            return "new";
        case AlertStatus::Acknowledged:
            return "acknowledged";
        case AlertStatus::Resolved:
            return "resolved";
        case AlertStatus::FalsePositive:
            return "false_positive";
    }
    return "new";
}

std::optional<AlertStatus> parse_status(std::string_view name)
{
    for (auto s :
         {AlertStatus::New, AlertStatus::Acknowledged, AlertStatus::Resolved, AlertStatus::FalsePositive})
        if (to_string(s) == name) return s;
    return std::nullopt;
}

std::string_view to_string(AggregationKey k)
{
    switch (k) {
        case AggregationKey::None:
            return "none";
        case AggregationKey::Flow:
            return "flow";
        case AggregationKey::Hosts:
            return "hosts";
    }
    return "none";
}

std::optional<AggregationKey> parse_aggregation_key(std::string_view name)
{
    for (auto k : {AggregationKey::None, AggregationKey::Flow, AggregationKey::Hosts})
        if (to_string(k) == name) return k;
    return std::nullopt;
}

Store Store::open(const std::string& path, bool read_only)
{
    StoreOptions options;
    options.read_only = read_only;
    return open(path, options);
}

Store Store::open(const std::string& path, const StoreOptions& options)
{
    const bool read_only = options.read_only;
    // NOMUTEX: a Store is used by one thread at a time, so SQLite's per-connection mutex is waste.
    const int flags =
        (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
        const std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw StoreError(path + ": open: " + msg);
    }
    Store store(db, path, options);  // closes the connection if configuring or migrating throws
    configure(db, path, read_only);
    migrate(db, path, read_only);
    if (!read_only) switch_auto_vacuum(db, path, options.vacuum_on_open_max_bytes);
    return store;
}

Store::Store(sqlite3* db, std::string path, const StoreOptions& options)
    : db_(db), path_(std::move(path)), state_(std::make_unique<StoreState>())
{
    state_->options = options;
}

Store::~Store()
{
    close();
}

Store::Store(Store&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)), state_(std::move(other.state_))
{
}

Store& Store::operator=(Store&& other) noexcept
{
    if (this != &other) {
        close();
        db_ = std::exchange(other.db_, nullptr);
        path_ = std::move(other.path_);
        state_ = std::move(other.state_);
    }
    return *this;
}

void Store::close() noexcept
{
    // A connection with unfinalized statements would stay open.
    state_.reset();
    sqlite3_close_v2(db_);
    db_ = nullptr;
}

std::span<const char* const> Store::migrations()
{
    return schema_migrations;
}

int Store::latest_schema_version()
{
    return static_cast<int>(std::size(schema_migrations));
}

int Store::schema_version() const
{
    return user_version(require(db_, path_), path_);
}

sqlite3* Store::handle() const noexcept
{
    return db_;
}

void Store::set_aggregation(const AggregationConfig& config)
{
    if (config.window_us < 0) throw InvalidRequest("aggregation window must not be negative");
    require(db_, path_);
    state_->options.aggregation = config;
    state_->forget_all();  // keys of another kind, or windows the new length would close
}

const AggregationConfig& Store::aggregation() const
{
    require(db_, path_);
    return state_->options.aggregation;
}

StoreStats Store::stats() const
{
    require(db_, path_);
    StoreStats s = state_->stats;
    s.open_windows = state_->windows.size();
    return s;
}

void Store::reload_suppressions_if_changed()
{
    StoreState& st = *state_;
    // Another connection (the CLI, the web UI) may have added or removed one since the last batch.
    auto probe = prepare(db_, path_, "SELECT count(*), coalesce(max(id), 0) FROM suppressions");
    if (sqlite3_step(probe.get()) != SQLITE_ROW) fail(db_, path_, "read suppressions");
    const int64_t rows = sqlite3_column_int64(probe.get(), 0), max_id = sqlite3_column_int64(probe.get(), 1);
    if (rows == st.suppression_rows && max_id == st.suppression_max_id) return;
    st.suppressed_sids.clear();
    st.suppressed.clear();
    auto s = prepare(db_, path_, "SELECT id, gid, sid, src_ip, dest_ip FROM suppressions");
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
        const auto gid = static_cast<uint32_t>(sqlite3_column_int64(s.get(), 1));
        const auto sid = static_cast<uint32_t>(sqlite3_column_int64(s.get(), 2));
        st.suppressed_sids.insert(gid_sid(gid, sid));
        st.suppressed.emplace(suppression_key(gid, sid, column_text(s.get(), 3), column_text(s.get(), 4)),
                              sqlite3_column_int64(s.get(), 0));
    }
    if (rc != SQLITE_DONE) fail(db_, path_, "read suppressions");
    st.suppression_rows = rows;
    st.suppression_max_id = max_id;
}

InsertResult Store::insert_batch(std::span<const Record> records)
{
    InsertResult result;
    if (records.empty()) return result;
    require(db_, path_);
    StoreState& st = *state_;
    const AggregationConfig& agg = st.options.aggregation;

    detail::WriteTransaction tx(db_, path_, "insert batch");
    // What this batch teaches the aggregation cache, applied only once it is committed.
    std::unordered_map<std::string, OpenWindow> learned;
    const auto learn = [&learned](const std::string& key, int64_t row, int64_t ts_us) {
        auto [it, fresh] = learned.try_emplace(key, OpenWindow{row, ts_us});
        if (fresh) return;
        if (it->second.id == row)
            it->second.last_seen_us = std::max(it->second.last_seen_us, ts_us);
        else
            it->second = OpenWindow{row, ts_us};
    };
    // Suppression id -> (alerts, newest alert time) of this batch.
    std::unordered_map<int64_t, std::pair<int64_t, int64_t>> suppression_hits;
    int64_t newest = st.newest_ts_us;
    try {
        reload_suppressions_if_changed();
        const auto step = [&](sqlite3_stmt* s) {
            const int rc = sqlite3_step(s);
            if (rc != SQLITE_DONE && rc != SQLITE_ROW)
                throw StoreError(path_ + ": insert batch: " + sqlite3_errstr(rc) + ": " +
                                 sqlite3_errmsg(db_));
            return rc;
        };
        for (const Record& r : records) {
            if (r.kind == RecordKind::Stats) {
                // A live capture's statistics (one per interval): kept for the status page, the
                // newest capture_stats_kept points only.
                auto ins = prepare(db_, path_,
                                   "INSERT OR REPLACE INTO capture_stats (ts_us, stats) VALUES (?1, ?2)");
                sqlite3_bind_int64(ins.get(), 1, r.ts_us);
                bind_text_not_null(ins.get(), 2, r.eve_json);
                step(ins.get());
                auto prune =
                    prepare(db_, path_,
                            "DELETE FROM capture_stats WHERE ts_us <= (SELECT ts_us FROM capture_stats"
                            " ORDER BY ts_us DESC LIMIT 1 OFFSET ?1)");
                sqlite3_bind_int(prune.get(), 1, capture_stats_kept);
                step(prune.get());
                continue;
            }
            if (r.kind == RecordKind::Event) {
                sqlite3_stmt* s = st.stmt(st.insert_event, db_, path_, insert_event_sql);
                StmtReset reset{s};
                bind_record(s, r);
                step(s);
                ++result.events;
                continue;
            }
            newest = std::max(newest, r.ts_us);
            if (!st.suppressed_sids.empty() && st.suppressed_sids.contains(gid_sid(r.gid, r.sid))) {
                const std::string_view src = r.src_ip, dst = r.dest_ip;
                int64_t hit = 0;
                for (const auto& [a, b] : {std::pair{src, dst}, std::pair{src, std::string_view{}},
                                           std::pair{std::string_view{}, dst},
                                           std::pair{std::string_view{}, std::string_view{}}}) {
                    auto it = st.suppressed.find(suppression_key(r.gid, r.sid, a, b));
                    if (it != st.suppressed.end()) {
                        hit = it->second;
                        break;
                    }
                }
                if (hit != 0) {
                    auto& [n, last] = suppression_hits[hit];
                    ++n;
                    last = n == 1 ? r.ts_us : std::max(last, r.ts_us);
                    ++result.suppressed;
                    continue;
                }
            }
            const bool aggregating = agg.key != AggregationKey::None;
            if (aggregating) {
                make_agg_key(agg.key, r, st.key_buf);
                int64_t row = 0;
                // The row the cache (or an earlier alert of this batch) names, if still open.
                if (auto lit = learned.find(st.key_buf); lit != learned.end())
                    row = lit->second.id;
                else if (auto it = st.windows.find(st.key_buf); it != st.windows.end())
                    row = it->second.id;
                bool counted = false;
                sqlite3_stmt* up = st.stmt(st.aggregate, db_, path_, aggregate_sql);
                const auto try_row = [&](int64_t id) {
                    StmtReset reset{up};
                    sqlite3_bind_int64(up, 1, id);
                    sqlite3_bind_int64(up, 2, r.ts_us);
                    sqlite3_bind_int64(up, 3, agg.window_us);
                    step(up);
                    return sqlite3_changes(db_) == 1;
                };
                if (row != 0) counted = try_row(row);
                if (!st.sql_horizon_us)
                    st.sql_horizon_us = query_int(
                        db_, path_, "SELECT coalesce(max(last_seen_us), -9223372036854775807) FROM alerts");
                // A key the cache knows (its row just closed) may still have an older open row.
                const bool may_be_in_sql = row != 0 || r.ts_us - agg.window_us <= *st.sql_horizon_us;
                if (!counted && may_be_in_sql) {
                    sqlite3_stmt* find = st.stmt(st.find_window, db_, path_, find_window_sql);
                    StmtReset reset{find};
                    bind_text(find, 1, st.key_buf);
                    sqlite3_bind_int64(find, 2, r.ts_us);
                    sqlite3_bind_int64(find, 3, agg.window_us);
                    if (step(find) == SQLITE_ROW) {
                        row = sqlite3_column_int64(find, 0);
                        counted = try_row(row);
                    }
                }
                if (counted) {
                    ++result.aggregated;
                    learn(st.key_buf, row, r.ts_us);
                    continue;
                }
            }
            sqlite3_stmt* ins = st.stmt(st.insert_alert, db_, path_, insert_alert_sql);
            {
                StmtReset reset{ins};
                bind_record(ins, r);
                if (aggregating) bind_text(ins, 17, st.key_buf);
                step(ins);
            }
            const int64_t id = sqlite3_last_insert_rowid(db_);
            ++result.alerts;
            if (aggregating) learn(st.key_buf, id, r.ts_us);
            if (!r.evidence_pcap.empty()) {
                std::string pcap;
                bool truncated = false;
                const int64_t packets =
                    fit_pcap(r.evidence_pcap, st.options.evidence_max_bytes, pcap, truncated);
                if (truncated) ++result.evidence_truncated;
                // Not a pcap we can cut: kept only if it fits as is.
                if (packets < 0 && r.evidence_pcap.size() > st.options.evidence_max_bytes) {
                    ++result.evidence_truncated;
                    continue;
                }
                const std::string& blob = packets < 0 ? r.evidence_pcap : pcap;
                sqlite3_stmt* ev = st.stmt(st.insert_evidence, db_, path_, insert_evidence_sql);
                StmtReset reset{ev};
                sqlite3_bind_int64(ev, 1, id);
                sqlite3_bind_blob64(ev, 2, blob.data(), blob.size(), SQLITE_STATIC);
                sqlite3_bind_int64(ev, 3, static_cast<int64_t>(blob.size()));
                sqlite3_bind_int64(ev, 4, std::max<int64_t>(packets, 0));
                sqlite3_bind_int(ev, 5, truncated ? 1 : 0);
                step(ev);
                ++result.evidence;
            }
        }
        if (!suppression_hits.empty()) {
            auto s = prepare(
                db_, path_,
                "UPDATE suppressions SET hits = hits + ?2, last_hit_us = max(coalesce(last_hit_us, 0), ?3)"
                " WHERE id = ?1");
            for (const auto& [id, hits] : suppression_hits) {
                sqlite3_bind_int64(s.get(), 1, id);
                sqlite3_bind_int64(s.get(), 2, hits.first);
                sqlite3_bind_int64(s.get(), 3, hits.second);
                step(s.get());
                sqlite3_reset(s.get());
            }
        }
        tx.commit();
    } catch (...) {
        // A statement left mid-step would keep the transaction's locks.
        for (auto* s : {st.insert_event.get(), st.insert_alert.get(), st.aggregate.get(),
                        st.find_window.get(), st.insert_evidence.get()})
            if (s) sqlite3_reset(s);
        throw;
    }
    st.newest_ts_us = newest;
    for (auto& [key, w] : learned) {
        st.make_room();
        auto [it, inserted] = st.windows.try_emplace(key, w);
        if (!inserted) {
            if (it->second.id == w.id)
                it->second.last_seen_us = std::max(it->second.last_seen_us, w.last_seen_us);
            else
                it->second = w;
        }
    }
    auto& t = st.stats.inserted;
    t.events += result.events;
    t.alerts += result.alerts;
    t.aggregated += result.aggregated;
    t.suppressed += result.suppressed;
    t.evidence += result.evidence;
    t.evidence_truncated += result.evidence_truncated;
    return result;
}

int64_t Store::record_run(const RunRecord& run)
{
    auto s = prepare(require(db_, path_), path_,
                     "INSERT INTO runs (started_us, finished_us, command, inputs, packets, bytes,"
                     " events, alerts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    const std::string inputs = nlohmann::json(run.inputs).dump();
    sqlite3_bind_int64(s.get(), 1, run.started_us);
    if (run.finished_us == 0)
        sqlite3_bind_null(s.get(), 2);  // still running
    else
        sqlite3_bind_int64(s.get(), 2, run.finished_us);
    bind_text(s.get(), 3, run.command);
    bind_text_not_null(s.get(), 4, inputs);
    sqlite3_bind_int64(s.get(), 5, as_i64(run.packets));
    sqlite3_bind_int64(s.get(), 6, as_i64(run.bytes));
    sqlite3_bind_int64(s.get(), 7, as_i64(run.events));
    sqlite3_bind_int64(s.get(), 8, as_i64(run.alerts));
    if (sqlite3_step(s.get()) != SQLITE_DONE) fail(db_, path_, "record run");
    return sqlite3_last_insert_rowid(db_);
}

void Store::finish_run(int64_t id, const RunRecord& run)
{
    auto s = prepare(require(db_, path_), path_,
                     "UPDATE runs SET finished_us = ?2, packets = ?3, bytes = ?4, events = ?5, alerts = ?6"
                     " WHERE id = ?1");
    sqlite3_bind_int64(s.get(), 1, id);
    sqlite3_bind_int64(s.get(), 2, run.finished_us);
    sqlite3_bind_int64(s.get(), 3, as_i64(run.packets));
    sqlite3_bind_int64(s.get(), 4, as_i64(run.bytes));
    sqlite3_bind_int64(s.get(), 5, as_i64(run.events));
    sqlite3_bind_int64(s.get(), 6, as_i64(run.alerts));
    if (sqlite3_step(s.get()) != SQLITE_DONE) fail(db_, path_, "finish run");
}

void Store::insert_flows(std::span<const FlowSummary> flows)
{
    if (flows.empty()) return;
    detail::WriteTransaction tx(require(db_, path_), path_, "insert flows");
    auto s = prepare(db_, path_,
                     "INSERT INTO flows (flow_id, src_ip, src_port, dest_ip, dest_port, proto, app_proto,"
                     " first_ts_us, last_ts_us, pkts_toserver, pkts_toclient, bytes_toserver, bytes_toclient)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
    for (const FlowSummary& f : flows) {
        StmtReset reset{s.get()};
        sqlite3_bind_int64(s.get(), 1, as_i64(f.flow_id));
        bind_text(s.get(), 2, f.src_ip);
        sqlite3_bind_int(s.get(), 3, f.src_port);
        bind_text(s.get(), 4, f.dest_ip);
        sqlite3_bind_int(s.get(), 5, f.dest_port);
        bind_text(s.get(), 6, f.proto);
        bind_text(s.get(), 7, f.app_proto);
        sqlite3_bind_int64(s.get(), 8, f.first_ts_us);
        sqlite3_bind_int64(s.get(), 9, f.last_ts_us);
        sqlite3_bind_int64(s.get(), 10, as_i64(f.pkts_toserver));
        sqlite3_bind_int64(s.get(), 11, as_i64(f.pkts_toclient));
        sqlite3_bind_int64(s.get(), 12, as_i64(f.bytes_toserver));
        sqlite3_bind_int64(s.get(), 13, as_i64(f.bytes_toclient));
        detail::step_done(db_, path_, s.get(), "insert flows");
    }
    tx.commit();
}

int64_t Store::count_events() const
{
    return query_int(require(db_, path_), path_, "SELECT count(*) FROM events");
}

int64_t Store::count_alerts() const
{
    return query_int(require(db_, path_), path_, "SELECT coalesce(sum(count), 0) FROM alerts");
}

int64_t Store::count_alert_rows() const
{
    return query_int(require(db_, path_), path_, "SELECT count(*) FROM alerts");
}

int64_t Store::count_events(const std::string& app_proto) const
{
    auto s = prepare(require(db_, path_), path_, "SELECT count(*) FROM events WHERE app_proto = ?1");
    bind_text(s.get(), 1, app_proto);
    if (sqlite3_step(s.get()) != SQLITE_ROW) fail(db_, path_, "count events");
    return sqlite3_column_int64(s.get(), 0);
}

std::vector<StoredAlert> Store::latest_alerts(int limit) const
{
    std::vector<StoredAlert> out;
    if (limit <= 0) return out;
    // id breaks ties between alerts of the same microsecond: the later insert is newer.
    auto s = prepare(require(db_, path_), path_,
                     std::string("SELECT ") + detail::alert_columns +
                         " FROM alerts a LEFT JOIN evidence e ON e.alert_id = a.id"
                         " ORDER BY a.ts_us DESC, a.id DESC LIMIT ?1");
    sqlite3_bind_int(s.get(), 1, limit);
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW)
        out.push_back(detail::read_alert(s.get()));
    if (rc != SQLITE_DONE) fail(db_, path_, "latest alerts");
    return out;
}

}  // namespace otsentry::alerts
