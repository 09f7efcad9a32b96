// Triage (status, assignee, comments, history, audit log), suppression, and the UI's queries
// (filters, cursor pages, facet counts, detail), with explicit numbers.
#include <sqlite3.h>

#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "alerts/store.h"
#include "alerts/tests/scratch_dir.h"
#include "alerts/tests/test_util.h"

namespace otsentry::alerts {
namespace {

using test::make_alert;
using test::query_column;
using test::query_int;
using test::ScratchDir;
using ::testing::ElementsAre;

constexpr int64_t second = 1'000'000;

// A store of 300 alert rows (no aggregation), alert i (i = 0..299) at second i:
// severity 1 + i % 3; app_proto modbus for even i, dnp3 for odd; sid 1000 + i % 5;
// src 10.0.0.(i % 4), dest 10.0.1.1; signature "sig <sid>", and "100% write_x" for i % 50 == 0.
Store make_dataset(const ScratchDir& dir)
{
    StoreOptions options;
    options.aggregation.key = AggregationKey::None;
    auto store = Store::open(dir.file("t.db"), options);
    std::vector<Record> recs;
    for (int i = 0; i < 300; ++i) {
        Record r = make_alert(i * second, 1000 + static_cast<uint32_t>(i % 5), static_cast<uint64_t>(i),
                              static_cast<uint8_t>(1 + i % 3));
        r.app_proto = i % 2 == 0 ? "modbus" : "dnp3";
        r.src_ip = "10.0.0." + std::to_string(i % 4);
        r.dest_ip = "10.0.1.1";
        if (i % 50 == 0) r.signature = "100% write_x";
        recs.push_back(r);
    }
    store.insert_batch(recs);
    return store;
}

TEST(Triage, StatusNames)
{
    EXPECT_EQ(to_string(AlertStatus::FalsePositive), "false_positive");
    for (auto s :
         {AlertStatus::New, AlertStatus::Acknowledged, AlertStatus::Resolved, AlertStatus::FalsePositive})
        EXPECT_EQ(parse_status(to_string(s)), s);
    EXPECT_EQ(parse_status("closed"), std::nullopt);
    EXPECT_EQ(parse_status(""), std::nullopt);
    EXPECT_EQ(parse_status("New"), std::nullopt);
}

TEST(Triage, SetStatusRecordsHistoryAndAudit)
{
    ScratchDir dir;
    auto store = make_dataset(dir);
    const std::vector<int64_t> ids{1, 2, 999};
    const auto r = store.set_status(ids, AlertStatus::Acknowledged, Actor{"ana", 5000}, "looking");
    EXPECT_EQ(r.changed, (std::vector<int64_t>{1, 2}));
    EXPECT_TRUE(r.unchanged.empty());
    EXPECT_EQ(r.missing, std::vector<int64_t>{999});
    const auto again =
        store.set_status(std::vector<int64_t>{1}, AlertStatus::Acknowledged, Actor{"bob", 6000});
    EXPECT_EQ(again.unchanged, std::vector<int64_t>{1});
    EXPECT_EQ(query_int(store.handle(), "SELECT count(*) FROM audit_log"), 3);  // no change: not audited
    store.set_status(std::vector<int64_t>{1}, AlertStatus::Resolved, Actor{"bob", 7000});

    const auto d = store.alert_detail(1);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->alert.status, AlertStatus::Resolved);
    EXPECT_EQ(d->alert.updated_us, 7000);
    ASSERT_EQ(d->history.size(), 2u);
    EXPECT_EQ(d->history[0].actor, "ana");
    EXPECT_EQ(d->history[0].ts_us, 5000);
    EXPECT_EQ(d->history[0].field, "status");
    EXPECT_EQ(d->history[0].old_value, "new");
    EXPECT_EQ(d->history[0].new_value, "acknowledged");
    EXPECT_EQ(d->history[1].old_value, "acknowledged");
    EXPECT_EQ(d->history[1].new_value, "resolved");
    ASSERT_EQ(d->comments.size(), 1u);
    EXPECT_EQ(d->comments[0].text, "looking");
    EXPECT_EQ(d->comments[0].actor, "ana");
    EXPECT_EQ(store.alert_detail(3)->alert.status, AlertStatus::New);
    EXPECT_EQ(store.alert_detail(3)->alert.updated_us, 0);

