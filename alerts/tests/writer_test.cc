#include "alerts/writer.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <sqlite3.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "alerts/store.h"
#include "alerts/tests/scratch_dir.h"
#include "alerts/tests/small_fs.h"

namespace otsentry::alerts {
namespace {

using test::ScratchDir;
using test::SmallFs;
using ::testing::HasSubstr;

// Record number `seq` of producer `producer`; every tenth is an alert.
Record make_record(int producer, int seq)
{
    Record r;
    r.kind = seq % 10 == 0 ? RecordKind::Alert : RecordKind::Event;
    r.ts_us = seq;
    r.flow_id = static_cast<uint64_t>(producer);
    r.src_ip = "192.168.0." + std::to_string(producer);
    r.dest_ip = "192.168.1.1";
    r.src_port = 40000;
    r.dest_port = 502;
    r.proto = "TCP";
    r.app_proto = "modbus";
    r.pcap_cnt = static_cast<uint64_t>(seq) + 1;
    if (r.kind == RecordKind::Alert) {
        r.sid = 1000;
        r.signature = "Modbus write";
    }
    nlohmann::json j{{"event_type", r.kind == RecordKind::Alert ? "alert" : "modbus"},
                     {"producer", producer},
                     {"seq", seq},
                     {"note", "quote \" backslash \\ newline \n"}};
    r.eve_json = j.dump();
    return r;
}

std::vector<std::string> read_lines(const std::string& path)
{
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

void produce(Writer& w, int producers, int per_producer)
{
    std::vector<std::thread> threads;
    for (int p = 0; p < producers; ++p)
        threads.emplace_back([&w, p, per_producer] {
            for (int i = 0; i < per_producer; ++i)
                w.submit(make_record(p, i));
        });
    for (auto& t : threads)
        t.join();
}

TEST(Writer, ManyProducersLoseNothing)
{
    constexpr int producers = 10;
    constexpr int per_producer = 10'000;
    constexpr int total = producers * per_producer;
    ScratchDir dir;
    WriterConfig cfg;
    cfg.db_path = dir.file("otsentry.db");
    cfg.eve_path = dir.file("eve.json");
    Writer w(cfg);
    produce(w, producers, per_producer);
    w.close();

    EXPECT_EQ(w.error(), std::nullopt);
    const auto st = w.stats();
    EXPECT_EQ(st.events + st.alerts, static_cast<uint64_t>(total));
    EXPECT_EQ(st.alerts, static_cast<uint64_t>(total / 10));
    EXPECT_EQ(st.failed, 0u);
    EXPECT_GT(st.batches, 0u);
    EXPECT_EQ(st.eve_bytes, std::filesystem::file_size(cfg.eve_path));

    auto store = Store::open(cfg.db_path, /*read_only=*/true);
    EXPECT_EQ(store.count_events() + store.count_alerts(), total);
    EXPECT_EQ(store.count_alerts(), total / 10);

    const auto lines = read_lines(cfg.eve_path);
    ASSERT_EQ(lines.size(), static_cast<size_t>(total));
    // Each producer's records come out in the order it submitted them.
    std::map<int, int> next_seq;
    for (const auto& line : lines) {
        const auto j = nlohmann::json::parse(line);  // throws (fails the test) on a torn line
        const int p = j.at("producer").get<int>();
        EXPECT_EQ(j.at("seq").get<int>(), next_seq[p]) << "producer " << p;
        next_seq[p] = j.at("seq").get<int>() + 1;
    }
    EXPECT_EQ(next_seq.size(), static_cast<size_t>(producers));
}

TEST(Writer, SmallQueueBlocksProducersWithoutLoss)
{
    ScratchDir dir;
    WriterConfig cfg;
    cfg.db_path = dir.file("otsentry.db");
    cfg.eve_path = dir.file("eve.json");
    cfg.batch_max = 2;
    cfg.queue_max = 4;
    Writer w(cfg);
    produce(w, 4, 2000);
    w.close();

    const auto st = w.stats();
    EXPECT_GT(st.blocked_submits, 0u);
    EXPECT_EQ(st.events + st.alerts, 8000u);
    EXPECT_EQ(st.failed, 0u);
    auto store = Store::open(cfg.db_path, /*read_only=*/true);
    EXPECT_EQ(store.count_events() + store.count_alerts(), 8000);
    EXPECT_EQ(read_lines(cfg.eve_path).size(), 8000u);
}

TEST(Writer, FlushMakesRecordsVisibleToAnotherConnection)
{
    ScratchDir dir;
    WriterConfig cfg;
    cfg.db_path = dir.file("otsentry.db");
    cfg.eve_path = dir.file("eve.json");
    cfg.batch_max = 1000;
    cfg.batch_age = std::chrono::hours(1);  // only flush() can close these batches in time
    Writer w(cfg);
    auto reader = Store::open(cfg.db_path, /*read_only=*/true);
    for (int round = 1; round <= 3; ++round) {
        for (int i = 0; i < 10; ++i)
            w.submit(make_record(0, 1));
        w.flush();
        EXPECT_EQ(reader.count_events(), 10 * round);
        EXPECT_EQ(read_lines(cfg.eve_path).size(), static_cast<size_t>(10 * round));
    }
    w.flush();  // nothing pending: returns at once
    EXPECT_EQ(w.stats().events, 30u);
}

TEST(Writer, BatchesAreAtMostBatchMax)
{
    ScratchDir dir;
    WriterConfig cfg;
    cfg.db_path = dir.file("otsentry.db");
    cfg.batch_max = 10;
    cfg.batch_age = std::chrono::hours(1);
    Writer w(cfg);
    for (int i = 0; i < 95; ++i)
        w.submit(make_record(0, 1));
    w.close();
    EXPECT_GE(w.stats().batches, 10u);
    EXPECT_EQ(w.stats().events, 95u);
}

TEST(Writer, WrittenLinesComeBackAsEmptyBuffers)
{
    WriterConfig cfg;
    cfg.batch_max = 8;
    Writer w(cfg);
    std::vector<std::string> lines;
    w.take_line_buffers(lines);
    EXPECT_TRUE(lines.empty());  // nothing written yet
    for (int i = 0; i < 20; ++i) {
        Record r = make_record(0, i);
        r.eve_json.reserve(i == 0 ? 100'000 : 1024);  // the first too big to keep
        w.submit(std::move(r));
    }
    w.submit(make_record(0, 20));  // a short line: its buffer is not worth keeping
    w.close();                     // every batch written, its buffers collected
    EXPECT_EQ(w.stats().events, 18u);
    EXPECT_EQ(w.stats().alerts, 3u);
    lines.emplace_back("mine");
    w.take_line_buffers(lines);
    ASSERT_GE(lines.size(), 2u);
    EXPECT_LE(lines.size(), 1u + cfg.batch_max);  // at most batch_max are kept
    EXPECT_EQ(lines.front(), "mine");
    for (size_t i = 1; i < lines.size(); ++i) {
        EXPECT_TRUE(lines[i].empty());
        EXPECT_GE(lines[i].capacity(), 1024u);
        EXPECT_LT(lines[i].capacity(), 100'000u);
    }
    std::vector<std::string> again;
    w.take_line_buffers(again);
    EXPECT_TRUE(again.empty());  // each buffer is handed out once
}

TEST(Writer, UnwritableEvePathThrowsNamingIt)
{
    ScratchDir dir;
    WriterConfig cfg;
    cfg.eve_path = dir.file("no/such/dir/x.eve.json");
    EXPECT_THAT([&] { Writer w(cfg); },
                ::testing::ThrowsMessage<std::runtime_error>(
                    cfg.eve_path + ": cannot open for writing: No such file or directory"));
}

TEST(Writer, UnopenableDatabaseThrowsStoreError)
{
    ScratchDir dir;
    WriterConfig cfg;
    cfg.db_path = dir.file("no/such/dir/otsentry.db");
    cfg.eve_path = dir.file("eve.json");
    EXPECT_THAT([&] { Writer w(cfg); },
                ::testing::ThrowsMessage<StoreError>(HasSubstr(cfg.db_path + ": open: ")));
}

TEST(Writer, DatabaseErrorIsReportedAndWritingGoesOn)
{
    ScratchDir dir;
    WriterConfig cfg;
    cfg.db_path = dir.file("otsentry.db");
    cfg.eve_path = dir.file("eve.json");
    cfg.retry_interval = std::chrono::milliseconds(0);  // every batch tries the database again
    std::vector<std::string> conditions;
    cfg.on_condition = [&conditions](const std::string& m) { conditions.push_back(m); };
    Writer w(cfg);
    {
        // Another connection breaks the alerts table under the writer's feet.
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(cfg.db_path.c_str(), &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db, "DROP TABLE alerts", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
    }
    for (int i = 0; i < 5; ++i)
        w.submit(make_record(0, 0));  // alerts: fail, kept in the spill
    w.flush();
    EXPECT_EQ(w.stats().spill_pending, 5u);
    EXPECT_EQ(w.stats().alerts_spilled, 5u);
    EXPECT_FALSE(w.stats().db_ok);
    for (int i = 0; i < 7; ++i)
        w.submit(make_record(0, 1));  // events: still stored
    w.close();

    ASSERT_TRUE(w.error().has_value());
    EXPECT_THAT(*w.error(), HasSubstr(cfg.db_path + ": "));
    EXPECT_THAT(*w.error(), HasSubstr("no such table: alerts"));
    const auto st = w.stats();
    // The alerts never reached the database: counted, and in the EVE file.
    EXPECT_EQ(st.alerts_not_stored, 5u);
    EXPECT_EQ(st.failed, 5u);
    EXPECT_EQ(st.events, 7u);
    EXPECT_EQ(st.alerts, 0u);
    EXPECT_EQ(st.spill_pending, 0u);
    EXPECT_EQ(st.accounted(), 12u);
    EXPECT_EQ(read_lines(cfg.eve_path).size(), 12u);  // the EVE sink got everything
    EXPECT_EQ(Store::open(cfg.db_path).count_events(), 7);
    ASSERT_FALSE(conditions.empty());
    EXPECT_THAT(conditions.front(), HasSubstr("no such table: alerts"));
    EXPECT_THAT(conditions.back(), HasSubstr("5 alerts could not be stored before closing"));
}

TEST(Writer, EveDiskFullIsReportedAndDatabaseGoesOn)
{
    if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
    ScratchDir dir;
    WriterConfig cfg;
    cfg.db_path = dir.file("otsentry.db");
    cfg.eve_path = "/dev/full";
    Writer w(cfg);
    for (int i = 0; i < 20; ++i)
        w.submit(make_record(0, 1));
    w.close();
    EXPECT_EQ(w.error(), "/dev/full: write failed: No space left on device");
    EXPECT_EQ(w.stats().failed, 20u);
    EXPECT_EQ(Store::open(cfg.db_path).count_events(), 20);
}

TEST(Writer, StatsRecordsGoToEveOnly)
{
    ScratchDir dir;
    WriterConfig cfg;
    cfg.db_path = dir.file("otsentry.db");
    cfg.eve_path = dir.file("eve.json");
    Writer w(cfg);
    w.submit(make_record(0, 1));
    Record stats;
    stats.kind = RecordKind::Stats;
    stats.ts_us = 2;
    stats.eve_json = R"({"event_type":"stats","stats":{"uptime":1}})";
    w.submit(std::move(stats));
    w.submit(make_record(0, 10));
    w.close();

    const auto st = w.stats();
    EXPECT_EQ(st.events, 1u);
    EXPECT_EQ(st.alerts, 1u);
    EXPECT_EQ(st.stats, 1u);
    EXPECT_EQ(st.failed, 0u);
    auto store = Store::open(cfg.db_path, /*read_only=*/true);
    EXPECT_EQ(store.count_events(), 1);
    EXPECT_EQ(store.count_alerts(), 1);
    const auto lines = read_lines(cfg.eve_path);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_THAT(lines[1], HasSubstr(R"("event_type":"stats")"));  // in submit order
}

TEST(Writer, NoSinksStillCounts)
{
    Writer w(WriterConfig{});
    for (int i = 0; i < 30; ++i)
        w.submit(make_record(0, i));
    w.close();
    EXPECT_EQ(w.stats().events, 27u);
    EXPECT_EQ(w.stats().alerts, 3u);
    EXPECT_EQ(w.error(), std::nullopt);
}

TEST(Writer, CloseIsIdempotentAndLateSubmitsAreCounted)
{
    ScratchDir dir;
    WriterConfig cfg;
    cfg.eve_path = dir.file("eve.json");
    Writer w(cfg);
    w.submit(make_record(0, 1));
    w.close();
    w.close();
    w.submit(make_record(0, 2));
    w.flush();
    const auto st = w.stats();
    EXPECT_EQ(st.events, 1u);
    EXPECT_EQ(st.failed, 1u);
    EXPECT_THAT(w.error().value_or(""), HasSubstr("after close()"));
    EXPECT_EQ(read_lines(cfg.eve_path).size(), 1u);
}

// An alert or event with a large EVE line, so that a small file system fills quickly.
Record big_record(RecordKind kind, int n)
{
    Record r = make_record(0, kind == RecordKind::Alert ? 0 : 1);
    r.kind = kind;
    r.ts_us = n;
    r.pcap_cnt = static_cast<uint64_t>(n);
    r.flow_id = static_cast<uint64_t>(n);  // one flow per record: no aggregation
    if (kind == RecordKind::Alert) {
        r.sid = 1000;
        r.signature = "big";
    }
    r.eve_json = nlohmann::json{{"event_type", kind == RecordKind::Alert ? "alert" : "modbus"},
                                {"n", n},
                                {"pad", std::string(2000, 'p')}}
                     .dump();
    return r;
}

// Holds the database's write lock from another connection, so that the writer's next
// transaction waits (busy_timeout) and its queue fills.
class WriteLock {
public:
    explicit WriteLock(const std::string& path)
    {
        EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
        EXPECT_EQ(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    }
    ~WriteLock() { release(); }
    WriteLock(const WriteLock&) = delete;
    WriteLock& operator=(const WriteLock&) = delete;
    void release()
    {
        if (!db_) return;
        sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
        sqlite3_close(db_);
        db_ = nullptr;
    }

private:
    sqlite3* db_ = nullptr;
};

template <typename Pred>
bool wait_for(Pred pred, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000))
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

TEST(Writer, DropEventsPolicyDropsEventsButNeverAlerts)
{
    ScratchDir dir;
    WriterConfig cfg;
    cfg.db_path = dir.file("otsentry.db");
    cfg.eve_path = dir.file("eve.json");
    cfg.queue_max = 10;
    cfg.batch_age = std::chrono::milliseconds(1);
    cfg.queue_full = QueueFullPolicy::DropEvents;
    cfg.store.aggregation.key = AggregationKey::None;
    Writer w(cfg);
    WriteLock lock(cfg.db_path);
    w.submit(make_record(0, 1));
    // The writer takes that event and waits for the lock (busy_timeout); the queue then fills.
    ASSERT_TRUE(wait_for([&] { return w.stats().queued == 0; }));
    for (int i = 0; i < 100; ++i)
        w.submit(make_record(0, 1));
    EXPECT_EQ(w.stats().queued, 10u);
    EXPECT_EQ(w.stats().dropped_events, 90u);
    EXPECT_EQ(w.stats().blocked_submits, 0u);  // events never waited
    // An alert waits for room instead.
    std::thread producer([&w] { w.submit(make_record(0, 0)); });
    ASSERT_TRUE(wait_for([&] { return w.stats().blocked_alerts == 1; }));
    lock.release();
    producer.join();
    w.close();

    const auto st = w.stats();
    EXPECT_EQ(st.alerts, 1u);
    EXPECT_EQ(st.events + st.dropped_events, 101u);
    EXPECT_EQ(st.failed, 0u);
    EXPECT_EQ(st.accounted(), 102u);
    EXPECT_EQ(read_lines(cfg.eve_path).size(), st.events + st.alerts);
    auto store = Store::open(cfg.db_path, /*read_only=*/true);
    EXPECT_EQ(store.count_alerts(), 1);
    EXPECT_EQ(store.count_events(), static_cast<int64_t>(st.events));
}

TEST(Writer, BlockPolicyLosesNoEventBehindASlowDatabase)
{
    ScratchDir dir;
    WriterConfig cfg;
    cfg.db_path = dir.file("otsentry.db");
    cfg.queue_max = 10;
    cfg.batch_age = std::chrono::milliseconds(1);
    cfg.queue_full = QueueFullPolicy::Block;
    Writer w(cfg);
    WriteLock lock(cfg.db_path);
    std::thread producer([&w] {
        for (int i = 0; i < 100; ++i)
            w.submit(make_record(0, 1));
    });
    ASSERT_TRUE(wait_for([&] { return w.stats().blocked_submits >= 1; }));
    lock.release();
    producer.join();
    w.close();
    const auto st = w.stats();
    EXPECT_EQ(st.dropped_events, 0u);
    EXPECT_EQ(st.events, 100u);
    EXPECT_EQ(Store::open(cfg.db_path, /*read_only=*/true).count_events(), 100);
}

TEST(Writer, SpillIsBoundedAndTheRestIsCounted)
{
    ScratchDir dir;
    WriterConfig cfg;
    cfg.db_path = dir.file("otsentry.db");
    cfg.eve_path = dir.file("eve.json");
    cfg.spill_max = 3;
    cfg.retry_interval = std::chrono::hours(1);
    cfg.on_condition = [](const std::string&) {};
    Writer w(cfg);
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(cfg.db_path.c_str(), &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db, "DROP TABLE alerts", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
    }
    for (int i = 0; i < 10; ++i)
        w.submit(big_record(RecordKind::Alert, i));
    w.flush();
    auto st = w.stats();
    EXPECT_EQ(st.alerts_spilled, 3u);
    EXPECT_EQ(st.spill_pending, 3u);
    EXPECT_EQ(st.alerts_not_stored, 7u);
    EXPECT_EQ(st.failed, 7u);
    EXPECT_EQ(st.accounted(), 10u);
    // Within the retry interval the database is not tried: events are not stored either.
    w.submit(big_record(RecordKind::Event, 10));
    w.close();
    st = w.stats();
    EXPECT_EQ(st.events_not_stored, 1u);
    EXPECT_EQ(st.db_errors, 2u);  // the first batch, and the last try at close
    EXPECT_EQ(st.alerts_not_stored, 10u);
    EXPECT_EQ(st.failed, 11u);
    EXPECT_EQ(st.accounted(), 11u);
    EXPECT_EQ(read_lines(cfg.eve_path).size(), 11u);  // every alert is in the EVE file
}

TEST(Writer, FullDiskSpillsAlertsAndStoresThemWhenSpaceReturns)
{
    SmallFs fs(1024 * 1024);
    if (!fs.available()) GTEST_SKIP() << fs.reason();
    ScratchDir dir;
    WriterConfig cfg;
    cfg.db_path = fs.file("otsentry.db");
    cfg.eve_path = dir.file("eve.json");
    cfg.batch_age = std::chrono::milliseconds(1);
    cfg.retry_interval = std::chrono::milliseconds(50);
    cfg.store.aggregation.key = AggregationKey::None;
    std::mutex mu;
    std::vector<std::string> conditions;
    cfg.on_condition = [&](const std::string& m) {
        std::lock_guard lk(mu);
        conditions.push_back(m);
    };
    Writer w(cfg);
    fs.fill("filler");

    int n = 0, alerts = 0;
    while (w.stats().db_errors == 0 && n < 2000) {
        for (int i = 0; i < 10; ++i, ++n) {
            const bool alert = n % 2 == 0;
            alerts += alert ? 1 : 0;
            w.submit(big_record(alert ? RecordKind::Alert : RecordKind::Event, n));
        }
        w.flush();
    }
    ASSERT_GT(w.stats().db_errors, 0u) << "the database never ran out of space";
    // Capture goes on while the disk is full: more records, nothing blocks.
    for (int i = 0; i < 100; ++i, ++n) {
        const bool alert = n % 2 == 0;
        alerts += alert ? 1 : 0;
        w.submit(big_record(alert ? RecordKind::Alert : RecordKind::Event, n));
    }
    w.flush();
    auto st = w.stats();
    EXPECT_FALSE(st.db_ok);
    EXPECT_GT(st.spill_pending, 0u);
    EXPECT_GT(st.events_not_stored, 0u);
    EXPECT_EQ(st.accounted(), static_cast<uint64_t>(n));
    {
        std::lock_guard lk(mu);
        ASSERT_EQ(conditions.size(), 1u) << "reported once";
        EXPECT_THAT(conditions[0], HasSubstr("database or disk is full"));
    }

    fs.free("filler");
    ASSERT_TRUE(wait_for([&] { return w.stats().spill_pending == 0; }));
    w.close();
    st = w.stats();
    EXPECT_TRUE(st.db_ok);
    EXPECT_EQ(st.alerts_recovered, st.alerts_spilled);
    EXPECT_EQ(st.alerts_not_stored, 0u);
    EXPECT_EQ(st.alerts, static_cast<uint64_t>(alerts));
    EXPECT_EQ(st.db_recoveries, 1u);
    EXPECT_EQ(st.accounted(), static_cast<uint64_t>(n));
    {
        std::lock_guard lk(mu);
        EXPECT_THAT(conditions.back(), HasSubstr("takes records again"));
    }
    auto store = Store::open(cfg.db_path);
    EXPECT_EQ(store.count_alerts(), alerts);  // every alert, once
    EXPECT_EQ(store.count_events(), static_cast<int64_t>(st.events));
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(store.handle(), "PRAGMA integrity_check", -1, &s, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), "ok");
    sqlite3_finalize(s);
}

TEST(Writer, FullDiskEveIsCountedAndRecovers)
{
    SmallFs fs(256 * 1024);
    if (!fs.available()) GTEST_SKIP() << fs.reason();
    WriterConfig cfg;
    cfg.eve_path = fs.file("eve.json");
    cfg.on_condition = [](const std::string&) {};
    Writer w(cfg);
    fs.fill("filler");
    for (int i = 0; i < 50; ++i)
        w.submit(big_record(RecordKind::Alert, i));
    w.flush();
    auto st = w.stats();
    EXPECT_FALSE(st.eve_ok);
    EXPECT_GT(st.eve_failed, 0u);
    EXPECT_EQ(w.error(), cfg.eve_path + ": write failed: No space left on device");
    fs.free("filler");
    for (int i = 50; i < 60; ++i)
        w.submit(big_record(RecordKind::Alert, i));
    w.close();
    st = w.stats();
    EXPECT_TRUE(st.eve_ok);
    EXPECT_EQ(st.eve_recoveries, 1u);
    EXPECT_EQ(st.alerts + st.failed, 60u);
    EXPECT_EQ(st.failed, st.eve_failed);
    const auto lines = read_lines(cfg.eve_path);
    EXPECT_EQ(lines.size(), st.alerts);
    for (const auto& l : lines)
        EXPECT_TRUE(nlohmann::json::accept(l)) << l;  // no torn line
    EXPECT_EQ(nlohmann::json::parse(lines.back()).at("n"), 59);
}

TEST(Writer, ReopenEveFollowsLogrotate)
{
    ScratchDir dir;
    WriterConfig cfg;
    cfg.eve_path = dir.file("eve.json");
    Writer w(cfg);
    for (int i = 0; i < 3; ++i)
        w.submit(make_record(0, i));
    w.flush();
    std::filesystem::rename(cfg.eve_path, cfg.eve_path + ".1");
    w.reopen_eve();
    ASSERT_TRUE(wait_for([&] { return w.stats().eve_reopens == 1; }));
    for (int i = 3; i < 5; ++i)
        w.submit(make_record(0, i));
    w.close();
    EXPECT_EQ(read_lines(cfg.eve_path + ".1").size(), 3u);
    EXPECT_EQ(read_lines(cfg.eve_path).size(), 2u);
}

TEST(Writer, EveRotationKeepsEveryLine)
{
    ScratchDir dir;
    WriterConfig cfg;
    cfg.eve_path = dir.file("eve.json");
    cfg.eve_rotate_bytes = 4096;
    cfg.eve_keep = 100;
    cfg.batch_max = 10;
    Writer w(cfg);
    for (int i = 0; i < 500; ++i) {
        w.submit(make_record(0, i));
        if (i % 10 == 9) w.flush();
    }
    w.close();
    const auto st = w.stats();
    EXPECT_GT(st.eve_rotations, 5u);
    size_t lines = read_lines(cfg.eve_path).size();
    for (uint64_t k = 1; k <= st.eve_rotations; ++k) {
        const auto rotated = read_lines(cfg.eve_path + "." + std::to_string(k));
        EXPECT_FALSE(rotated.empty());
        lines += rotated.size();
    }
    EXPECT_EQ(lines, 500u);
}

TEST(Writer, SynchronousFullStoresEverything)
{
    ScratchDir dir;
    WriterConfig cfg;
    cfg.db_path = dir.file("otsentry.db");
    cfg.synchronous = Synchronous::Full;
    Writer w(cfg);
    produce(w, 2, 500);
    w.close();
    EXPECT_EQ(w.stats().events + w.stats().alerts, 1000u);
    EXPECT_EQ(w.error(), std::nullopt);
    auto store = Store::open(cfg.db_path, /*read_only=*/true);
    EXPECT_EQ(store.count_events() + store.count_alerts(), 1000);
}

TEST(Writer, RetentionPrunesBetweenBatches)
{
    ScratchDir dir;
    WriterConfig cfg;
    cfg.db_path = dir.file("otsentry.db");
    cfg.store.aggregation.key = AggregationKey::None;
    RetentionConfig retention;
    retention.alert_max_age_us = 0;
    retention.event_max_age_us = 0;
    retention.max_db_bytes = 0;
    retention.alert_max_rows = 5;
    cfg.retention = retention;
    cfg.prune_interval = std::chrono::seconds(0);  // at every wake-up
    Writer w(cfg);
    for (int i = 0; i < 20; ++i)
        w.submit(big_record(RecordKind::Alert, i));
    w.flush();
    w.submit(big_record(RecordKind::Event, 20));  // one more batch: prunes after the first
    w.close();
    EXPECT_EQ(w.stats().alerts, 20u);
    EXPECT_EQ(w.stats().pruned_alerts, 15u);
    EXPECT_EQ(Store::open(cfg.db_path, /*read_only=*/true).count_alerts(), 5);
}

}  // namespace
}  // namespace otsentry::alerts
