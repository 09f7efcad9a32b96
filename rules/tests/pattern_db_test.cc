#include "rules/pattern_db.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace otsentry::rules {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

std::span<const uint8_t> as_bytes(std::string_view s)
{
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::vector<uint32_t> scan(const PatternDb& db, std::span<const uint8_t> data)
{
    MatchScratch scratch;
    std::vector<uint32_t> hits;
    db.scan(data, scratch, hits);
    return hits;
}

void compile_ok(PatternDb& db)
{
    std::string error;
    ASSERT_TRUE(db.compile(error)) << error;
}

TEST(PatternDb, EmptyDatabaseCompilesAndScansToNothing)
{
    PatternDb db;
    compile_ok(db);
    EXPECT_TRUE(db.empty());
    EXPECT_TRUE(db.compiled());
    EXPECT_EQ(db.size_bytes(), 0u);
    EXPECT_THAT(scan(db, as_bytes("anything")), IsEmpty());
}

TEST(PatternDb, CaseSensitiveAndNocaseLiterals)
{
    PatternDb db;
    db.add(0, "abc", false);
    db.add(1, "DEF", true);
    db.add(2, "ghi", false);
    compile_ok(db);
    EXPECT_THAT(scan(db, as_bytes("xABCxdefxghi")), UnorderedElementsAre(1u, 2u));
    EXPECT_THAT(scan(db, as_bytes("abc")), ElementsAre(0u));
}

TEST(PatternDb, BinaryBytesIncludingNulAndFF)
{
    PatternDb db;
    db.add(7, std::string("\x00\xff\x00", 3), false);
    db.add(8, std::string("\xff\xfe", 2), true);
    compile_ok(db);
    const uint8_t data[] = {0x10, 0x00, 0xff, 0x00, 0x20};
    EXPECT_THAT(scan(db, data), ElementsAre(7u));
    const uint8_t other[] = {0x00, 0xff, 0x01, 0xff, 0xfe};
    EXPECT_THAT(scan(db, other), ElementsAre(8u));
}

TEST(PatternDb, NocaseFoldsAsciiOnly)
{
    PatternDb db;
    db.add(1, "\xc0", true);  // no ASCII case: matches only itself
    compile_ok(db);
    const uint8_t upper[] = {0xc0};
    const uint8_t lower[] = {0xe0};
    EXPECT_THAT(scan(db, upper), ElementsAre(1u));
    EXPECT_THAT(scan(db, lower), IsEmpty());
}

TEST(PatternDb, RegexMetacharactersAreLiteral)
{
    PatternDb db;
    db.add(3, "a.b*c", false);
    db.add(4, "(x|y)", false);
    compile_ok(db);
    EXPECT_THAT(scan(db, as_bytes("axbbc (x)")), IsEmpty());
    EXPECT_THAT(scan(db, as_bytes("--a.b*c--(x|y)")), UnorderedElementsAre(3u, 4u));
}

TEST(PatternDb, EachIdReportedOncePerScan)
{
    PatternDb db;
    db.add(5, "ab", false);
    compile_ok(db);
    EXPECT_THAT(scan(db, as_bytes("ababababab")), ElementsAre(5u));
}

TEST(PatternDb, SharedIdReportedOnce)
{
    PatternDb db;
    db.add(9, "foo", false);
    db.add(9, "bar", false);
    compile_ok(db);
    EXPECT_THAT(scan(db, as_bytes("foo bar foo")), ElementsAre(9u));
}

TEST(PatternDb, SparseIds)
{
    PatternDb db;
    db.add(1'000'000, "big", false);
    db.add(0, "zero", false);
    compile_ok(db);
    EXPECT_THAT(scan(db, as_bytes("zero big")), UnorderedElementsAre(0u, 1'000'000u));
}

TEST(PatternDb, ScanAppendsToCallersVector)
{
    PatternDb db;
    db.add(1, "x", false);
    compile_ok(db);
    MatchScratch scratch;
    std::vector<uint32_t> hits{42};
    db.scan(as_bytes("x"), scratch, hits);
    EXPECT_THAT(hits, ElementsAre(42u, 1u));
    hits.clear();
    db.scan(as_bytes("y"), scratch, hits);
    EXPECT_THAT(hits, IsEmpty());
}

TEST(PatternDb, EmptyDataAndUncompiledDatabase)
{
    PatternDb db;
    db.add(1, "x", false);
    EXPECT_THAT(scan(db, as_bytes("x")), IsEmpty());  // not compiled yet
    compile_ok(db);
    EXPECT_THAT(scan(db, {}), IsEmpty());
}

TEST(PatternDb, EmptyLiteralIsRejectedByName)
{
    PatternDb db;
    db.add(1, "ok", false);
    db.add(17, "", false);
    std::string error;
    EXPECT_FALSE(db.compile(error));
    EXPECT_NE(error.find("literal id 17"), std::string::npos) << error;
    EXPECT_FALSE(db.compiled());
}

TEST(PatternDb, SizeAndCompileTimeAreReported)
{
    PatternDb db;
    for (uint32_t i = 0; i < 200; ++i)
        db.add(i, "pattern-" + std::to_string(i * 7919), i % 2 == 0);
    compile_ok(db);
    EXPECT_EQ(db.literal_count(), 200u);
    EXPECT_GT(db.size_bytes(), 0u);
    EXPECT_GT(db.compile_ms(), 0.0);
    EXPECT_THAT(scan(db, as_bytes("..PATTERN-0..pattern-7919..")), UnorderedElementsAre(0u, 1u));
}

TEST(PatternDb, RecompileAfterAdding)
{
    PatternDb db;
    db.add(1, "one", false);
    compile_ok(db);
    db.add(2, "two", false);
    compile_ok(db);
    EXPECT_THAT(scan(db, as_bytes("one two")), UnorderedElementsAre(1u, 2u));
}

TEST(PatternDb, MovedDatabaseScans)
{
    PatternDb a;
    a.add(3, "abc", false);
    compile_ok(a);
    PatternDb b = std::move(a);
    EXPECT_THAT(scan(b, as_bytes("xabc")), ElementsAre(3u));
    PatternDb c;
    c = std::move(b);
    EXPECT_THAT(scan(c, as_bytes("abc")), ElementsAre(3u));
}

TEST(PatternDb, ScratchSharedWithRegexGrowsForBoth)
{
    PatternDb db;
    for (uint32_t i = 0; i < 50; ++i)
        db.add(i, "lit" + std::to_string(i), false);
    compile_ok(db);
    Pcre p;
    p.pattern = "(a|b)+c{2,5}";
    std::string error;
    const auto re = Regex::compile(p, error);
    ASSERT_TRUE(re) << error;
    MatchScratch scratch;
    std::vector<uint32_t> hits;
    EXPECT_TRUE(re->find(as_bytes("abcc"), 0, scratch));
    db.scan(as_bytes("lit42"), scratch, hits);
    EXPECT_TRUE(re->find(as_bytes("abcc"), 0, scratch));
    EXPECT_THAT(hits, UnorderedElementsAre(4u, 42u));  // "lit4" is a prefix of "lit42"
    EXPECT_EQ(scratch.stats().hs_errors, 0u);
}

}  // namespace
}  // namespace otsentry::rules
