#include "alerts/store.h"

#include <sqlite3.h>

#include <iterator>
#include <memory>
#include <utility>

#include <nlohmann/json.hpp>

namespace otsentry::alerts {

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
};

constexpr int busy_timeout_ms = 5000;

constexpr const char* insert_event_sql =
    "INSERT INTO events (ts_us, flow_id, src_ip, src_port, dest_ip, dest_port, proto, app_proto,"
    " pcap_cnt, eve) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
constexpr const char* insert_alert_sql =
    "INSERT INTO alerts (ts_us, flow_id, src_ip, src_port, dest_ip, dest_port, proto, app_proto,"
    " pcap_cnt, eve, gid, sid, rev, signature, category, severity)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";

struct StmtDeleter {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

// A moved-from Store has no connection; SQLite would answer SQLITE_MISUSE or worse.
sqlite3* require(sqlite3* db, const std::string& path)
{
    if (!db) throw StoreError(path + ": store is closed (moved from)");
    return db;
}

[[noreturn]] void fail(sqlite3* db, const std::string& path, const std::string& what)
{
    throw StoreError(path + ": " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

StmtPtr prepare(sqlite3* db, const std::string& path, const char* sql)
{
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) {
        sqlite3_finalize(s);
        fail(db, path, std::string("prepare \"") + sql + "\"");
    }
    return StmtPtr{s};
}

void exec(sqlite3* db, const std::string& path, const char* sql, const std::string& what)
{
    char* msg = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
        std::string text = msg ? msg : sqlite3_errmsg(db);
        sqlite3_free(msg);
        throw StoreError(path + ": " + what + ": " + text);
    }
}

// Runs a statement that returns one integer (count(*), a PRAGMA).
int64_t query_int(sqlite3* db, const std::string& path, const char* sql)
{
    auto s = prepare(db, path, sql);
    if (sqlite3_step(s.get()) != SQLITE_ROW) fail(db, path, sql);
    return sqlite3_column_int64(s.get(), 0);
}

void bind_text(sqlite3_stmt* s, int i, const std::string& v)
{
    // Empty means "not present" (an L2 protocol has no IP): NULL says so in SQL.
    if (v.empty())
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_text64(s, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
}

std::string column_text(sqlite3_stmt* s, int i)
{
    const auto* p = sqlite3_column_text(s, i);
    if (!p) return {};
    return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(s, i)));
}

// SQLite integers are signed 64-bit; flow ids and counters are stored bit for bit.
int64_t as_i64(uint64_t v)
{
    return static_cast<int64_t>(v);
}

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
    sqlite3_bind_text64(s, 10, r.eve_json.data(), r.eve_json.size(), SQLITE_STATIC, SQLITE_UTF8);
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

}  // namespace

Store Store::open(const std::string& path, bool read_only)
{
    // NOMUTEX: a Store is used by one thread at a time, so SQLite's per-connection mutex is waste.
    const int flags =
        (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
        const std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw StoreError(path + ": open: " + msg);
    }
    Store store(db, path);  // closes the connection if configuring or migrating throws
    configure(db, path, read_only);
    migrate(db, path, read_only);
    return store;
}

