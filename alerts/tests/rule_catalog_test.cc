// Schema v3: the rule catalogue, rule states and uploaded rule files the web UI reads and changes,
// the live capture's statistics, runs still going, and the upgrade from v2.
#include "alerts/rule_catalog.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "alerts/store.h"
#include "alerts/tests/scratch_dir.h"
#include "alerts/tests/test_util.h"

namespace otsentry::alerts {
namespace {

using test::make_alert;
using test::query_int;
using test::query_text;
using test::RawDb;
using test::ScratchDir;

CatalogRule rule(uint32_t sid, std::string proto, std::string msg, std::string state, uint32_t line)
{
    CatalogRule r;
    r.sid = sid;
    r.rev = 2;
    r.action = "alert";
    r.proto = std::move(proto);
    r.msg = std::move(msg);
    r.classtype = "attempted-dos";
    r.severity = 1;
    r.source = "default/ics.rules";
    r.line = line;
    r.state = std::move(state);
    r.text =
        "alert " + r.proto + " any any -> any any (msg:\"" + r.msg + "\"; sid:" + std::to_string(sid) + ";)";
    return r;
}

std::vector<CatalogRule> sample()
{
    std::vector<CatalogRule> rules{rule(1001001, "modbus", "Modbus force listen only", "active", 10),
                                   rule(1001002, "modbus", "Modbus write coil", "active", 20),
                                   rule(1005001, "enip", "CIP stop", "unavailable", 30),
                                   rule(1002001, "dnp3", "DNP3 cold restart", "disabled", 40)};
    rules[2].reason = "protocol not available: enip";
    CatalogRule bad;
    bad.source = "db:site.rules";
    bad.line = 3;
    bad.state = "rejected";
    bad.reason = "unknown option 'contnet'";
    bad.text = "alert tcp any any -> any any (contnet:\"x\";)";
    rules.push_back(bad);
    return rules;
}

RuleLoadInfo info_at(int64_t ts)
{
    RuleLoadInfo info;
    info.ts_us = ts;
    info.summary = "4 rules loaded (1 unavailable), 1 rejected";
    info.sources = {"default/ics.rules", "db:site.rules"};
    info.vars = {{"HOME_NET", "[10.0.0.0/8]"}};
    return info;
}

TEST(RuleCatalog, SavedLoadIsListedWithFiltersStatesAndAlertCounts)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("c.db"));
    EXPECT_FALSE(rule_load_info(store));
    save_rule_catalog(store, sample(), info_at(1000));
    // Two alerts of sid 1001001 aggregated into one row with count 2, one of another sid.
    const std::vector<Record> batch{make_alert(5, 1001001, 7), make_alert(6, 1001001, 7),
                                    make_alert(7, 1001002, 8)};
    store.insert_batch(batch);

    const auto info = rule_load_info(store);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->ts_us, 1000);
    EXPECT_EQ(info->sources, (std::vector<std::string>{"default/ics.rules", "db:site.rules"}));
    ASSERT_EQ(info->vars.size(), 1u);
    EXPECT_EQ(info->vars[0].second, "[10.0.0.0/8]");
    EXPECT_FALSE(info->pending());

    auto all = list_rule_catalog(store, {});
    EXPECT_EQ(all.total, 5);
    ASSERT_EQ(all.rules.size(), 5u);
    // By source, then line: db:site.rules sorts before default/.
    EXPECT_EQ(all.rules[0].rule.state, "rejected");
    EXPECT_FALSE(all.rules[0].rule.sid);
    EXPECT_EQ(all.rules[1].rule.sid, 1001001u);
    EXPECT_EQ(all.rules[1].alerts, 2);
    EXPECT_EQ(all.rules[2].alerts, 1);
    EXPECT_TRUE(all.rules[1].enabled);

    CatalogFilter f;
    f.text = "LISTEN only";  // case-insensitive, message or text
    auto page = list_rule_catalog(store, f);
    ASSERT_EQ(page.total, 1);
    EXPECT_EQ(page.rules[0].rule.msg, "Modbus force listen only");
    f = {};
    f.states = {"unavailable", "disabled"};
    EXPECT_EQ(list_rule_catalog(store, f).total, 2);
    f = {};
    f.proto = "modbus";
    f.limit = 1;
    f.offset = 1;
    page = list_rule_catalog(store, f);
    EXPECT_EQ(page.total, 2);
    ASSERT_EQ(page.rules.size(), 1u);
    EXPECT_EQ(page.rules[0].rule.sid, 1001002u);
    f = {};
    f.text = "%";  // LIKE metacharacters are plain text here
    EXPECT_EQ(list_rule_catalog(store, f).total, 0);

    // A new load replaces the catalogue.
    save_rule_catalog(store, {rule(1001001, "modbus", "Modbus force listen only", "active", 10)},
                      info_at(2000));
    EXPECT_EQ(list_rule_catalog(store, {}).total, 1);
    EXPECT_EQ(rule_load_info(store)->ts_us, 2000);
}

