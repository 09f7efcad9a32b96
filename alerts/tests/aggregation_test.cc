// Alert aggregation in the insert path (key, window, cache bound, restart) and evidence storage,
// with explicit numbers.
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
using test::make_event;
using test::make_pcap;
using test::query_column;
using test::query_int;
using test::RawDb;
using test::ScratchDir;

constexpr int64_t second = 1'000'000;

// Inserts `records` in batches of `batch`, summing what the store reports.
InsertResult insert_in_batches(Store& store, const std::vector<Record>& records, size_t batch)
{
    InsertResult total;
    for (size_t i = 0; i < records.size(); i += batch) {
        const size_t n = std::min(batch, records.size() - i);
        const auto r = store.insert_batch(std::span<const Record>(records.data() + i, n));
        total.events += r.events;
        total.alerts += r.alerts;
        total.aggregated += r.aggregated;
        total.suppressed += r.suppressed;
        total.evidence += r.evidence;
        total.evidence_truncated += r.evidence_truncated;
    }
    return total;
}

std::vector<std::string> rows(Store& store)
{
    return query_column(
        store.handle(),
        "SELECT sid || ' ' || flow_id || ' ' || count || ' ' || first_seen_us || ' ' || last_seen_us"
        " FROM alerts ORDER BY id");
}

TEST(Aggregation, DefaultIsFlowKeySixtySeconds)
{
    const AggregationConfig cfg;
    EXPECT_EQ(cfg.key, AggregationKey::Flow);
    EXPECT_EQ(cfg.window_us, 60 * second);
    EXPECT_EQ(parse_aggregation_key("hosts"), AggregationKey::Hosts);
    EXPECT_EQ(parse_aggregation_key("flow"), AggregationKey::Flow);
    EXPECT_EQ(parse_aggregation_key("none"), AggregationKey::None);
    EXPECT_EQ(parse_aggregation_key("sid"), std::nullopt);
}

TEST(Aggregation, ThousandAlertsOfOneSidOnOneFlowWithinTenSecondsAreOneRow)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("a.db"));
    std::vector<Record> recs;
    for (int i = 0; i < 1000; ++i)
        recs.push_back(make_alert(i * 10'000, 2000));  // every 10 ms: 0 .. 9.99 s
    const auto r = insert_in_batches(store, recs, 64);
    EXPECT_EQ(r.alerts, 1u);
    EXPECT_EQ(r.aggregated, 999u);
    EXPECT_EQ(store.count_alert_rows(), 1);
    EXPECT_EQ(store.count_alerts(), 1000);
    EXPECT_EQ(rows(store), std::vector<std::string>{"2000 42 1000 0 9990000"});
    // The row keeps the first alert's EVE line.
    EXPECT_EQ(store.latest_alerts(1).at(0).eve_json, recs[0].eve_json);
    EXPECT_EQ(store.stats().inserted.aggregated, 999u);
}

TEST(Aggregation, GapLongerThanWindowStartsASecondRow)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("a.db"));
    std::vector<Record> recs;
    for (int i = 0; i < 500; ++i)
        recs.push_back(make_alert(i * 10'000, 2000));  // 0 .. 4.99 s
    // 60.01 s after the last one: outside the 60 s window.
    for (int i = 0; i < 500; ++i)
        recs.push_back(make_alert(4'990'000 + 60'010'000 + i * 10'000, 2000));
    const auto r = insert_in_batches(store, recs, 100);
    EXPECT_EQ(r.alerts, 2u);
    EXPECT_EQ(r.aggregated, 998u);
    EXPECT_EQ(rows(store),
              (std::vector<std::string>{"2000 42 500 0 4990000", "2000 42 500 65000000 69990000"}));
}

TEST(Aggregation, ExactlyTheWindowStillJoins)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("a.db"));
    const std::vector<Record> recs{make_alert(0, 1), make_alert(60 * second, 1),
                                   make_alert(120 * second + 1, 1)};
    insert_in_batches(store, recs, 1);
    EXPECT_EQ(rows(store), (std::vector<std::string>{"1 42 2 0 60000000", "1 42 1 120000001 120000001"}));
}

TEST(Aggregation, WindowSlidesWithLastSeen)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("a.db"));
    std::vector<Record> recs;
    for (int i = 0; i < 10; ++i)
        recs.push_back(make_alert(i * 50 * second, 7));  // every 50 s for 450 s
    insert_in_batches(store, recs, 3);
    EXPECT_EQ(rows(store), std::vector<std::string>{"7 42 10 0 450000000"});
}

TEST(Aggregation, FlowKeySeparatesFlowsAndSids)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("a.db"));
    std::vector<Record> recs;
    for (int i = 0; i < 1000; ++i)  // 10 flows x 2 sids, interleaved: 50 alerts each
        recs.push_back(
            make_alert(i * 1000, 100 + static_cast<uint32_t>(i % 2), static_cast<uint64_t>(i % 10)));
    const auto r = insert_in_batches(store, recs, 128);
    EXPECT_EQ(r.alerts, 10u);  // i % 2 and i % 10: sid is fixed by the flow (flow even -> sid 100)
    EXPECT_EQ(query_column(store.handle(), "SELECT DISTINCT count FROM alerts"),
              std::vector<std::string>{"100"});
    EXPECT_EQ(store.count_alerts(), 1000);
}

