// Compilation: grouping, severities and categories, the embedded default set, the loader.
#include "rules/ruleset.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "rules/loader.h"
#include "rules/parser.h"

namespace otsentry::rules {
namespace {

std::shared_ptr<const RuleSet> compile_text(std::string_view text, std::vector<CompileError>& errors)
{
    RuleFileSet set = parse_text(text, "t.rules");
    EXPECT_TRUE(set.errors().empty()) << set.errors().front().reason;
    return RuleSet::compile(std::move(set.rules()), default_classifications(), errors);
}

TEST(RuleSet, GroupsRulesByKind)
{
    std::vector<CompileError> errors;
    const auto rs = compile_text(R"(alert tcp any any -> any 502 (msg:"p"; content:"abc"; sid:1;)
alert modbus any any -> any any (msg:"t"; modbus.function: 8; sid:2;)
alert modbus any any -> any any (msg:"e"; app-layer-event:modbus.bad_length; sid:3;)
alert opcua any any -> any any (msg:"u"; sid:4;)
alert modbus any any -> any any (msg:"every modbus transaction"; sid:5;)
)",
                                 errors);
    ASSERT_TRUE(errors.empty());
    const auto& s = rs->stats();
    EXPECT_EQ(s.rules, 5u);
    EXPECT_EQ(s.packet_rules, 1u);
    EXPECT_EQ(s.transaction_rules, 2u);
    EXPECT_EQ(s.event_rules, 1u);
    EXPECT_EQ(s.unavailable, 1u);
    EXPECT_EQ(rs->rules().size(), 4u);
    const auto& modbus = rs->transaction_rules(Protocol::Modbus);
    ASSERT_NE(modbus.key, nullptr);
    EXPECT_EQ(modbus.key->name, "modbus.function");
    EXPECT_EQ(modbus.by_key.count(8), 1u);
    EXPECT_EQ(modbus.unindexed.rules.size(), 1u);
    EXPECT_NE(rs->event_rules(Protocol::Modbus, 2), nullptr);
}

TEST(RuleSet, SeverityFromPriorityElseClasstype)
{
    std::vector<CompileError> errors;
    const auto rs =
        compile_text(R"(alert tcp any any -> any any (msg:"a"; content:"x"; classtype:attempted-admin; sid:1;)
alert tcp any any -> any any (msg:"b"; content:"x"; classtype:attempted-admin; priority:3; sid:2;)
alert tcp any any -> any any (msg:"c"; content:"x"; sid:3;)
)",
                     errors);
    ASSERT_EQ(rs->rules().size(), 3u);
    EXPECT_EQ(rs->rules()[0].severity, 1);
    EXPECT_EQ(rs->rules()[0].category, "Attempted Administrator Privilege Gain");
    EXPECT_EQ(rs->rules()[1].severity, 3);
    EXPECT_EQ(rs->rules()[2].severity, 3);
    EXPECT_TRUE(rs->rules()[2].category.empty());
}

TEST(RuleSet, PortGroupHoldsAnyPortRulesToo)
{
    std::vector<CompileError> errors;
    const auto rs = compile_text(R"(alert tcp any any -> any 502 (msg:"p"; content:"abc"; sid:1;)
alert tcp any any -> any any (msg:"q"; content:"def"; sid:2;)
alert tcp any any -> any any (msg:"r"; dsize:>10; sid:3;)
)",
                                 errors);
    const auto* g502 = rs->packet_group(6, 502);
    const auto* gany = rs->packet_group(6, 80);
    ASSERT_NE(g502, gany);
    EXPECT_EQ(g502->by_pattern.size(), 2u);
    EXPECT_EQ(g502->always.size(), 1u);
    EXPECT_EQ(gany->by_pattern.size(), 1u);
    EXPECT_EQ(gany->always.size(), 1u);
    EXPECT_GT(rs->stats().hs_bytes, 0u);
}