TEST(RuleCatalog, RuleStatesAndFileChangesMarkTheSetPending)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("c.db"));
    // Before any load: changes are kept, and there is still no load to show.
    set_rule_enabled(store, 1, 1001001, false, "ana", 500);
    EXPECT_FALSE(rule_load_info(store));
    save_rule_catalog(store, sample(), info_at(1000));
    EXPECT_FALSE(rule_load_info(store)->pending());
    EXPECT_EQ(disabled_rules(store), (std::vector<std::pair<uint32_t, uint32_t>>{{1, 1001001}}));
    EXPECT_FALSE(find_catalog_rule(store, 1, 1001001)->enabled);

    set_rule_enabled(store, 1, 1001001, true, "ana", 1500);
    EXPECT_TRUE(rule_load_info(store)->pending());
    EXPECT_TRUE(disabled_rules(store).empty());
    EXPECT_EQ(query_text(store.handle(), "SELECT updated_by FROM rules_state"), "ana");
    save_rule_catalog(store, sample(), info_at(2000));
    EXPECT_FALSE(rule_load_info(store)->pending());

    RuleFile file;
    file.name = "site.rules";
    file.text = "alert tcp any any -> any 502 (msg:\"x\"; sid:9000001;)\n";
    file.rules = 1;
    file.uploaded_by = "admin";
    save_rule_file(store, file, 2500);
    EXPECT_TRUE(rule_load_info(store)->pending());
    const auto listed = list_rule_files(store);
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].bytes, static_cast<int64_t>(file.text.size()));
    EXPECT_TRUE(listed[0].text.empty());
    EXPECT_EQ(find_rule_file(store, "site.rules")->text, file.text);
    EXPECT_EQ(load_rule_files(store).at(0).text, file.text);
    save_rule_catalog(store, sample(), info_at(3000));
    EXPECT_FALSE(delete_rule_file(store, "other.rules", 3500));
    EXPECT_FALSE(rule_load_info(store)->pending());
    EXPECT_TRUE(delete_rule_file(store, "site.rules", 3500));
    EXPECT_TRUE(rule_load_info(store)->pending());
    EXPECT_FALSE(find_rule_file(store, "site.rules"));
}

TEST(RuleCatalog, RuleFileNamesAreStrict)
{
    EXPECT_TRUE(valid_rule_file_name("local.rules"));
    EXPECT_TRUE(valid_rule_file_name("Site_2-b.v1.rules"));
    for (const char* bad : {"", ".rules", "-x.rules", "x.rule", "x.rules.txt", "../x.rules", "a/b.rules",
                            "x y.rules", "x;.rules"})
        EXPECT_FALSE(valid_rule_file_name(bad)) << bad;
    EXPECT_FALSE(valid_rule_file_name(std::string(59, 'a') + ".rules"));
    EXPECT_TRUE(valid_rule_file_name(std::string(58, 'a') + ".rules"));
    ScratchDir dir;
    auto store = Store::open(dir.file("c.db"));
    RuleFile f;
    f.name = "../evil.rules";
    EXPECT_THROW(save_rule_file(store, f, 1), InvalidRequest);
}

