// The SQLite store: schema with versioned migrations (PRAGMA user_version), WAL mode, and the
// insert/query functions the writer, the CLI and the web UI use. One Store per thread: SQLite
// connections are not shared across threads here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
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

struct StoredAlert {
    int64_t id = 0;
    int64_t ts_us = 0;
    uint64_t flow_id = 0;
    uint32_t gid = 0, sid = 0, rev = 0;
    std::string signature, category, app_proto, src_ip, dest_ip;
    uint16_t src_port = 0, dest_port = 0;
    uint8_t severity = 3;
    std::string eve_json;
};

// One `otsentry replay` (or monitor session), written by the app when it ends.
struct RunRecord {
    int64_t started_us = 0, finished_us = 0;
    std::string command;              // "replay", "monitor"
    std::vector<std::string> inputs;  // stored as a JSON array of strings
    uint64_t packets = 0, bytes = 0, events = 0, alerts = 0;
};

class Store {
public:
    // Opens (creating if needed) and migrates to the newest schema version.
    static Store open(const std::string& path, bool read_only = false);
    ~Store();
    Store(Store&&) noexcept;
    Store& operator=(Store&&) noexcept;

    // The schema migrations, oldest first: migrations()[k] upgrades version k to k + 1. Exposed so
    // that tests can build a database at every older version and upgrade it.
    static std::span<const char* const> migrations();
    static int latest_schema_version();
    [[nodiscard]] int schema_version() const;

    // Inserts the records in one transaction; on error nothing is inserted and StoreError is thrown.
    void insert_batch(std::span<const Record> records);
    // Returns the new row id.
    int64_t record_run(const RunRecord& run);

    [[nodiscard]] int64_t count_events() const;
    [[nodiscard]] int64_t count_alerts() const;
    [[nodiscard]] int64_t count_events(const std::string& app_proto) const;
    [[nodiscard]] std::vector<StoredAlert> latest_alerts(int limit) const;

    // The raw connection for code in alerts/ that needs more (tests, later queries).
    [[nodiscard]] sqlite3* handle() const noexcept;
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

private:
    explicit Store(sqlite3* db, std::string path);
    void close() noexcept;
    sqlite3* db_ = nullptr;
    std::string path_;
    // Prepared once, on the first insert_batch: the writer inserts millions of rows through them.
    sqlite3_stmt* insert_event_ = nullptr;
    sqlite3_stmt* insert_alert_ = nullptr;
};

}  // namespace otsentry::alerts
