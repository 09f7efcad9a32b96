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

namespace otsentry::alerts {

// Startup problems (cannot open, migration failed): the message names the file and the cause.
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

class Store {
public:
    // Opens (creating if needed) and migrates to the newest schema version.
    static Store open(const std::string& path, bool read_only = false);
    ~Store();
    Store(Store&&) noexcept;
    Store& operator=(Store&&) noexcept;

    static int latest_schema_version();
    [[nodiscard]] int schema_version() const;

    // Inserts the records in one transaction.
    void insert_batch(std::span<const Record> records);

    [[nodiscard]] int64_t count_events() const;
    [[nodiscard]] int64_t count_alerts() const;
    [[nodiscard]] int64_t count_events(const std::string& app_proto) const;
    [[nodiscard]] std::vector<StoredAlert> latest_alerts(int limit) const;

    // The raw connection for code in alerts/ that needs more (tests, later queries).
    [[nodiscard]] struct sqlite3* handle() const noexcept;

private:
    explicit Store(struct sqlite3* db, std::string path);
    struct sqlite3* db_ = nullptr;
    std::string path_;
};

}  // namespace otsentry::alerts
