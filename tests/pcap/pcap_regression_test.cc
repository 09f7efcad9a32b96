// Pcap regression runner. Every folder tests/pcap/cases/<case>/ holds an expect.yaml (and a
// README.md saying what the case is about). The runner replays the case's capture through the
// engine and checks the counts and the few fields the case lists:
//
//   pcap: pcaps/modbus/x.pcap            # in the project, or shared:modbus/y.pcap (../shared/pcaps)
//   events: {modbus: 12}                 # records per event_type (alerts excluded); all listed
//   anomalies: {modbus.exception: 1}     # exact: any anomaly not listed must not occur
//   checks:                              # records found by pcap_cnt and event_type
//     - {pcap_cnt: 6, event_type: modbus, path: modbus.request.function_code, equals: 3}
//
// Rule cases live in tests/pcap/rule_cases/<case>/ and run a rule set over the capture:
//
//   pcap: pcaps/attacks/x.pcap
//   rules: default                       # the built-in set, or a file in the case folder
//   vars: {ICS_ENGINEERING: "127.0.0.2"} # optional
//   alerts: {1001001: 1}                 # exact rule alerts (gid 1) per sid; others must not fire
//   checks:
//     - {sid: 1001001, pcap_cnt: 12, path: alert.severity, equals: 1}
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "app/engine.h"
#include "capture/source/pcap_source.h"
#include "rules/live_rules.h"
#include "rules/loader.h"

