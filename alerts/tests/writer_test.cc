#include "alerts/writer.h"

#include <filesystem>
#include <fstream>
#include <map>
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

namespace otsentry::alerts {
namespace {

using test::ScratchDir;
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
    Writer w(cfg);
    {
        // Another connection breaks the alerts table under the writer's feet.
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(cfg.db_path.c_str(), &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db, "DROP TABLE alerts", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
    }
    for (int i = 0; i < 5; ++i)
        w.submit(make_record(0, 0));  // alerts: fail
    w.flush();
    for (int i = 0; i < 7; ++i)
        w.submit(make_record(0, 1));  // events: still stored
    w.close();

    ASSERT_TRUE(w.error().has_value());
    EXPECT_THAT(*w.error(), HasSubstr(cfg.db_path + ": "));
    EXPECT_THAT(*w.error(), HasSubstr("no such table: alerts"));
    const auto st = w.stats();
    EXPECT_EQ(st.failed, 5u);
    EXPECT_EQ(st.events, 7u);
    EXPECT_EQ(st.alerts, 0u);
    EXPECT_EQ(read_lines(cfg.eve_path).size(), 12u);  // the EVE sink got everything
    EXPECT_EQ(Store::open(cfg.db_path).count_events(), 7);
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

}  // namespace
}  // namespace otsentry::alerts