    const auto log = store.audit_log(100);  // newest first
    ASSERT_EQ(log.size(), 4u);
    EXPECT_EQ(log[0].action, "alert.status");
    EXPECT_EQ(log[0].actor, "bob");
    EXPECT_EQ(log[0].target, "alert/1");
    EXPECT_EQ(nlohmann::json::parse(log[0].detail),
              (nlohmann::json{{"field", "status"}, {"old", "acknowledged"}, {"new", "resolved"}}));
    EXPECT_FALSE(log[1].ok);  // the missing id 999
    EXPECT_EQ(nlohmann::json::parse(log[1].detail).at("missing"), nlohmann::json::array({999}));
    EXPECT_TRUE(log[2].ok);
    EXPECT_TRUE(log[3].ok);
}

TEST(Triage, AssignAndComment)
{
    ScratchDir dir;
    auto store = make_dataset(dir);
    const std::vector<int64_t> ids{5, 6};
    EXPECT_EQ(store.assign(ids, "carol", Actor{"ana", 10}).changed, ids);
    EXPECT_EQ(store.assign(std::vector<int64_t>{5}, "", Actor{"ana", 20}).changed, std::vector<int64_t>{5});
    EXPECT_EQ(store.alert_detail(5)->alert.assignee, "");
    EXPECT_EQ(store.alert_detail(6)->alert.assignee, "carol");
    const int64_t c1 = store.add_comment(6, "PLC firmware upload by the vendor", Actor{"ana", 30});
    const int64_t c2 = store.add_comment(6, "confirmed with site", Actor{"bob", 40});
    EXPECT_LT(c1, c2);
    const auto d = store.alert_detail(6);
    ASSERT_EQ(d->comments.size(), 2u);
    EXPECT_EQ(d->comments[1].text, "confirmed with site");
    ASSERT_EQ(d->history.size(), 1u);
    EXPECT_EQ(d->history[0].field, "assignee");
    EXPECT_EQ(d->history[0].new_value, "carol");
    EXPECT_THROW(store.add_comment(12345, "x", Actor{"ana", 1}), InvalidRequest);
    EXPECT_EQ(query_int(store.handle(), "SELECT count(*) FROM audit_log WHERE action = 'alert.comment'"), 2);
}

TEST(Triage, InputValidation)
{
    ScratchDir dir;
    auto store = make_dataset(dir);
    const std::vector<int64_t> one{1};
    EXPECT_THROW(store.set_status({}, AlertStatus::Resolved, Actor{"ana", 1}), InvalidRequest);
    EXPECT_THROW(store.set_status(std::vector<int64_t>(1001, 1), AlertStatus::Resolved, Actor{"ana", 1}),
                 InvalidRequest);
    EXPECT_THROW(store.set_status(std::vector<int64_t>{0}, AlertStatus::Resolved, Actor{"ana", 1}),
                 InvalidRequest);
    EXPECT_THROW(store.set_status(one, AlertStatus::Resolved, Actor{"", 1}), InvalidRequest);
    EXPECT_THROW(store.set_status(one, AlertStatus::Resolved, Actor{std::string(65, 'a'), 1}),
                 InvalidRequest);
    EXPECT_THROW(store.set_status(one, AlertStatus::Resolved, Actor{"ana", 1}, std::string(4001, 'c')),
                 InvalidRequest);
    EXPECT_THROW(store.add_comment(1, "", Actor{"ana", 1}), InvalidRequest);
    EXPECT_THROW(store.assign(one, std::string(65, 'x'), Actor{"ana", 1}), InvalidRequest);
    AlertFilter f;
    f.limit = 0;
    EXPECT_THROW(store.list_alerts(f), InvalidRequest);
    f.limit = 1001;
    EXPECT_THROW(store.list_alerts(f), InvalidRequest);
    f.limit = 1000;
    EXPECT_EQ(store.list_alerts(f).alerts.size(), 300u);
    EXPECT_THROW(store.count_by(Facet::Sid, AlertFilter{}, 0), InvalidRequest);
    EXPECT_THROW(store.audit_log(1001), InvalidRequest);
    // Nothing was written by the refused calls.
    EXPECT_EQ(query_int(store.handle(), "SELECT count(*) FROM audit_log"), 0);
    EXPECT_EQ(query_int(store.handle(), "SELECT count(*) FROM alerts WHERE status != 'new'"), 0);
}

TEST(Queries, FiltersWithExplicitNumbers)
{
    ScratchDir dir;
    auto store = make_dataset(dir);
    const auto count = [&](AlertFilter f) {
        f.limit = 1000;
        return store.list_alerts(f).alerts.size();
    };
    EXPECT_EQ(count({}), 300u);
    AlertFilter f;
    f.severities = {1};
    EXPECT_EQ(count(f), 100u);
    f.severities = {1, 3};
    EXPECT_EQ(count(f), 200u);
    f = {};
    f.app_proto = "dnp3";
    EXPECT_EQ(count(f), 150u);
    f.severities = {2};  // i % 3 == 1 and i odd: i % 6 == 1
    EXPECT_EQ(count(f), 50u);
    f = {};
    f.sid = 1003;
    EXPECT_EQ(count(f), 60u);
    f = {};
    f.host = "10.0.0.2";
    EXPECT_EQ(count(f), 75u);
    f.host = "10.0.1.1";  // as destination
    EXPECT_EQ(count(f), 300u);
    f = {};
    f.since_us = 250 * second;
    EXPECT_EQ(count(f), 50u);
    f.until_us = 260 * second;
    EXPECT_EQ(count(f), 10u);
    f = {};
    f.text = "100%";  // % is literal, not a wildcard
    EXPECT_EQ(count(f), 6u);
    f.text = "WRITE_X";  // case-insensitive; _ is literal
    EXPECT_EQ(count(f), 6u);
    f.text = "100_";
    EXPECT_EQ(count(f), 0u);
    f = {};
    f.text = "'; DROP TABLE alerts; --";
    EXPECT_EQ(count(f), 0u);
    f.text.clear();
    f.host = "' OR 1=1 --";
    EXPECT_EQ(count(f), 0u);
    EXPECT_EQ(store.count_alert_rows(), 300);

    store.set_status(std::vector<int64_t>{1, 2, 3}, AlertStatus::FalsePositive, Actor{"ana", 1});
    store.set_status(std::vector<int64_t>{4}, AlertStatus::Resolved, Actor{"ana", 1});
    f = {};
    f.statuses = {AlertStatus::FalsePositive, AlertStatus::Resolved};
    EXPECT_EQ(count(f), 4u);
    f.statuses = {AlertStatus::New};
    EXPECT_EQ(count(f), 296u);
}

TEST(Queries, CursorPagesVisitEveryRowOnceNewestFirst)
{
    ScratchDir dir;
    auto store = make_dataset(dir);
    AlertFilter f;
    f.limit = 70;
    f.app_proto = "modbus";  // 150 rows: pages of 70, 70, 10
    std::vector<int64_t> seen;
    std::vector<size_t> sizes;
    for (int page = 0; page < 10; ++page) {
        const auto p = store.list_alerts(f);
        sizes.push_back(p.alerts.size());
        for (const auto& a : p.alerts)
            seen.push_back(a.id);
        if (!p.next) break;
        EXPECT_EQ(p.next->id, p.alerts.back().id);
        f.before = p.next;
    }
    EXPECT_EQ(sizes, (std::vector<size_t>{70, 70, 10}));
    ASSERT_EQ(seen.size(), 150u);
    EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(), 150u);
    EXPECT_TRUE(std::is_sorted(seen.rbegin(), seen.rend()));
    EXPECT_EQ(seen.front(), 299);  // i = 298 is the newest modbus alert: id 299
}

