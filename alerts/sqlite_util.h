// Small helpers around SQLite's C API shared by the store's source files (store.cc, triage.cc,
// retention.cc). Private to alerts/: the only header besides the .cc files that includes sqlite3.h.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "alerts/store.h"

namespace otsentry::alerts::detail {

struct StmtDeleter {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

// A moved-from Store has no connection; SQLite would answer SQLITE_MISUSE or worse.
inline sqlite3* require(sqlite3* db, const std::string& path)
{
    if (!db) throw StoreError(path + ": store is closed (moved from)");
    return db;
}

[[noreturn]] inline void fail(sqlite3* db, const std::string& path, const std::string& what)
{
    throw StoreError(path + ": " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

inline StmtPtr prepare(sqlite3* db, const std::string& path, const std::string& sql)
{
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &s, nullptr) != SQLITE_OK) {
        sqlite3_finalize(s);
        fail(db, path, "prepare \"" + sql + "\"");
    }
    return StmtPtr{s};
}

inline void exec(sqlite3* db, const std::string& path, const char* sql, const std::string& what)
{
    char* msg = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
        std::string text = msg ? msg : sqlite3_errmsg(db);
        sqlite3_free(msg);
        throw StoreError(path + ": " + what + ": " + text);
    }
}

// Runs a statement that returns one integer (count(*), a PRAGMA).
inline int64_t query_int(sqlite3* db, const std::string& path, const char* sql)
{
    auto s = prepare(db, path, sql);
    if (sqlite3_step(s.get()) != SQLITE_ROW) fail(db, path, sql);
    return sqlite3_column_int64(s.get(), 0);
}

// Steps a statement that returns no row; throws with `what` on anything but SQLITE_DONE.
inline void step_done(sqlite3* db, const std::string& path, sqlite3_stmt* s, const std::string& what)
{
    const int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        throw StoreError(path + ": " + what + ": " + sqlite3_errstr(rc) + ": " + sqlite3_errmsg(db));
}

// Empty means "not present" (an L2 protocol has no IP): NULL says so in SQL. The text must
// outlive the statement's next step (SQLITE_STATIC).
inline void bind_text(sqlite3_stmt* s, int i, std::string_view v)
{
    if (v.empty())
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_text64(s, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
}

// Like bind_text, but an empty string is stored as '' (NOT NULL text columns).
inline void bind_text_not_null(sqlite3_stmt* s, int i, std::string_view v)
{
    sqlite3_bind_text64(s, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
}

inline std::string column_text(sqlite3_stmt* s, int i)
{
    const auto* p = sqlite3_column_text(s, i);
    if (!p) return {};
    return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(s, i)));
}

// SQLite integers are signed 64-bit; flow ids and counters are stored bit for bit.
inline int64_t as_i64(uint64_t v)
{
    return static_cast<int64_t>(v);
}

// BEGIN IMMEDIATE ... COMMIT, rolled back when the scope is left by an exception. IMMEDIATE takes
// the write lock at once, so a busy database fails at the start (after busy_timeout), not halfway.
class WriteTransaction {
public:
    WriteTransaction(sqlite3* db, const std::string& path, const std::string& what)
        : db_(db), path_(path), what_(what)
    {
        exec(db_, path_, "BEGIN IMMEDIATE", what_ + ": begin");
    }
    ~WriteTransaction()
    {
        if (!committed_ && !sqlite3_get_autocommit(db_))
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;

    void commit()
    {
        exec(db_, path_, "COMMIT", what_ + ": commit");
        committed_ = true;
    }

private:
    sqlite3* db_;
    const std::string& path_;
    std::string what_;
    bool committed_ = false;
};

}  // namespace otsentry::alerts::detail

namespace otsentry::alerts::detail {

// The columns read_alert expects, for `FROM alerts a LEFT JOIN evidence e ON e.alert_id = a.id`.
inline constexpr const char* alert_columns =
    "a.id, a.ts_us, a.flow_id, a.gid, a.sid, a.rev, a.signature, a.category, a.app_proto, a.src_ip,"
    " a.dest_ip, a.src_port, a.dest_port, a.severity, a.eve, a.proto, a.status, a.assignee,"
    " a.updated_us, a.count, a.first_seen_us, a.last_seen_us, coalesce(e.bytes, 0)";

inline StoredAlert read_alert(sqlite3_stmt* r)
{
    StoredAlert a;
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
    a.proto = column_text(r, 15);
    // A status written by hand into the database that we do not know reads as new.
    a.status = parse_status(column_text(r, 16)).value_or(AlertStatus::New);
    a.assignee = column_text(r, 17);
    a.updated_us = sqlite3_column_int64(r, 18);
    a.count = sqlite3_column_int64(r, 19);
    a.first_seen_us = sqlite3_column_int64(r, 20);
    a.last_seen_us = sqlite3_column_int64(r, 21);
    a.evidence_bytes = sqlite3_column_int64(r, 22);
    return a;
}

}  // namespace otsentry::alerts::detail
