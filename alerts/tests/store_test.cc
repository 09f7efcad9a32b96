#include "alerts/store.h"
#include "alerts/tests/test_util.h"

#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "alerts/tests/scratch_dir.h"

namespace otsentry::alerts {
namespace {

using test::ScratchDir;
using ::testing::AllOf;
using ::testing::HasSubstr;

using test::RawDb;

std::string query_text(sqlite3* db, const std::string& sql)
{
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sql;
    std::string out;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
}

std::vector<std::string> schema_names(sqlite3* db, const std::string& type)
{
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT name FROM sqlite_master WHERE type = ?1 AND name NOT LIKE "
                                 "'sqlite_%' ORDER BY name",
                                 -1, &s, nullptr),
              SQLITE_OK);
    sqlite3_bind_text(s, 1, type.c_str(), -1, SQLITE_TRANSIENT);
    std::vector<std::string> out;
    while (sqlite3_step(s) == SQLITE_ROW)
        out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
    sqlite3_finalize(s);
    return out;
}

Record event(int64_t ts_us, const std::string& app_proto)
{
    return test::make_event(ts_us, app_proto);
}

// The shared alert, with a rev other than 1 so the tests see it round-trip.
Record alert(int64_t ts_us, uint32_t sid, uint8_t severity = 2)
{
    Record r = test::make_alert(ts_us, sid, 42, severity);
    r.rev = 3;
    return r;
}