TEST(Queries, FacetCounts)
{
    ScratchDir dir;
    auto store = make_dataset(dir);
    const auto sev = store.count_by(Facet::Severity, {});
    ASSERT_EQ(sev.size(), 3u);
    for (const auto& c : sev) {
        EXPECT_EQ(c.rows, 100);
        EXPECT_EQ(c.alerts, 100);
    }
    AlertFilter f;
    f.app_proto = "modbus";
    const auto sids = store.count_by(Facet::Sid, f, 2);
    ASSERT_EQ(sids.size(), 2u);  // 30 each for 5 sids: ties ordered by value
    EXPECT_EQ(sids[0].value, "1000");
    EXPECT_EQ(sids[0].rows, 30);
    const auto protos = store.count_by(Facet::AppProto, {});
    ASSERT_EQ(protos.size(), 2u);
    EXPECT_EQ(protos[0].rows, 150);
    const auto src = store.count_by(Facet::SrcIp, {});
    ASSERT_EQ(src.size(), 4u);
    EXPECT_EQ(src[0].value, "10.0.0.0");
    EXPECT_EQ(src[0].rows, 75);
    EXPECT_EQ(store.count_by(Facet::DestIp, {}).at(0).rows, 300);
    store.set_status(std::vector<int64_t>{1, 2}, AlertStatus::Acknowledged, Actor{"ana", 1});
    const auto st = store.count_by(Facet::Status, {});
    ASSERT_EQ(st.size(), 2u);
    EXPECT_EQ(st[0].value, "new");
    EXPECT_EQ(st[0].rows, 298);
    EXPECT_EQ(st[1].value, "acknowledged");
    EXPECT_EQ(parse_facet("dst"), Facet::DestIp);
    EXPECT_EQ(parse_facet("signature"), std::nullopt);
}