TEST(Aggregation, HostsKeyIgnoresFlowAndPorts)
{
    ScratchDir dir;
    StoreOptions options;
    options.aggregation.key = AggregationKey::Hosts;
    auto store = Store::open(dir.file("a.db"), options);
    std::vector<Record> recs;
    for (int i = 0; i < 300; ++i) {
        Record r = make_alert(i * 1000, 9, static_cast<uint64_t>(i));  // a new flow per alert
        r.src_port = static_cast<uint16_t>(40000 + i);
        r.dest_ip = i % 3 == 0 ? "10.0.0.3" : "10.0.0.2";
        recs.push_back(r);
    }
    insert_in_batches(store, recs, 50);
    EXPECT_EQ(query_column(store.handle(), "SELECT dest_ip || ' ' || count FROM alerts ORDER BY id"),
              (std::vector<std::string>{"10.0.0.3 100", "10.0.0.2 200"}));
}

TEST(Aggregation, NoneKeyStoresEveryAlert)
{
    ScratchDir dir;
    StoreOptions options;
    options.aggregation.key = AggregationKey::None;
    auto store = Store::open(dir.file("a.db"), options);
    std::vector<Record> recs;
    for (int i = 0; i < 1000; ++i)
        recs.push_back(make_alert(i, 1));
    const auto r = insert_in_batches(store, recs, 100);
    EXPECT_EQ(r.alerts, 1000u);
    EXPECT_EQ(r.aggregated, 0u);
    EXPECT_EQ(store.count_alert_rows(), 1000);
    EXPECT_EQ(query_int(store.handle(), "SELECT count(*) FROM alerts WHERE agg_key IS NOT NULL"), 0);
}

TEST(Aggregation, ContinuesAfterReopen)
{
    ScratchDir dir;
    const auto path = dir.file("a.db");
    {
        auto store = Store::open(path);
        const std::vector<Record> recs{make_alert(0, 5), make_alert(second, 5)};
        store.insert_batch(recs);
    }
    auto store = Store::open(path);  // empty cache: the row is found through SQL
    const std::vector<Record> recs{make_alert(30 * second, 5), make_alert(200 * second, 5)};
    const auto r = store.insert_batch(recs);
    EXPECT_EQ(r.aggregated, 1u);
    EXPECT_EQ(r.alerts, 1u);
    EXPECT_EQ(rows(store), (std::vector<std::string>{"5 42 3 0 30000000", "5 42 1 200000000 200000000"}));
}

TEST(Aggregation, CacheIsBoundedAndFallsBackToSql)
{
    ScratchDir dir;
    StoreOptions options;
    options.aggregation.max_open = 10;
    auto store = Store::open(dir.file("a.db"), options);
    std::vector<Record> recs;
    for (int round = 0; round < 3; ++round)
        for (int flow = 0; flow < 100; ++flow)
            recs.push_back(make_alert(round * second + flow, 77, static_cast<uint64_t>(flow)));
    const auto r = insert_in_batches(store, recs, 25);
    EXPECT_EQ(r.alerts, 100u);
    EXPECT_EQ(r.aggregated, 200u);
    EXPECT_EQ(query_column(store.handle(), "SELECT DISTINCT count FROM alerts"),
              std::vector<std::string>{"3"});
    const auto st = store.stats();
    EXPECT_LE(st.open_windows, 10u);
    EXPECT_GT(st.window_evictions, 0u);
}

TEST(Aggregation, ClosedRowsAreNotReopened)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("a.db"));
    const std::vector<Record> first{make_alert(0, 3)};
    store.insert_batch(first);
    const std::vector<int64_t> id{1};
    const Actor ana{"ana", 1};
    store.set_status(id, AlertStatus::Acknowledged, ana);
    const std::vector<Record> second_batch{make_alert(second, 3)};
    EXPECT_EQ(store.insert_batch(second_batch).aggregated, 1u);  // acknowledged: still open
    store.set_status(id, AlertStatus::Resolved, ana);
    const std::vector<Record> third{make_alert(2 * second, 3), make_alert(3 * second, 3)};
    const auto r = store.insert_batch(third);
    EXPECT_EQ(r.alerts, 1u);  // a resolved alert firing again is news
    EXPECT_EQ(r.aggregated, 1u);
    EXPECT_EQ(query_column(store.handle(), "SELECT status || ' ' || count FROM alerts ORDER BY id"),
              (std::vector<std::string>{"resolved 2", "new 2"}));
}

TEST(Aggregation, OutOfOrderAlertsWidenTheRow)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("a.db"));
    const std::vector<Record> recs{make_alert(100 * second, 4), make_alert(50 * second, 4),
                                   make_alert(30 * second, 4)};
    store.insert_batch(recs);
    EXPECT_EQ(rows(store), std::vector<std::string>{"4 42 3 30000000 100000000"});
    EXPECT_EQ(store.latest_alerts(1).at(0).ts_us, 100 * second);  // ts_us: the first stored alert
}