Store::Store(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

Store::~Store()
{
    close();
}

Store::Store(Store&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      insert_event_(std::exchange(other.insert_event_, nullptr)),
      insert_alert_(std::exchange(other.insert_alert_, nullptr))
{
}

Store& Store::operator=(Store&& other) noexcept
{
    if (this != &other) {
        close();
        db_ = std::exchange(other.db_, nullptr);
        path_ = std::move(other.path_);
        insert_event_ = std::exchange(other.insert_event_, nullptr);
        insert_alert_ = std::exchange(other.insert_alert_, nullptr);
    }
    return *this;
}

void Store::close() noexcept
{
    // A connection with unfinalized statements would stay open.
    sqlite3_finalize(insert_event_);
    sqlite3_finalize(insert_alert_);
    insert_event_ = insert_alert_ = nullptr;
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

void Store::insert_batch(std::span<const Record> records)
{
    if (records.empty()) return;
    require(db_, path_);

    // IMMEDIATE takes the write lock now, so a busy database fails here (after busy_timeout)
    // rather than halfway through the batch.
    exec(db_, path_, "BEGIN IMMEDIATE", "insert batch: begin");
    try {
        for (const Record& r : records) {
            const bool alert = r.kind == RecordKind::Alert;
            sqlite3_stmt*& s = alert ? insert_alert_ : insert_event_;
            // Prepared when first needed, so that a problem with one table does not stop the other.
            if (!s) s = prepare(db_, path_, alert ? insert_alert_sql : insert_event_sql).release();
            bind_record(s, r);
            const int rc = sqlite3_step(s);
            sqlite3_reset(s);
            // SQLITE_STATIC bindings point into the records: do not keep them past this call.
            sqlite3_clear_bindings(s);
            if (rc != SQLITE_DONE)
                throw StoreError(path_ + ": insert batch: " + sqlite3_errstr(rc) + ": " +
                                 sqlite3_errmsg(db_));
        }
        exec(db_, path_, "COMMIT", "insert batch: commit");
    } catch (...) {
        if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

int64_t Store::record_run(const RunRecord& run)
{
    auto s = prepare(require(db_, path_), path_,
                     "INSERT INTO runs (started_us, finished_us, command, inputs, packets, bytes,"
                     " events, alerts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    const std::string inputs = nlohmann::json(run.inputs).dump();
    sqlite3_bind_int64(s.get(), 1, run.started_us);
    sqlite3_bind_int64(s.get(), 2, run.finished_us);
    bind_text(s.get(), 3, run.command);
    sqlite3_bind_text64(s.get(), 4, inputs.data(), inputs.size(), SQLITE_STATIC, SQLITE_UTF8);
    sqlite3_bind_int64(s.get(), 5, as_i64(run.packets));
    sqlite3_bind_int64(s.get(), 6, as_i64(run.bytes));
    sqlite3_bind_int64(s.get(), 7, as_i64(run.events));
    sqlite3_bind_int64(s.get(), 8, as_i64(run.alerts));
    if (sqlite3_step(s.get()) != SQLITE_DONE) fail(db_, path_, "record run");
    return sqlite3_last_insert_rowid(db_);
}

int64_t Store::count_events() const
{
    return query_int(require(db_, path_), path_, "SELECT count(*) FROM events");
}

int64_t Store::count_alerts() const
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
                     "SELECT id, ts_us, flow_id, gid, sid, rev, signature, category, app_proto,"
                     " src_ip, dest_ip, src_port, dest_port, severity, eve FROM alerts"
                     " ORDER BY ts_us DESC, id DESC LIMIT ?1");
    sqlite3_bind_int(s.get(), 1, limit);
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
        StoredAlert a;
        sqlite3_stmt* r = s.get();
        a.id = sqlite3_column_int64(r, 0);
        a.ts_us = sqlite3_column_int64(r, 1);
        a.flow_id = static_cast<uint64_t>(sqlite3_column_int64(r, 2));
        a.gid = static_cast<uint32_t>(sqlite3_column_int64(r, 3));
        a.sid = static_cast<uint32_t>(sqlite3_column_int64(r, 4));
        a.rev = static_cast<uint32_t>(sqlite3_column_int64(r, 5));
        a.signature = column_text(r, 6);
        a.category = column_text(r, 7);
        a.app_proto = column_text(r, 8);
        a.src_ip = column_text(r, 9);
        a.dest_ip = column_text(r, 10);
        a.src_port = static_cast<uint16_t>(sqlite3_column_int(r, 11));
        a.dest_port = static_cast<uint16_t>(sqlite3_column_int(r, 12));
        a.severity = static_cast<uint8_t>(sqlite3_column_int(r, 13));
        a.eve_json = column_text(r, 14);
        out.push_back(std::move(a));
    }
    if (rc != SQLITE_DONE) fail(db_, path_, "latest alerts");
    return out;
}

}  // namespace otsentry::alerts
