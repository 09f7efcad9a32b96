// Retention by age, row count and database size, in bounded batches, with explicit numbers.
#include <sqlite3.h>

#include <string>
#include <vector>

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
using test::ScratchDir;

constexpr int64_t day = 86'400'000'000LL;

// Retention that only does what the test turns on.
RetentionConfig nothing()
{
    RetentionConfig c;
    c.alert_max_age_us = c.alert_max_rows = c.event_max_age_us = c.event_max_rows = 0;
    c.max_db_bytes = c.audit_max_age_us = 0;
    return c;
}

Store open_plain(const ScratchDir& dir)
{
    StoreOptions options;
    options.aggregation.key = AggregationKey::None;
    return Store::open(dir.file("r.db"), options);
}

TEST(Retention, DefaultsKeepSixMonths)
{
    const RetentionConfig c;
    EXPECT_EQ(c.alert_max_age_us, 183 * day);
    EXPECT_EQ(c.batch_rows, 1000);
    EXPECT_EQ(c.max_batches, 10);
    EXPECT_GT(c.max_db_bytes, 0);
}

TEST(Retention, AlertsByAgeInBatches)
{
    ScratchDir dir;
    auto store = open_plain(dir);
    std::vector<Record> recs;
    for (int d = 0; d < 400; ++d)  // one alert a day for 400 days
        recs.push_back(make_alert(d * day, 1));
    store.insert_batch(recs);
    auto cfg = nothing();
    cfg.alert_max_age_us = RetentionConfig{}.alert_max_age_us;
    cfg.batch_rows = 50;
    // now = day 400: the cut-off is day 217, so days 0..216 go.
    const auto r = store.prune(cfg, 400 * day);
    EXPECT_EQ(r.alerts_by_age, 217);
    EXPECT_EQ(r.alerts(), 217);
    EXPECT_EQ(r.batches, 5);  // 50 + 50 + 50 + 50 + 17
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(store.count_alert_rows(), 183);
    EXPECT_EQ(query_int(store.handle(), "SELECT min(ts_us) FROM alerts"), 217 * day);
    EXPECT_EQ(store.prune(cfg, 400 * day).alerts(), 0);  // idempotent
}

TEST(Retention, AgeCountsFromLastSeen)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("r.db"));  // aggregation on
    std::vector<Record> recs;
    for (int i = 0; i <= 200; ++i)  // a storm on one flow, an alert every 30 s for 100 minutes
        recs.push_back(make_alert(i * 30'000'000LL, 9));
    recs.push_back(make_alert(0, 10));  // a single alert at the start
    store.insert_batch(recs);
    ASSERT_EQ(store.count_alert_rows(), 2);
    auto cfg = nothing();
    cfg.alert_max_age_us = 60 * 60'000'000LL;             // one hour
    const auto r = store.prune(cfg, 100 * 60'000'000LL);  // now = minute 100
    EXPECT_EQ(r.alerts_by_age, 1);
    EXPECT_EQ(query_column(store.handle(), "SELECT sid || ' ' || count FROM alerts"),
              std::vector<std::string>{"9 201"});
}

TEST(Retention, PrunedAlertsTakeTheirTriageAndEvidence)
{
    ScratchDir dir;
    auto store = open_plain(dir);
    std::vector<Record> recs;
    for (int i = 0; i < 10; ++i) {
        Record r = make_alert(i * day, 1);
        r.evidence_pcap = make_pcap(2, 64);
        recs.push_back(r);
    }
    store.insert_batch(recs);
    const Actor ana{"ana", 1};
    store.set_status(std::vector<int64_t>{1, 2, 9}, AlertStatus::Acknowledged, ana, "seen");
    store.add_comment(2, "more", ana);
    auto cfg = nothing();
    cfg.alert_max_age_us = 5 * day;
    EXPECT_EQ(store.prune(cfg, 10 * day).alerts_by_age, 5);  // days 0..4
    sqlite3* db = store.handle();
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM evidence"), 5);
    EXPECT_EQ(query_int(db, "SELECT min(alert_id) FROM evidence"), 6);
    EXPECT_EQ(query_column(db, "SELECT alert_id FROM comments"), std::vector<std::string>{"9"});
    EXPECT_EQ(query_column(db, "SELECT alert_id FROM triage_history"), std::vector<std::string>{"9"});
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM audit_log"), 4);  // the audit log is kept
    EXPECT_EQ(query_column(db, "PRAGMA foreign_key_check"), std::vector<std::string>{});
}

TEST(Retention, ByRowCountKeepsTheNewest)
{
    ScratchDir dir;
    auto store = open_plain(dir);
    std::vector<Record> recs;
    for (int i = 0; i < 2500; ++i)
        recs.push_back(make_alert(i, 1));
    for (int i = 0; i < 1200; ++i)
        recs.push_back(make_event(i));
    store.insert_batch(recs);
    auto cfg = nothing();
    cfg.alert_max_rows = 1000;
    cfg.event_max_rows = 200;
    const auto r = store.prune(cfg, 0);
    EXPECT_EQ(r.alerts_by_rows, 1500);
    EXPECT_EQ(r.events_by_rows, 1000);
    EXPECT_EQ(r.batches, 2 + 1);  // 1000 + 500 alerts, 1000 events
    EXPECT_EQ(store.count_alert_rows(), 1000);
    EXPECT_EQ(store.count_events(), 200);
    EXPECT_EQ(query_int(store.handle(), "SELECT min(id) FROM alerts"), 1501);
    EXPECT_EQ(store.prune(cfg, 0).alerts(), 0);
}