TEST(Aggregation, FailedBatchLeavesNoStaleWindow)
{
    ScratchDir dir;
    const auto path = dir.file("a.db");
    auto store = Store::open(path);
    RawDb(path).exec(
        "CREATE TRIGGER reject AFTER INSERT ON alerts WHEN NEW.sid = 666 "
        "BEGIN SELECT RAISE(ABORT, 'rejected by test'); END");
    const std::vector<Record> bad{make_alert(0, 1), make_alert(1, 666)};
    EXPECT_THROW(store.insert_batch(bad), StoreError);
    EXPECT_EQ(store.count_alert_rows(), 0);
    const std::vector<Record> good{make_alert(2, 1), make_alert(3, 1), make_event(4)};
    const auto r = store.insert_batch(good);
    EXPECT_EQ(r.alerts, 1u);
    EXPECT_EQ(r.aggregated, 1u);
    EXPECT_EQ(r.events, 1u);
    EXPECT_EQ(rows(store), std::vector<std::string>{"1 42 2 2 3"});
}

TEST(Aggregation, SetAggregationValidates)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("a.db"));
    AggregationConfig cfg;
    cfg.window_us = -1;
    EXPECT_THROW(store.set_aggregation(cfg), InvalidRequest);
    cfg.window_us = 5 * second;
    cfg.key = AggregationKey::Hosts;
    store.set_aggregation(cfg);
    EXPECT_EQ(store.aggregation().key, AggregationKey::Hosts);
    const std::vector<Record> recs{make_alert(0, 1, 1), make_alert(4 * second, 1, 2),
                                   make_alert(10 * second, 1, 3)};
    store.insert_batch(recs);
    EXPECT_EQ(store.count_alert_rows(), 2);
}

TEST(Evidence, FirstAlertsEvidenceIsKept)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("a.db"));
    Record a = make_alert(0, 1);
    a.evidence_pcap = make_pcap(3, 60);
    Record b = make_alert(second, 1);
    b.evidence_pcap = make_pcap(5, 60);
    const std::vector<Record> recs{a, b};
    const auto r = store.insert_batch(recs);
    EXPECT_EQ(r.evidence, 1u);
    EXPECT_EQ(store.evidence(1), a.evidence_pcap);
    EXPECT_EQ(store.evidence(2), std::nullopt);
    const auto d = store.alert_detail(1);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->evidence_packets, 3);
    EXPECT_FALSE(d->evidence_truncated);
    EXPECT_EQ(d->alert.evidence_bytes, static_cast<int64_t>(a.evidence_pcap.size()));
}

TEST(Evidence, OversizedPcapKeepsNewestPackets)
{
    ScratchDir dir;
    StoreOptions options;
    options.aggregation.key = AggregationKey::None;
    options.evidence_max_bytes = 24 + 3 * (16 + 100) + 50;  // room for 3 of the 10 packets
    auto store = Store::open(dir.file("a.db"), options);
    Record a = make_alert(0, 1);
    a.evidence_pcap = make_pcap(10, 100);
    Record tiny = make_alert(1, 2);  // room for no whole packet: the last one is cut
    tiny.evidence_pcap = make_pcap(1, 1000);
    Record junk = make_alert(2, 3);  // not a pcap and too long: dropped
    junk.evidence_pcap = std::string(1000, 'x');
    Record small_junk = make_alert(3, 4);  // not a pcap but fits: kept as is
    small_junk.evidence_pcap = "abc";
    const std::vector<Record> recs{a, tiny, junk, small_junk};
    const auto r = store.insert_batch(recs);
    EXPECT_EQ(r.evidence, 3u);
    EXPECT_EQ(r.evidence_truncated, 3u);
    const auto got = store.evidence(1);
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, a.evidence_pcap.substr(0, 24) + a.evidence_pcap.substr(24 + 7 * 116));
    EXPECT_EQ(got->back(), '\x09');  // the triggering (last) packet is there
    EXPECT_EQ(store.alert_detail(1)->evidence_packets, 3);
    EXPECT_TRUE(store.alert_detail(1)->evidence_truncated);
    const auto cut = store.evidence(2);
    ASSERT_TRUE(cut);
    EXPECT_EQ(cut->size(), options.evidence_max_bytes);
    EXPECT_EQ(static_cast<uint8_t>((*cut)[24 + 8]) | static_cast<uint8_t>((*cut)[24 + 9]) << 8,
              options.evidence_max_bytes - 24 - 16);  // incl_len
    EXPECT_EQ(static_cast<uint8_t>((*cut)[24 + 12]) | static_cast<uint8_t>((*cut)[24 + 13]) << 8,
              1000);  // orig_len
    EXPECT_EQ(store.evidence(3), std::nullopt);
    EXPECT_EQ(store.evidence(4), "abc");
}

}  // namespace
}  // namespace otsentry::alerts