TEST(CaptureStats, StoreKeepsTheNewestDayOfStatistics)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("s.db"));
    std::vector<Record> batch;
    for (int i = 0; i < 1445; ++i) {
        Record r;
        r.kind = RecordKind::Stats;
        r.ts_us = 1'000'000LL * (i + 1);
        r.eve_json = "{\"event_type\":\"stats\",\"stats\":{\"uptime\":" + std::to_string(i) + "}}";
        batch.push_back(std::move(r));
    }
    batch.push_back(make_alert(5, 1001001));
    const auto res = store.insert_batch(batch);
    EXPECT_EQ(res.alerts, 1u);
    EXPECT_EQ(res.events, 0u);
    EXPECT_EQ(query_int(store.handle(), "SELECT count(*) FROM capture_stats"), 1440);
    const auto newest = capture_stats(store, 3);
    ASSERT_EQ(newest.size(), 3u);
    EXPECT_EQ(newest[0].first, 1'443'000'000);  // oldest first
    EXPECT_EQ(newest[2].first, 1'445'000'000);
    EXPECT_EQ(newest[2].second, "{\"event_type\":\"stats\",\"stats\":{\"uptime\":1444}}");
    EXPECT_EQ(store.count_events(), 0);
}

TEST(Runs, ARunStillGoingHasNoEndUntilFinished)
{
    ScratchDir dir;
    auto store = Store::open(dir.file("r.db"));
    store.record_run(RunRecord{.started_us = 1, .finished_us = 2, .command = "replay", .inputs = {"a.pcap"}});
    const auto id = store.record_run(RunRecord{.started_us = 10, .command = "monitor", .inputs = {"eth1"}});
    auto runs = recent_runs(store, 10);
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_EQ(runs[0].command, "monitor");
    EXPECT_EQ(runs[0].finished_us, 0);
    EXPECT_EQ(query_int(store.handle(), "SELECT count(*) FROM runs WHERE finished_us IS NULL"), 1);
    store.finish_run(id, RunRecord{.started_us = 10,
                                   .finished_us = 99,
                                   .command = "monitor",
                                   .inputs = {"eth1"},
                                   .packets = 5,
                                   .bytes = 600,
                                   .events = 0,
                                   .alerts = 1});
    runs = recent_runs(store, 1);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].finished_us, 99);
    EXPECT_EQ(runs[0].packets, 5u);
    EXPECT_EQ(runs[0].inputs, (std::vector<std::string>{"eth1"}));
}

TEST(StoreMigrationV3, FromV2KeepsRowsAndAddsTheEmptyV3Tables)
{
    ScratchDir dir;
    const auto path = dir.file("v2.db");
    {
        RawDb raw(path);
        raw.exec("PRAGMA journal_mode=WAL");
        for (size_t k = 0; k < 2; ++k)
            raw.exec(Store::migrations()[k]);
        raw.exec("PRAGMA user_version = 2");
        raw.exec("INSERT INTO users (name, role, password_hash, created_us) VALUES ('ana', 'admin', 'h', 1)");
        raw.exec(
            "INSERT INTO rules_state (gid, sid, enabled, updated_by, updated_us) VALUES (1, 7, 0, 'ana', 3)");
        raw.exec(
            "INSERT INTO runs (started_us, finished_us, command, inputs, packets, bytes, events, alerts)"
            " VALUES (1, 2, 'replay', '[\"a.pcap\"]', 5, 500, 3, 2)");
    }
    auto store = Store::open(path);
    EXPECT_EQ(store.schema_version(), 3);
    EXPECT_EQ(query_int(store.handle(), "SELECT count(*) FROM users"), 1);
    EXPECT_EQ(disabled_rules(store), (std::vector<std::pair<uint32_t, uint32_t>>{{1, 7}}));
    for (const char* t : {"rule_catalog", "rule_load", "rule_files", "capture_stats"})
        EXPECT_EQ(query_int(store.handle(), std::string("SELECT count(*) FROM ") + t), 0) << t;
    EXPECT_FALSE(rule_load_info(store));
    EXPECT_EQ(recent_runs(store, 5).at(0).finished_us, 2);
    EXPECT_EQ(query_text(store.handle(), "PRAGMA integrity_check"), "ok");
}

}  // namespace
}  // namespace otsentry::alerts