TEST(RuleSet, UncompilablePcreIsReportedAndTheRestLoads)
{
    std::vector<CompileError> errors;
    const auto rs = compile_text(R"(alert tcp any any -> any any (msg:"bad"; pcre:"/(a/"; sid:1;)
alert tcp any any -> any any (msg:"good"; content:"x"; sid:2;)
)",
                                 errors);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].sid, 1u);
    EXPECT_EQ(errors[0].line, 1u);
    ASSERT_EQ(rs->rules().size(), 1u);
    EXPECT_EQ(rs->rules()[0].rule.sid, 2u);
}

TEST(RuleSet, BackReferenceFallsBackToPcre2)
{
    std::vector<CompileError> errors;
    const auto rs =
        compile_text(R"(alert tcp any any -> any any (msg:"br"; pcre:"/(ab)\1/"; sid:1;))", errors);
    ASSERT_TRUE(errors.empty());
    EXPECT_EQ(rs->stats().pcre2_fallbacks, 1u);
    EXPECT_TRUE(rs->rules()[0].uses_pcre2);
}

TEST(Loader, DefaultSetIsEmbeddedAndLoadsCleanly)
{
    ASSERT_FALSE(default_rule_files().empty());
    const LoadResult r = load_rules(LoadOptions{});
    ASSERT_TRUE(r.set);
    EXPECT_TRUE(r.fatal.empty());
    EXPECT_TRUE(r.report.rejected.empty())
        << r.report.rejected.front().file << ":" << r.report.rejected.front().line << ": "
        << r.report.rejected.front().reason;
    EXPECT_TRUE(r.compile_errors.empty());
    EXPECT_GT(r.set->rules().size(), 40u);
    // Every default rule names a MITRE ATT&CK for ICS technique.
    for (const auto& c : r.set->rules()) {
        bool mitre = false;
        for (const auto& [k, v] : c.rule.metadata)
            mitre = mitre || (k == "mitre_ics_technique" && v.size() == 5 && v[0] == 'T');
        EXPECT_TRUE(mitre) << "sid " << c.rule.sid;
        EXPECT_FALSE(c.rule.classtype.empty()) << "sid " << c.rule.sid;
    }
}

TEST(Loader, FilesDirectoriesVariablesAndFatalProblems)
{
    const auto dir = ::testing::TempDir() + "/otsentry_loader_test";
    std::filesystem::create_directories(dir);
    {
        std::ofstream f{dir + "/a.rules"};
        f << "alert modbus $MODBUS_CLIENT any -> any any (msg:\"a\"; modbus.function: 8; sid:10;)\n";
        f << "alert modbus any any -> any any (msg:\"dup\"; modbus.function: 8; sid:10;)\n";
    }
    {
        std::ofstream f{dir + "/b.rules"};
        f << "alert tcp any any -> any any (msg:\"b\"; content:\"x\"; sid:11;)\n";
    }
    LoadOptions opts;
    opts.paths = {dir};
    opts.vars = {{"MODBUS_CLIENT", "10.0.0.0/8"}};
    LoadResult r = load_rules(opts);
    ASSERT_TRUE(r.set);
    EXPECT_EQ(r.set->rules().size(), 2u);
    ASSERT_EQ(r.report.rejected.size(), 1u);
    EXPECT_EQ(r.report.rejected[0].line, 2u);
    EXPECT_NE(load_summary(r).find("2 rules loaded"), std::string::npos) << load_summary(r);

    opts.vars = {{"MODBUS_CLIENT", "not an address"}};
    r = load_rules(opts);
    EXPECT_FALSE(r.set);
    ASSERT_FALSE(r.fatal.empty());
    EXPECT_NE(r.fatal[0].find("MODBUS_CLIENT"), std::string::npos) << r.fatal[0];

    opts.vars.clear();
    opts.paths = {dir + "/missing.rules"};
    r = load_rules(opts);
    EXPECT_FALSE(r.set);
}

}  // namespace
}  // namespace otsentry::rules