TEST(Store, FreshDatabaseHasLatestSchemaAndWal)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("otsentry.db"));
    EXPECT_EQ(store.schema_version(), Store::latest_schema_version());
    EXPECT_GE(Store::latest_schema_version(), 1);
    EXPECT_EQ(query_text(store.handle(), "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(query_text(store.handle(), "PRAGMA synchronous"), "1");  // NORMAL
    EXPECT_EQ(query_text(store.handle(), "PRAGMA foreign_keys"), "1");
    // The tables and indexes of v2 are checked in migration_test.cc.
    const auto tables = schema_names(store.handle(), "table");
    for (const char* t : {"alerts", "events", "runs"})
        EXPECT_NE(std::find(tables.begin(), tables.end(), t), tables.end()) << t;
    const auto indexes = schema_names(store.handle(), "index");
    for (const char* i : {"alerts_app_proto_ts", "alerts_severity_ts", "alerts_status_ts", "alerts_ts",
                          "events_app_proto_ts", "events_flow", "events_ts"})
        EXPECT_NE(std::find(indexes.begin(), indexes.end(), i), indexes.end()) << i;
    EXPECT_EQ(store.count_events(), 0);
    EXPECT_EQ(store.count_alerts(), 0);
}

TEST(Store, ReopenIsIdempotent)
{
    ScratchDir dir;
    const auto path = dir.file("otsentry.db");
    {
        auto store = Store::open(path);
        const std::vector<Record> batch{event(1, "modbus"), alert(2, 1000)};
        store.insert_batch(batch);
    }
    for (int i = 0; i < 2; ++i) {
        auto store = Store::open(path);
        EXPECT_EQ(store.schema_version(), Store::latest_schema_version());
        EXPECT_EQ(store.count_events(), 1);
        EXPECT_EQ(store.count_alerts(), 1);
    }
    // A second connection while the first is open (the web UI next to the writer).
    auto writer = Store::open(path);
    auto reader = Store::open(path, /*read_only=*/true);
    EXPECT_EQ(reader.count_alerts(), 1);
}

TEST(Store, RefusesNewerSchemaVersion)
{
    ScratchDir dir;
    const auto path = dir.file("future.db");
    const int future = Store::latest_schema_version() + 3;
    RawDb(path).exec("PRAGMA user_version = " + std::to_string(future));
    const std::string expected = path + ": schema version " + std::to_string(future) +
                                 " is newer than this otsentry (" +
                                 std::to_string(Store::latest_schema_version()) + ")";
    for (bool read_only : {false, true}) {
        try {
            (void)Store::open(path, read_only);
            ADD_FAILURE() << "opened a database from the future";
        } catch (const StoreError& e) {
            EXPECT_EQ(e.what(), expected);
        }
    }
}

TEST(Store, OpenErrorsNameTheFile)
{
    ScratchDir dir;
    const auto missing_dir = dir.file("no/such/dir/otsentry.db");
    EXPECT_THAT([&] { (void)Store::open(missing_dir); },
                ::testing::ThrowsMessage<StoreError>(HasSubstr(missing_dir + ": open: ")));
    const auto missing = dir.file("missing.db");
    EXPECT_THAT([&] { (void)Store::open(missing, /*read_only=*/true); },
                ::testing::ThrowsMessage<StoreError>(HasSubstr(missing + ": open: ")));
}

TEST(Store, ReadOnlyRefusesUnmigratedDatabase)
{
    ScratchDir dir;
    const auto path = dir.file("empty.db");
    RawDb(path).exec("PRAGMA user_version = 0");
    EXPECT_THAT([&] { (void)Store::open(path, /*read_only=*/true); },
                ::testing::ThrowsMessage<StoreError>(
                    HasSubstr(path + ": schema version 0 is older than this otsentry")));
}

// Every database an older otsentry can have left behind, at version k < latest, upgrades to the
// latest version. Adding a migration adds a case here without touching the test.
class StoreMigration : public ::testing::TestWithParam<int> {};

TEST_P(StoreMigration, UpgradesToLatest)
{
    const int from = GetParam();
    ScratchDir dir;
    const auto path = dir.file("v" + std::to_string(from) + ".db");
    {
        RawDb raw(path);
        for (int k = 0; k < from; ++k)
            raw.exec(Store::migrations()[static_cast<size_t>(k)]);
        raw.exec("PRAGMA user_version = " + std::to_string(from));
    }
    auto store = Store::open(path);
    EXPECT_EQ(store.schema_version(), Store::latest_schema_version());
    EXPECT_EQ(query_text(store.handle(), "PRAGMA journal_mode"), "wal");
    const std::vector<Record> batch{event(1, "dnp3"), alert(2, 7)};
    store.insert_batch(batch);
    EXPECT_EQ(store.count_events("dnp3"), 1);
    EXPECT_EQ(store.count_alerts(), 1);
}

INSTANTIATE_TEST_SUITE_P(EveryOlderVersion, StoreMigration,
                         ::testing::Range(0, Store::latest_schema_version()),
                         [](const ::testing::TestParamInfo<int>& param_info) {
                             return "FromV" + std::to_string(param_info.param);
                         });

TEST(Store, FailedMigrationIsRolledBack)
{
    ScratchDir dir;
    const auto path = dir.file("conflict.db");
    // Something already owns a table migration 1 wants to create.
    RawDb(path).exec("CREATE TABLE runs (x)");
    EXPECT_THAT([&] { (void)Store::open(path); },
                ::testing::ThrowsMessage<StoreError>(
                    HasSubstr(path + ": migration to schema version 1: table runs already exists")));
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    EXPECT_EQ(query_text(db, "PRAGMA user_version"), "0");
    EXPECT_EQ(schema_names(db, "table"), std::vector<std::string>{"runs"});
    sqlite3_close(db);
}

TEST(Store, InsertBatchAndCounts)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("otsentry.db"));
    std::vector<Record> batch;
    for (int i = 0; i < 1000; ++i)
        batch.push_back(event(i, i % 4 == 0 ? "dnp3" : "modbus"));
    for (int i = 0; i < 10; ++i)
        batch.push_back(alert(i, static_cast<uint32_t>(100 + i)));
    store.insert_batch(batch);
    store.insert_batch({});
    EXPECT_EQ(store.count_events(), 1000);
    EXPECT_EQ(store.count_alerts(), 10);
    EXPECT_EQ(store.count_events("modbus"), 750);
    EXPECT_EQ(store.count_events("dnp3"), 250);
    EXPECT_EQ(store.count_events("iec104"), 0);
}

TEST(Store, InsertBatchIsAllOrNothing)
{
    ScratchDir dir;
    const auto path = dir.file("otsentry.db");
    auto store = Store::open(path);
    // Make the second record of the batch fail inside SQLite.
    RawDb(path).exec(
        "CREATE TRIGGER reject AFTER INSERT ON alerts WHEN NEW.sid = 666 "
        "BEGIN SELECT RAISE(ABORT, 'rejected by test'); END");
    const std::vector<Record> bad{event(1, "modbus"), alert(2, 666), event(3, "modbus")};
    EXPECT_THAT([&] { store.insert_batch(bad); },
                ::testing::ThrowsMessage<StoreError>(
                    AllOf(HasSubstr(path + ": insert batch: "), HasSubstr("rejected by test"))));
    EXPECT_EQ(store.count_events(), 0);
    EXPECT_EQ(store.count_alerts(), 0);
    // The store is usable again after the rollback.
    const std::vector<Record> good{event(1, "modbus"), alert(2, 1)};
    store.insert_batch(good);
    EXPECT_EQ(store.count_events(), 1);
    EXPECT_EQ(store.count_alerts(), 1);
}

