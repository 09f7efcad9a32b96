// Schema v2: upgrading databases an older otsentry left behind (with rows in them), the v2
// defaults, and the auto-vacuum switch.
#include <sqlite3.h>

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "alerts/store.h"
#include "alerts/tests/scratch_dir.h"
#include "alerts/tests/test_util.h"

namespace otsentry::alerts {
namespace {

using test::make_alert;
using test::query_column;
using test::query_int;
using test::query_text;
using test::RawDb;
using test::ScratchDir;

// A database at `version`, built with the migrations an otsentry of that version ran.
void build_at_version(const std::string& path, int version)
{
    RawDb raw(path);
    raw.exec("PRAGMA journal_mode=WAL");
    for (int k = 0; k < version; ++k)
        raw.exec(Store::migrations()[static_cast<size_t>(k)]);
    raw.exec("PRAGMA user_version = " + std::to_string(version));
}

// What otsentry v1 wrote: 3 events, 2 alerts (one already acknowledged by hand), 1 run.
void fill_v1(const std::string& path)
{
    RawDb raw(path);
    raw.exec(
        "INSERT INTO events (ts_us, flow_id, src_ip, src_port, dest_ip, dest_port, proto, app_proto, "
        "pcap_cnt, eve)"
        " VALUES (10, 7, '10.0.0.1', 1000, '10.0.0.2', 502, 'TCP', 'modbus', 1, '{\"e\":1}'),"
        " (20, 7, '10.0.0.1', 1000, '10.0.0.2', 502, 'TCP', 'modbus', 2, '{\"e\":2}'),"
        " (30, 8, NULL, NULL, NULL, NULL, NULL, 'goose', 3, '{\"e\":3}')");
    raw.exec(
        "INSERT INTO alerts (ts_us, flow_id, src_ip, src_port, dest_ip, dest_port, proto, app_proto, "
        "pcap_cnt, gid,"
        " sid, rev, signature, category, severity, status, eve) VALUES"
        " (1000000, 7, '10.0.0.1', 1000, '10.0.0.2', 502, 'TCP', 'modbus', 2, 1, 2000, 1, 'write', 'cat', 1, "
        "'new',"
        " '{\"a\":1}'),"
        " (2000000, 7, '10.0.0.1', 1000, '10.0.0.2', 502, 'TCP', 'modbus', 3, 1, 2001, 2, 'stop', 'cat', 2,"
        " 'acknowledged', '{\"a\":2}')");
    raw.exec(
        "INSERT INTO runs (started_us, finished_us, command, inputs, packets, bytes, events, alerts)"
        " VALUES (1, 2, 'replay', '[\"a.pcap\"]', 5, 500, 3, 2)");
}

TEST(StoreMigrationV2, FromV1KeepsRowsAndDefaultsNewColumns)
{
    ScratchDir dir;
    const auto path = dir.file("v1.db");
    build_at_version(path, 1);
    fill_v1(path);
    ASSERT_EQ(query_int(RawDb(path).get(), "PRAGMA auto_vacuum"), 0);  // as v1 created it

    auto store = Store::open(path);
    ASSERT_EQ(store.schema_version(), 3);
    sqlite3* db = store.handle();
    EXPECT_EQ(store.count_events(), 3);
    EXPECT_EQ(store.count_alert_rows(), 2);
    EXPECT_EQ(store.count_alerts(), 2);
    EXPECT_EQ(query_text(db, "SELECT count(*) FROM runs WHERE inputs = '[\"a.pcap\"]' AND packets = 5"), "1");
    EXPECT_EQ(query_column(db, "SELECT eve FROM events ORDER BY id"),
              (std::vector<std::string>{R"({"e":1})", R"({"e":2})", R"({"e":3})"}));
    // New columns: count 1, first/last seen = the alert's time, no assignee, no aggregation key.
    EXPECT_EQ(query_column(
                  db,
                  "SELECT id || ' ' || sid || ' ' || status || ' ' || count || ' ' || first_seen_us || ' ' ||"
                  " last_seen_us || ' ' || coalesce(assignee, '-') || ' ' || coalesce(updated_us, '-') || ' '"
                  " || coalesce(agg_key, '-') || ' ' || eve FROM alerts ORDER BY id"),
              (std::vector<std::string>{R"(1 2000 new 1 1000000 1000000 - - - {"a":1})",
                                        R"(2 2001 acknowledged 1 2000000 2000000 - - - {"a":2})"}));
    const auto a = store.alert_detail(2);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->alert.status, AlertStatus::Acknowledged);
    EXPECT_EQ(a->alert.count, 1);
    EXPECT_EQ(a->alert.evidence_bytes, 0);
    EXPECT_TRUE(a->comments.empty());
    EXPECT_TRUE(a->history.empty());
    // The v2 tables exist and are empty.
    for (const char* t : {"evidence", "flows", "assets", "rules_state", "users", "sessions", "triage_history",
                          "comments", "suppressions", "audit_log"})
        EXPECT_EQ(query_text(db, std::string("SELECT count(*) FROM ") + t), "0") << t;
    // A small v1 database is switched to incremental auto-vacuum when opened.
    EXPECT_EQ(query_int(db, "PRAGMA auto_vacuum"), 2);
    EXPECT_EQ(query_text(db, "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(query_text(db, "PRAGMA foreign_key_check"), "");

    // A new alert of the same sid and flow starts a row: v1 rows have no aggregation key.
    const std::vector<Record> batch{make_alert(1'500'000, 2000, 7)};
    const auto res = store.insert_batch(batch);
    EXPECT_EQ(res.alerts, 1u);
    EXPECT_EQ(res.aggregated, 0u);
    EXPECT_EQ(store.count_alert_rows(), 3);
    // Triage works on the migrated rows.
    const std::vector<int64_t> ids{1};
    const auto t = store.set_status(ids, AlertStatus::Resolved, Actor{"ana", 5});
    EXPECT_EQ(t.changed, ids);
}

TEST(StoreMigrationV2, LargeV1DatabaseKeepsAutoVacuumUntilVacuum)
{
    ScratchDir dir;
    const auto path = dir.file("v1.db");
    build_at_version(path, 1);
    fill_v1(path);
    StoreOptions options;
    options.vacuum_on_open_max_bytes = 0;  // "too large" to vacuum on open
    {
        auto store = Store::open(path, options);
        EXPECT_EQ(store.schema_version(), 3);
        EXPECT_EQ(query_int(store.handle(), "PRAGMA auto_vacuum"), 0);
        store.vacuum();
        EXPECT_EQ(query_int(store.handle(), "PRAGMA auto_vacuum"), 2);
        EXPECT_EQ(store.count_alert_rows(), 2);
    }
    auto again = Store::open(path, options);
    EXPECT_EQ(query_int(again.handle(), "PRAGMA auto_vacuum"), 2);
}

TEST(StoreMigrationV2, ReadOnlyRefusesV1)
{
    ScratchDir dir;
    const auto path = dir.file("v1.db");
    build_at_version(path, 1);
    EXPECT_THAT([&] { (void)Store::open(path, /*read_only=*/true); },
                ::testing::ThrowsMessage<StoreError>(::testing::HasSubstr(
                    path + ": schema version 1 is older than this otsentry (3); open it read-write once")));
}

TEST(StoreMigrationV2, FreshDatabaseHasEveryTableAndIncrementalVacuum)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("new.db"));
    sqlite3* db = store.handle();
    EXPECT_EQ(query_int(db, "PRAGMA auto_vacuum"), 2);
    EXPECT_EQ(query_column(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
              (std::vector<std::string>{"alerts", "assets", "audit_log", "capture_stats", "comments",
                                        "events", "evidence", "flows", "rule_catalog", "rule_files",
                                        "rule_load", "rules_state", "runs", "sessions", "suppressions",
                                        "triage_history", "users"}));
    // The UI's filters have indexes; the old single-column sid index became (sid, ts_us).
    const auto indexes = query_column(db,
                                      "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE"
                                      " 'alerts_%' ORDER BY name");
    EXPECT_EQ(indexes,
              (std::vector<std::string>{"alerts_agg", "alerts_app_proto_ts", "alerts_dest_ts",
                                        "alerts_last_seen", "alerts_severity_proto_ts", "alerts_severity_ts",
                                        "alerts_sid_ts", "alerts_src_ts", "alerts_status_ts", "alerts_ts"}));
    // Constraints of the new tables.
    RawDb raw(store.path());
    char* msg = nullptr;
    EXPECT_NE(
        sqlite3_exec(raw.get(),
                     "INSERT INTO users (name, role, password_hash, created_us) VALUES ('x', 'root', 'h', 1)",
                     nullptr, nullptr, &msg),
        SQLITE_OK);
    sqlite3_free(msg);
    raw.exec("INSERT INTO users (name, role, password_hash, created_us) VALUES ('x', 'viewer', 'h', 1)");
    EXPECT_NE(sqlite3_exec(
                  raw.get(),
                  "INSERT INTO users (name, role, password_hash, created_us) VALUES ('x', 'admin', 'h', 1)",
                  nullptr, nullptr, &msg),
              SQLITE_OK);
    sqlite3_free(msg);
}

TEST(StoreMigrationV2, FlowsInsert)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("flows.db"));
    FlowSummary f;
    f.flow_id = UINT64_MAX;
    f.src_ip = "10.0.0.1";
    f.dest_ip = "10.0.0.2";
    f.src_port = 1234;
    f.dest_port = 502;
    f.proto = "TCP";
    f.app_proto = "modbus";
    f.first_ts_us = 100;
    f.last_ts_us = 900;
    f.pkts_toserver = 5;
    f.pkts_toclient = 4;
    f.bytes_toserver = 600;
    f.bytes_toclient = 480;
    FlowSummary g = f;
    g.flow_id = 9;
    g.app_proto = "";
    const std::vector<FlowSummary> flows{f, g};
    store.insert_flows(flows);
    EXPECT_EQ(query_column(
                  store.handle(),
                  "SELECT flow_id || ' ' || coalesce(app_proto, '-') || ' ' || (last_ts_us - first_ts_us) ||"
                  " ' ' || pkts_toserver || ' ' || bytes_toclient FROM flows ORDER BY id"),
              (std::vector<std::string>{"-1 modbus 800 5 480", "9 - 800 5 480"}));
}

}  // namespace
}  // namespace otsentry::alerts
