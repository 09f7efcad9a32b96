// `rules check` report, printing, and classification tables.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "rules/check.h"
#include "rules/classification.h"

namespace otsentry::rules {
namespace {

std::string print(const CheckReport& r)
{
    char* buf = nullptr;
    size_t len = 0;
    std::FILE* f = open_memstream(&buf, &len);
    print_report(f, r);
    std::fclose(f);
    std::string out{buf, len};
    std::free(buf);
    return out;
}

TEST(Check, ReportListsRejectedAndUnavailableThenSummary)
{
    const RuleFileSet set = parse_text(
        "alert tcp any any -> any 502 (msg:\"ok\"; sid:1;)\n"
        "alert enip any any -> any any (msg:\"enip\"; sid:2;)\n"
        "alert tcp any any -> any any (msg:\"bad\"; wobble; sid:3;)\n"
        "alert tcp any any -> any any (msg:\"dup\"; sid:1;)\n"
        "alert tcp any any -> any any (msg:\"nosid\";)\n",
        "x.rules");
    const CheckReport r = make_report(set);
    EXPECT_EQ(r.accepted.size(), 2u);
    EXPECT_EQ(r.unavailable.size(), 1u);
    EXPECT_EQ(r.rejected.size(), 3u);
    EXPECT_EQ(r.total(), 5u);
    EXPECT_EQ(summary_line(r), "5 rules: 2 accepted (1 unavailable), 3 rejected");
    EXPECT_EQ(print(r),
              "x.rules:2: sid 2: protocol not available: enip\n"
              "x.rules:3: sid 3: unknown keyword 'wobble'\n"
              "x.rules:4: sid 1: duplicate sid 1: first defined at x.rules:1\n"
              "x.rules:5: sid ?: missing sid\n"
              "5 rules: 2 accepted (1 unavailable), 3 rejected\n");
}

TEST(Check, CheckFilesReadsFilesAsOneSet)
{
    const auto dir = std::filesystem::temp_directory_path() / "otsentry_check_test";
    std::filesystem::create_directories(dir);
    const auto a = (dir / "a.rules").string();
    const auto b = (dir / "b.rules").string();
    std::ofstream{a} << "alert tcp any any -> any any (sid:10;)\n";
    std::ofstream{b} << "alert tcp any any -> any any (sid:10;)\n";
    const CheckReport r = check_files({a, b, (dir / "missing.rules").string()});
    EXPECT_EQ(r.accepted.size(), 1u);
    ASSERT_EQ(r.rejected.size(), 2u);
    EXPECT_EQ(r.rejected[0].reason, "duplicate sid 10: first defined at " + a + ":1");
    EXPECT_EQ(r.rejected[1].reason, "cannot read the file");
    EXPECT_EQ(r.rejected[1].line, 0u);
    std::filesystem::remove_all(dir);
}

TEST(Classification, StandardTable)
{
    const Classifications& c = default_classifications();
    EXPECT_GE(c.size(), 38u);
    const ClassType* t = c.find("attempted-dos");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->description, "Attempted Denial of Service");
    EXPECT_EQ(t->priority, 2);
    EXPECT_EQ(c.find("protocol-command-decode")->priority, 3);
    EXPECT_EQ(c.find("trojan-activity")->priority, 1);
    EXPECT_EQ(c.find("tcp-connection")->priority, 4);
    EXPECT_EQ(c.find("nope"), nullptr);
}

TEST(Classification, LoadTextAddsAndOverrides)
{
    Classifications c;
    std::string e;
    ASSERT_TRUE(
        c.load_text("# comment\n\nconfig classification: ics-write,ICS write, by anyone,1\n"
                    "config classification: misc-activity,Misc activity,4\n",
                    "extra.config", e))
        << e;
    ASSERT_NE(c.find("ics-write"), nullptr);
    EXPECT_EQ(c.find("ics-write")->description, "ICS write, by anyone");
    EXPECT_EQ(c.find("ics-write")->priority, 1);
    EXPECT_EQ(c.find("misc-activity")->priority, 4);
    // The parser uses the context's table.
    ParseContext ctx;
    ctx.classes = &c;
    EXPECT_TRUE(parse_rule("alert tcp any any -> any any (classtype:ics-write; sid:1;)", ctx).ok());
    EXPECT_FALSE(parse_rule("alert tcp any any -> any any (classtype:ics-write; sid:1;)", {}).ok());
}

TEST(Classification, LoadErrors)
{
    Classifications c;
    std::string e;
    EXPECT_FALSE(c.load_text("classification: a,b,1\n", "f", e));
    EXPECT_EQ(e, "f:1: expected 'config classification: name,description,priority'");
    EXPECT_FALSE(c.load_text("\nconfig classification: a,1\n", "f", e));
    EXPECT_EQ(e, "f:2: expected name,description,priority");
    EXPECT_FALSE(c.load_text("config classification: a,b,0\n", "f", e));
    EXPECT_EQ(e, "f:1: priority must be a number 1..255");
    EXPECT_FALSE(c.load_text("config classification: ,b,1\n", "f", e));
    EXPECT_EQ(e, "f:1: empty classtype name");
    EXPECT_FALSE(c.load_text("config classification: a b,c,1\n", "f", e));
    EXPECT_EQ(e, "f:1: invalid character in classtype name 'a b'");
    EXPECT_FALSE(c.load_file("/nonexistent/classification.config", e));
    EXPECT_EQ(e, "/nonexistent/classification.config: cannot read the file");
}

}  // namespace
}  // namespace otsentry::rules