TEST(Queries, FacetAlertsCountAggregatedAlerts)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("t.db"));
    std::vector<Record> recs;
    for (int i = 0; i < 40; ++i)
        recs.push_back(make_alert(i * second, i < 30 ? 1 : 2));
    store.insert_batch(recs);
    const auto sids = store.count_by(Facet::Sid, {});
    ASSERT_EQ(sids.size(), 2u);
    EXPECT_EQ(sids[0].value, "1");
    EXPECT_EQ(sids[0].rows, 1);
    EXPECT_EQ(sids[0].alerts, 30);
    EXPECT_EQ(sids[1].alerts, 10);
}

TEST(Suppression, MatchingAlertsAreCountedNotStored)
{
    ScratchDir dir;
    const auto path = dir.file("s.db");
    auto writer = Store::open(path);
    Record a = make_alert(0, 2000);
    writer.insert_batch(std::span<const Record>(&a, 1));
    // The analyst suppresses from another connection (the CLI).
    {
        auto cli = Store::open(path);
        EXPECT_EQ(cli.suppress(1, Actor{"ana", 77}, "vendor maintenance"), 1);
        EXPECT_EQ(cli.suppress(1, Actor{"ana", 78}, "again"), 1);  // the same suppression
        const auto list = cli.suppressions();
        ASSERT_EQ(list.size(), 1u);
        EXPECT_EQ(list[0].sid, 2000u);
        EXPECT_EQ(list[0].src_ip, "10.0.0.1");
        EXPECT_EQ(list[0].dest_ip, "10.0.0.2");
        EXPECT_EQ(list[0].from_alert_id, 1);
        EXPECT_EQ(list[0].reason, "vendor maintenance");
    }
    std::vector<Record> recs;
    for (int i = 0; i < 100; ++i)
        recs.push_back(make_alert((100 + i) * second, 2000));  // suppressed (past the window too)
    Record other_dest = make_alert(300 * second, 2000);
    other_dest.dest_ip = "10.0.0.9";
    recs.push_back(other_dest);
    recs.push_back(make_alert(301 * second, 2001));  // another sid
    const auto r = writer.insert_batch(recs);
    EXPECT_EQ(r.suppressed, 100u);
    EXPECT_EQ(r.alerts, 2u);
    EXPECT_EQ(writer.stats().inserted.suppressed, 100u);
    EXPECT_EQ(writer.count_alert_rows(), 3);
    EXPECT_EQ(writer.suppressions().at(0).hits, 100);
    EXPECT_EQ(query_int(writer.handle(), "SELECT last_hit_us FROM suppressions"), 199 * second);
    EXPECT_EQ(query_int(writer.handle(), "SELECT count(*) FROM audit_log WHERE action = 'suppression.add'"),
              1);

    EXPECT_TRUE(writer.remove_suppression(1, Actor{"ana", 90}));
    EXPECT_FALSE(writer.remove_suppression(1, Actor{"ana", 91}));
    const std::vector<Record> after{make_alert(1000 * second, 2000)};
    EXPECT_EQ(writer.insert_batch(after).suppressed, 0u);
    EXPECT_THROW(writer.suppress(4242, Actor{"ana", 1}, ""), InvalidRequest);
}

TEST(Suppression, AlertWithoutAddressesAndPrunedSource)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("s.db"));
    Record goose = make_alert(0, 3000);
    goose.src_ip.clear();
    goose.dest_ip.clear();
    store.insert_batch(std::span<const Record>(&goose, 1));
    store.suppress(1, Actor{"ana", 1}, "");
    Record later = goose;
    later.ts_us = 500 * second;
    EXPECT_EQ(store.insert_batch(std::span<const Record>(&later, 1)).suppressed, 1u);
    // The alert it came from is pruned: the suppression stays, without its origin.
    RetentionConfig cfg;
    cfg.alert_max_age_us = 1;
    store.prune(cfg, 10 * second);
    EXPECT_EQ(store.count_alert_rows(), 0);
    ASSERT_EQ(store.suppressions().size(), 1u);
    EXPECT_EQ(store.suppressions()[0].from_alert_id, 0);
    EXPECT_EQ(store.insert_batch(std::span<const Record>(&later, 1)).suppressed, 1u);
}

TEST(Audit, RecordAndRead)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("a.db"));
    store.record_audit(Actor{"admin", 5}, "user.login", "user/admin", R"({"ip":"127.0.0.1"})", false);
    store.record_audit(Actor{"admin", 6}, "user.login", "user/admin", R"({"ip":"127.0.0.1"})", true);
    const auto log = store.audit_log(1);
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0].ts_us, 6);
    EXPECT_TRUE(log[0].ok);
    EXPECT_THROW(store.record_audit(Actor{"admin", 7}, "", "", "{}", true), InvalidRequest);
    EXPECT_THAT(query_column(store.handle(), "SELECT ok FROM audit_log ORDER BY id"), ElementsAre("0", "1"));
}

}  // namespace
}  // namespace otsentry::alerts