TEST(Retention, ByRowCountAfterAgeLeftGaps)
{
    ScratchDir dir;
    auto store = open_plain(dir);
    std::vector<Record> recs;
    for (int i = 0; i < 100; ++i)  // every tenth alert is a year older than the others
        recs.push_back(make_alert(i % 10 == 0 ? 0 : 400 * day + i, 1));
    store.insert_batch(recs);
    auto cfg = nothing();
    cfg.alert_max_age_us = 183 * day;
    cfg.alert_max_rows = 50;
    const auto r = store.prune(cfg, 401 * day);
    EXPECT_EQ(r.alerts_by_age, 10);
    EXPECT_EQ(r.alerts_by_rows, 40);  // 90 left by age, 50 kept
    EXPECT_EQ(store.count_alert_rows(), 50);
    EXPECT_EQ(query_int(store.handle(), "SELECT min(id) FROM alerts"), 46);  // ids 46..100 but 51, 61, ...
}

TEST(Retention, EventsFlowsAndAuditByAge)
{
    ScratchDir dir;
    auto store = open_plain(dir);
    std::vector<Record> recs;
    for (int d = 0; d < 40; ++d)
        recs.push_back(make_event(d * day));
    store.insert_batch(recs);
    std::vector<FlowSummary> flows(40);
    for (int d = 0; d < 40; ++d)
        flows[static_cast<size_t>(d)].first_ts_us = flows[static_cast<size_t>(d)].last_ts_us = d * day;
    store.insert_flows(flows);
    for (int d = 0; d < 40; ++d)
        store.record_audit(Actor{"ana", d * day}, "user.login", "user/ana", "{}", true);
    auto cfg = nothing();
    cfg.event_max_age_us = 30 * day;
    cfg.audit_max_age_us = 10 * day;
    const auto r = store.prune(cfg, 40 * day);
    EXPECT_EQ(r.events_by_age, 10);  // days 0..9
    EXPECT_EQ(r.flows_by_age, 10);
    EXPECT_EQ(r.audit_by_age, 30);  // days 0..29
    EXPECT_EQ(store.count_events(), 30);
    EXPECT_EQ(query_int(store.handle(), "SELECT count(*) FROM flows"), 30);
}

TEST(Retention, MaxBatchesBoundsOneCall)
{
    ScratchDir dir;
    auto store = open_plain(dir);
    std::vector<Record> recs;
    for (int i = 0; i < 100; ++i)
        recs.push_back(make_alert(i, 1));
    store.insert_batch(recs);
    auto cfg = nothing();
    cfg.alert_max_age_us = 1;
    cfg.batch_rows = 10;
    cfg.max_batches = 3;
    const auto r1 = store.prune(cfg, 1'000'000);
    EXPECT_EQ(r1.alerts_by_age, 30);
    EXPECT_FALSE(r1.complete);
    int calls = 1;
    while (store.count_alert_rows() > 0 && calls < 10) {
        store.prune(cfg, 1'000'000);
        ++calls;
    }
    EXPECT_EQ(calls, 4);  // 30 + 30 + 30 + 10
    EXPECT_TRUE(store.prune(cfg, 1'000'000).complete);
    cfg.batch_rows = 0;
    EXPECT_THROW(store.prune(cfg, 0), InvalidRequest);
}

TEST(Retention, BySizeDropsEventsFirstThenOldestAlertsAndVacuums)
{
    ScratchDir dir;
    auto store = open_plain(dir);
    std::vector<Record> recs;
    for (int i = 0; i < 400; ++i) {  // ~400 x 10 KiB of evidence
        Record r = make_alert(i, 1);
        r.evidence_pcap = make_pcap(1, 10'000);
        recs.push_back(r);
    }
    for (int i = 0; i < 2000; ++i)
        recs.push_back(make_event(i));
    store.insert_batch(recs);
    const int64_t before = store.database_bytes();
    ASSERT_GT(before, 4'000'000);
    auto cfg = nothing();
    cfg.max_db_bytes = 2'000'000;
    cfg.batch_rows = 20;
    cfg.max_batches = 1000;
    const auto r = store.prune(cfg, 0);
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(r.events_by_size, 2000);
    EXPECT_GT(r.alerts_by_size, 150);
    EXPECT_LT(r.alerts_by_size, 300);
    EXPECT_EQ(store.count_events(), 0);
    // The newest alerts are the ones kept.
    EXPECT_EQ(query_int(store.handle(), "SELECT max(id) FROM alerts"), 400);
    EXPECT_EQ(query_int(store.handle(), "SELECT min(id) FROM alerts"), r.alerts_by_size + 1);
    // Incremental vacuum gave the pages back: the file itself shrank below the limit.
    EXPECT_GT(r.pages_vacuumed, 0);
    EXPECT_LE(store.database_bytes(), cfg.max_db_bytes);
    EXPECT_EQ(query_int(store.handle(), "PRAGMA freelist_count"), 0);
    EXPECT_EQ(test::query_text(store.handle(), "PRAGMA integrity_check"), "ok");
}

}  // namespace
}  // namespace otsentry::alerts