namespace otsentry {
namespace {

namespace fs = std::filesystem;

const fs::path cases_dir = fs::path{OTSENTRY_SOURCE_DIR} / "tests/pcap/cases";
const fs::path rule_cases_dir = fs::path{OTSENTRY_SOURCE_DIR} / "tests/pcap/rule_cases";

std::vector<std::string> case_names(const fs::path& dir)
{
    std::vector<std::string> names;
    if (fs::is_directory(dir))
        for (const auto& e : fs::directory_iterator{dir})
            if (fs::exists(e.path() / "expect.yaml")) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// The capture a case names: in the project, or "shared:proto/file" under ../shared/pcaps.
// Empty when a shared capture is absent.
std::string case_capture(const YAML::Node& expect)
{
    std::string pcap = expect["pcap"].as<std::string>();
    if (pcap.rfind("shared:", 0) == 0) {
        const fs::path shared = fs::path{OTSENTRY_SHARED_DIR} / "pcaps" / pcap.substr(7);
        return fs::exists(shared) ? shared.string() : std::string{};
    }
    return (fs::path{OTSENTRY_SOURCE_DIR} / pcap).string();
}

class Collect final : public app::RecordOutput {
public:
    void submit(alerts::Record&& r) override { records.push_back(nlohmann::json::parse(r.eve_json)); }
    std::vector<nlohmann::json> records;
};

// "modbus.request.function_code" -> j["modbus"]["request"]["function_code"], or null.
const nlohmann::json* lookup(const nlohmann::json& j, const std::string& path)
{
    const nlohmann::json* cur = &j;
    size_t start = 0;
    while (start <= path.size()) {
        const size_t dot = path.find('.', start);
        const std::string part =
            path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (cur->is_array()) {
            const size_t idx = std::stoul(part);
            if (idx >= cur->size()) return nullptr;
            cur = &(*cur)[idx];
        } else if (cur->is_object() && cur->contains(part)) {
            cur = &(*cur)[part];
        } else {
            return nullptr;
        }
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return cur;
}

nlohmann::json yaml_scalar_to_json(const YAML::Node& n)
{
    const auto s = n.as<std::string>();
    if (n.Tag() == "!") return s;  // quoted in the YAML: a string even when it looks numeric
    try {
        size_t used = 0;
        const long long v = std::stoll(s, &used, 0);
        if (used == s.size()) return v;
    } catch (const std::exception&) {
    }
    return s;
}

class PcapCase : public ::testing::TestWithParam<std::string> {};

TEST_P(PcapCase, MatchesExpectations)
{
    const fs::path dir = cases_dir / GetParam();
    const YAML::Node expect = YAML::LoadFile((dir / "expect.yaml").string());
    const std::string pcap = case_capture(expect);
    if (pcap.empty()) GTEST_SKIP() << "shared capture not present: " << expect["pcap"].as<std::string>();

    capture::PcapFileSource source{{pcap}};
    ASSERT_TRUE(source.check_all().empty()) << pcap;
    Collect out;
    app::Engine engine{app::EngineConfig{}, out};
    capture::RawPacket pkt;
    while (source.next(pkt) == capture::PcapFileSource::Status::Packet)
        engine.process(pkt);
    engine.finish();

    std::map<std::string, long long> events, anomalies;
    for (const auto& r : out.records) {
        if (r["event_type"] == "alert") {
            if (r.contains("anomaly")) ++anomalies[r["anomaly"]["event"].get<std::string>()];
        } else {
            ++events[r["event_type"].get<std::string>()];
        }
    }
    for (const auto& kv : expect["events"]) {
        EXPECT_EQ(events[kv.first.as<std::string>()], kv.second.as<long long>())
            << "events of type " << kv.first.as<std::string>();
    }
    std::map<std::string, long long> want_anomalies;
    for (const auto& kv : expect["anomalies"])
        want_anomalies[kv.first.as<std::string>()] = kv.second.as<long long>();
    EXPECT_EQ(anomalies, want_anomalies) << "anomalies (exact)";

    for (const auto& c : expect["checks"]) {
        const auto cnt = c["pcap_cnt"].as<uint64_t>();
        const auto type = c["event_type"].as<std::string>();
        const auto path = c["path"].as<std::string>();
        const auto want = yaml_scalar_to_json(c["equals"]);
        bool found = false;
        for (const auto& r : out.records) {
            if (r["pcap_cnt"] != cnt || r["event_type"] != type) continue;
            found = true;
            const auto* got = lookup(r, path);
            ASSERT_NE(got, nullptr) << "no " << path << " in " << r.dump();
            EXPECT_EQ(*got, want) << path << " at pcap_cnt " << cnt;
        }
        EXPECT_TRUE(found) << "no " << type << " record with pcap_cnt " << cnt;
    }
}

INSTANTIATE_TEST_SUITE_P(Cases, PcapCase, ::testing::ValuesIn(case_names(cases_dir)),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

class RuleCase : public ::testing::TestWithParam<std::string> {};

TEST_P(RuleCase, RaisesExactlyTheExpectedAlerts)
{
    const fs::path dir = rule_cases_dir / GetParam();
    const YAML::Node expect = YAML::LoadFile((dir / "expect.yaml").string());
    const std::string pcap = case_capture(expect);
    if (pcap.empty()) GTEST_SKIP() << "shared capture not present: " << expect["pcap"].as<std::string>();

    rules::LoadOptions load;
    const auto which = expect["rules"].as<std::string>();
    if (which != "default") load.paths.push_back((dir / which).string());
    for (const auto& kv : expect["vars"])
        load.vars.emplace_back(kv.first.as<std::string>(), kv.second.as<std::string>());
    const rules::LoadResult loaded = rules::load_rules(load);
    ASSERT_TRUE(loaded.set) << (loaded.fatal.empty() ? std::string{} : loaded.fatal.front());
    EXPECT_TRUE(loaded.report.rejected.empty()) << loaded.report.rejected.front().reason;
    rules::LiveRules live{loaded.set};

    capture::PcapFileSource source{{pcap}};
    ASSERT_TRUE(source.check_all().empty()) << pcap;
    Collect out;
    app::EngineConfig cfg;
    cfg.rules = &live;
    app::Engine engine{cfg, out};
    capture::RawPacket pkt;
    while (source.next(pkt) == capture::PcapFileSource::Status::Packet)
        engine.process(pkt);
    engine.finish();

    std::map<long long, long long> got, want;
    for (const auto& r : out.records)
        if (r["event_type"] == "alert" && r["alert"]["gid"] == 1)
            ++got[r["alert"]["signature_id"].get<long long>()];
    for (const auto& kv : expect["alerts"])
        want[kv.first.as<long long>()] = kv.second.as<long long>();
    EXPECT_EQ(got, want) << "rule alerts per sid (exact)";

    for (const auto& c : expect["checks"]) {
        const auto sid = c["sid"].as<long long>();
        const auto cnt = c["pcap_cnt"].as<uint64_t>();
        const auto path = c["path"].as<std::string>();
        const auto value = yaml_scalar_to_json(c["equals"]);
        bool found = false;
        for (const auto& r : out.records) {
            if (r["event_type"] != "alert" || r["alert"]["signature_id"] != sid || r["pcap_cnt"] != cnt)
                continue;
            found = true;
            const auto* v = lookup(r, path);
            ASSERT_NE(v, nullptr) << "no " << path << " in " << r.dump();
            EXPECT_EQ(*v, value) << path << " of sid " << sid << " at pcap_cnt " << cnt;
        }
        EXPECT_TRUE(found) << "no alert of sid " << sid << " at pcap_cnt " << cnt;
    }
}

INSTANTIATE_TEST_SUITE_P(Cases, RuleCase, ::testing::ValuesIn(case_names(rule_cases_dir)),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(RuleCase);

}  // namespace
}  // namespace otsentry