TEST(Store, LatestAlertsNewestFirst)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("otsentry.db"));
    // Inserted out of time order; two share a timestamp (the later insert counts as newer).
    const std::vector<Record> batch{alert(300, 3), alert(100, 1), alert(500, 5),
                                    alert(300, 4), alert(200, 2), event(900, "modbus")};
    store.insert_batch(batch);
    const auto latest = store.latest_alerts(4);
    ASSERT_EQ(latest.size(), 4u);
    EXPECT_EQ(latest[0].sid, 5u);
    EXPECT_EQ(latest[1].sid, 4u);
    EXPECT_EQ(latest[2].sid, 3u);
    EXPECT_EQ(latest[3].sid, 2u);
    EXPECT_EQ(store.latest_alerts(100).size(), 5u);
    EXPECT_TRUE(store.latest_alerts(0).empty());

    const StoredAlert& a = latest[0];
    EXPECT_GT(a.id, 0);
    EXPECT_EQ(a.ts_us, 500);
    EXPECT_EQ(a.flow_id, 42u);
    EXPECT_EQ(a.gid, 1u);
    EXPECT_EQ(a.rev, 3u);
    EXPECT_EQ(a.signature, "sig 5");
    EXPECT_EQ(a.category, "Attempted Administrator Privilege Gain");
    EXPECT_EQ(a.app_proto, "modbus");
    EXPECT_EQ(a.src_ip, "10.0.0.1");
    EXPECT_EQ(a.dest_ip, "10.0.0.2");
    EXPECT_EQ(a.src_port, 50000);
    EXPECT_EQ(a.dest_port, 502);
    EXPECT_EQ(a.severity, 2);
    EXPECT_EQ(a.eve_json, R"({"event_type":"alert","sid":5,"ts":500})");
}

TEST(Store, StringsAreStoredVerbatim)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("otsentry.db"));
    Record r = alert(1, 9);
    r.signature = "'); DROP TABLE alerts; --";
    r.category = "\"quoted\" 'single' ; -- /* */ \\ %_";
    r.src_ip = "fe80::1%eth0";
    r.app_proto = "";        // absent: stored as NULL, read back empty
    r.flow_id = UINT64_MAX;  // above INT64_MAX: stored bit for bit
    r.eve_json = R"({"alert":{"signature":"'); DROP TABLE alerts; --"},"u":"Zürich ✓"})";
    store.insert_batch(std::span<const Record>(&r, 1));
    const auto got = store.latest_alerts(1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].signature, r.signature);
    EXPECT_EQ(got[0].category, r.category);
    EXPECT_EQ(got[0].src_ip, r.src_ip);
    EXPECT_EQ(got[0].app_proto, "");
    EXPECT_EQ(got[0].flow_id, UINT64_MAX);
    EXPECT_EQ(got[0].eve_json, r.eve_json);
    EXPECT_EQ(query_text(store.handle(), "SELECT count(*) FROM alerts WHERE app_proto IS NULL"), "1");
    EXPECT_EQ(query_text(store.handle(), "SELECT status FROM alerts"), "new");
}

TEST(Store, RecordRun)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("otsentry.db"));
    RunRecord run;
    run.started_us = 1'700'000'000'000'000;
    run.finished_us = run.started_us + 2'500'000;
    run.command = "replay";
    run.inputs = {"a.pcap", "dir/b \"quoted\".pcapng"};
    run.packets = 12345;
    run.bytes = 6'789'012;
    run.events = 300;
    run.alerts = 4;
    const int64_t id = store.record_run(run);
    EXPECT_GT(id, 0);
    EXPECT_EQ(query_text(store.handle(), "SELECT inputs FROM runs WHERE id = " + std::to_string(id)),
              R"(["a.pcap","dir/b \"quoted\".pcapng"])");
    EXPECT_EQ(query_text(store.handle(),
                         "SELECT command || ' ' || packets || ' ' || bytes || ' ' || events || ' ' ||"
                         " alerts || ' ' || (finished_us - started_us) FROM runs"),
              "replay 12345 6789012 300 4 2500000");
}

TEST(Store, IsMovable)
{
    ScratchDir dir;
    auto a = Store::open(dir.file("otsentry.db"));
    const std::vector<Record> batch{alert(1, 1)};
    a.insert_batch(batch);  // prepares the cached statement, which moves along
    Store b(std::move(a));
    b.insert_batch(batch);
    auto c = Store::open(dir.file("other.db"));
    c = std::move(b);
    c.insert_batch(batch);
    EXPECT_EQ(c.count_alerts(), 3);
    EXPECT_EQ(c.path(), dir.file("otsentry.db"));
}

}  // namespace
}  // namespace otsentry::alerts
